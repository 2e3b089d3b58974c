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


def form_errors(form: forms.BaseForm, *, where: str = "body") -> ValidationError:
    """A Django form's errors in the same shape as the API's schema errors (422): each field's
    messages under `where` (the body, or the query for a form read from the query string)."""
    return ValidationError(
        [
            _error(where, field if field != "__all__" else "non_field_errors", message)
            for field, messages in form.errors.items()
            for message in messages
        ]
    )


def field_error(field: str | None, message: object, *, where: str = "body") -> ValidationError:
    """A rule the schema cannot state (a plan that does not schedule, a date already past, a
    license already held), refused in the same shape on the field it is about; no field when
    the rule is about the request as a whole."""
    return ValidationError([_error(where, field, message)])


def _error(where: str, field: str | None, message: object) -> dict[str, object]:
    return {
        "loc": [where] if field is None else [where, field],
        "msg": str(message),
        "type": "value_error",
    }
