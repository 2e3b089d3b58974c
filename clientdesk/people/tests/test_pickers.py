"""People pickers name people, sort them by last name and offer only who may hold the part."""

from __future__ import annotations

from clientdesk.accounts.forms import AssignmentForm
from clientdesk.insights.forms import ActionForm, ProblemForm
from clientdesk.testing import Cast


def _options(field: object) -> list[str]:
    return [str(label) for value, label in field.choices if value != ""]  # type: ignore[attr-defined]


def test_a_corrective_action_is_owned_by_someone_who_does_the_work(cast: Cast) -> None:
    # The cast: Sam Serviceops (service operations), Alice Owner, Bob Teammate, Oscar Outsider
    # (associates), Mia Manager; Eve Executive and the administrator are not offered.
    assert _options(ActionForm().fields["owner"]) == [
        "Mia Manager",
        "Oscar Outsider",
        "Alice Owner",
        "Sam Serviceops",
        "Bob Teammate",
    ]


def test_a_problem_is_owned_by_service_operations_shown_by_name(cast: Cast) -> None:
    assert _options(ProblemForm().fields["owner"]) == ["Sam Serviceops"]


def test_an_account_team_is_chosen_among_associates_by_name(cast: Cast) -> None:
    assert _options(AssignmentForm().fields["user"]) == [
        "Oscar Outsider",
        "Alice Owner",
        "Bob Teammate",
    ]
