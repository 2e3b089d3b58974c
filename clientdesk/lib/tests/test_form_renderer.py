"""lib/form_renderer.py writes select boxes in Python: the same HTML as Django's templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from clientdesk.lib.form_renderer import FormRenderer, select_html

DJANGO = DjangoTemplates()
OURS = FormRenderer()


def _label() -> str:
    return "Lazy <label>"


lazy_text = lazy(_label, str)

CASES: list[tuple[forms.Widget, Any, dict[str, Any] | None]] = [
    (forms.Select(choices=[("", "---------"), ("a", "Acme & Sons"), ("b", "<b>")]), "a", None),
    (forms.Select(choices=[(1, "One"), (2, "Two")]), 2, {"id": "id_x", "class": "wide"}),
    (forms.Select(choices=[("x", "X")]), None, {"required": True, "disabled": False}),
    (forms.Select(choices=[("x", mark_safe("<em>safe</em>")), ("y", lazy_text())]), "y", None),
    (
        forms.Select(
            choices=[("", "All"), ("Medical", [("ip", "Inpatient"), ("op", 'Out "patient"')])]
        ),
        "op",
        {"hx-get": "/x/?a=1&b=2", "data-n": 3},
    ),
    (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), ["a", "c"], None),
    (forms.NullBooleanSelect(), None, None),
    (forms.NullBooleanSelect(), True, None),
    (
        forms.Select(
            choices=[(Decimal("1.5"), 1234567), (dt.date(2026, 3, 5), dt.date(2026, 3, 5))]
        ),
        dt.date(2026, 3, 5),
        None,
    ),
    (forms.Select(choices=[]), None, None),
    (forms.Select(choices=[(None, None), ((1, 2), "tuple")]), None, {"title": mark_safe("&amp;")}),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_a_select_is_the_html_djangos_templates_write(case: int) -> None:
    widget, value, attrs = CASES[case]
    ours = widget.render("field", value, attrs=attrs, renderer=OURS)
    theirs = widget.render("field", value, attrs=attrs, renderer=DJANGO)
    assert ours == theirs
    assert (
        select_html(widget.get_context("field", value, attrs)["widget"]) is not None
    )  # no fallback
    assert ours.startswith('<select name="field"') and ours.endswith("</select>")


def test_every_other_widget_goes_through_the_templates() -> None:
    for widget, value in [
        (forms.TextInput(), "a <b>"),
        (forms.CheckboxInput(), True),
        (forms.RadioSelect(choices=[("a", "A")]), "a"),
        (forms.DateInput(), dt.date(2026, 1, 2)),
    ]:
        assert widget.render("f", value, renderer=OURS) == widget.render(
            "f", value, renderer=DJANGO
        )


def test_the_html_is_escaped() -> None:
    html = forms.Select(choices=[("<v>", "<b>Bold</b>")]).render("n", None, renderer=OURS)
    assert '<option value="&lt;v&gt;">&lt;b&gt;Bold&lt;/b&gt;</option>' in html
