"""Errors of the REST API in one shape, whichever check found them.

Every app's router answers a bad form the way django-ninja answers a bad schema (422, a list of
`{"loc", "msg", "type"}`), so a client reads one shape. It lives here, below the apps, because the
API root (`clientdesk/api.py`) imports every app's router: an app importing it back made a circle.
"""

from __future__ import annotations

from django import forms
from ninja.errors import HttpError, ValidationError


def refusal(form: forms.BaseForm, references: dict[str, str]) -> ValidationError | HttpError:
    """`form_errors`, but a body field naming a record answers 404, as a path id does (the
    schema's 404 "where a body names a record"): `references` maps the form field that picks
    the record (a choice of model instances) to the body field (`{"owner": "owner_id"}`)."""
    errors_of = form.errors.as_data()
    for field, named in references.items():
        if any(error.code == "invalid_choice" for error in errors_of.get(field, [])):
            return HttpError(404, f"{named}: no such record, or not one you may name here.")
    return form_errors(form)


def form_errors(form: forms.BaseForm) -> ValidationError:
    """A Django form's errors in the same shape as the API's schema errors (422)."""
    errors = [
        {
            "loc": ["body", field if field != "__all__" else "non_field_errors"],
            "msg": str(message),
            "type": "value_error",
        }
        for field, messages in form.errors.items()
        for message in messages
    ]
    return ValidationError(errors)
