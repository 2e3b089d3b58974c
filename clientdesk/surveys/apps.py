import functools

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "clientdesk.surveys"
    label = "surveys"
    verbose_name = "Satisfaction surveys"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from clientdesk.lib.calls import CALL_RULES, CallRule
        from clientdesk.lib.measures import ACCOUNT_MEASURES, Direction, Measure, Unit
        from clientdesk.lib.panels import ACCOUNT_TABS, SURVEYS
        from clientdesk.lib.survey_answers import SURVEY_ANSWER_SOURCES
        from clientdesk.lib.survey_service import SURVEY_SERVICE
        from clientdesk.lib.work import WORK_LISTS
        from clientdesk.surveys.actions import send_survey_of_kind
        from clientdesk.surveys.panels import follow_ups_work, satisfaction_work, surveys_panel
        from clientdesk.surveys.queries import (
            answers_of_kind,
            csat_measure,
            detractor_causes,
            nps_measure,
            relationship_answers,
        )
        from clientdesk.surveys.tasks import enqueue_send

        ACCOUNT_TABS.register("surveys.results", SURVEYS, surveys_panel)
        # The satisfaction guarantees and the reports count our answers with the feed's (not
        # the implementation survey's: implementation satisfaction reads those apart).
        SURVEY_ANSWER_SOURCES.register("surveys", relationship_answers)
        # Other apps send a survey of a kind, and read one kind's answers, without importing
        # this app (implementations: the survey at go-live + N days).
        SURVEY_SERVICE.register(
            sender=functools.partial(send_survey_of_kind, enqueue=enqueue_send),
            answers=answers_of_kind,
        )
        WORK_LISTS.register("survey_follow_ups", follow_ups_work, order=55)
        WORK_LISTS.register("satisfaction", satisfaction_work, order=7)
        CALL_RULES.register(
            CallRule(
                key="survey_detractor",
                title="A detractor to call back",
                playbook=(
                    "Read the answer and the account's recent service",
                    "Call the respondent back",
                    "Record the follow-up and its outcome in the survey follow-up",
                ),
                find=detractor_causes,
            )
        )
        ACCOUNT_MEASURES.register(
            Measure(
                key="nps",
                label="Net promoter score (-100 to 100)",
                unit=Unit.SCORE,
                better=Direction.HIGHER,
                source="surveys: our surveys, imported exports and the survey feed, 12 months",
                compute=nps_measure,
            )
        )
        ACCOUNT_MEASURES.register(
            Measure(
                key="csat",
                label="Satisfied (CSAT 4-5 of 5)",
                unit=Unit.PERCENT,
                better=Direction.HIGHER,
                source="surveys: our surveys, imported exports and the survey feed, 12 months",
                compute=csat_measure,
            )
        )
