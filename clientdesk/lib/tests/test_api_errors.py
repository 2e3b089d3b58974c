from __future__ import annotations

from django import forms

from clientdesk.lib.api_errors import field_error, form_errors


class _RenewalForm(forms.Form):
    months = forms.IntegerField(min_value=1)
    note = forms.CharField(required=False)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("note") == "backdate":
            raise forms.ValidationError("A renewal cannot be backdated.")
        return cleaned


def test_field_and_form_errors_come_back_in_the_schema_errors_shape() -> None:
    form = _RenewalForm(data={"months": "0", "note": "backdate"})
    assert not form.is_valid()

    error = form_errors(form)

    assert error.errors == [
        {
            "loc": ["body", "months"],
            "msg": "Ensure this value is greater than or equal to 1.",
            "type": "value_error",
        },
        {
            "loc": ["body", "non_field_errors"],
            "msg": "A renewal cannot be backdated.",
            "type": "value_error",
        },
    ]


def test_a_valid_form_has_no_errors_to_report() -> None:
    form = _RenewalForm(data={"months": "12"})
    assert form.is_valid()
    assert form_errors(form).errors == []


def test_a_query_form_names_the_query() -> None:
    form = _RenewalForm(data={"months": "x"})
    assert not form.is_valid()
    assert form_errors(form, where="query").errors == [
        {"loc": ["query", "months"], "msg": "Enter a whole number.", "type": "value_error"}
    ]


def test_a_rule_is_refused_on_its_field_or_on_the_request() -> None:
    assert field_error("due_on", ValueError("The due date has passed.")).errors == [
        {"loc": ["body", "due_on"], "msg": "The due date has passed.", "type": "value_error"}
    ]
    assert field_error(None, "No experience in the window.", where="query").errors == [
        {"loc": ["query"], "msg": "No experience in the window.", "type": "value_error"}
    ]
