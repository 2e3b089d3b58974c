from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "clientdesk.team"
    label = "team"
    verbose_name = "Team: roster, licenses, training, time, recruiting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from clientdesk.accounts.models import Assignment
        from clientdesk.lib.member_data_gates import MEMBER_DATA_GATES
        from clientdesk.lib.panels import ACCOUNT_TABS, OVERVIEW
        from clientdesk.lib.skills import SKILL_SOURCES
        from clientdesk.lib.work import WORK_LISTS
        from clientdesk.team.actions import assign_paths_on_joining
        from clientdesk.team.panels import (
            coverage_work,
            interviews_work,
            licenses_work,
            team_panel,
            team_panel_audience,
            time_off_work,
            training_work,
        )
        from clientdesk.team.queries import member_data_refusal, skilled_for

        ACCOUNT_TABS.register(
            "team.coverage", OVERVIEW, team_panel, order=60, shown_to=team_panel_audience
        )
        SKILL_SOURCES.register("team.skills", skilled_for)  # read by inquiries' routing
        # Lapsed HIPAA training blocks member-level views (asked by the audit trail).
        MEMBER_DATA_GATES.register("team.hipaa", member_data_refusal)
        # Joining an account team assigns the account's learning paths (onboarding).
        post_save.connect(
            assign_paths_on_joining, sender=Assignment, dispatch_uid="team.paths_on_joining"
        )
        WORK_LISTS.register("training", training_work, order=60)
        WORK_LISTS.register("licenses", licenses_work, order=62)
        WORK_LISTS.register("time_off", time_off_work, order=64)
        WORK_LISTS.register("coverage", coverage_work, order=65)
        WORK_LISTS.register("interviews", interviews_work, order=66)
