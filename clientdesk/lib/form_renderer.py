"""Django's form renderer, with its select boxes written in Python (settings.FORM_RENDERER).

Django renders a `<select>` through a template that includes one template per option, which
includes another for the option's attributes: the account and owner filters of the inquiries
list, the health portfolio's filters and the like hold hundreds of options, and drawing them
was a fifth of those pages' CPU (bench/page_cpu.py --profile). `FormRenderer` writes the same
HTML, character for character, as Django's `select.html`, `select_option.html` and `attrs.html`
(templates 5.2; lib/tests/test_form_renderer.py renders both ways and compares), escaping and
localising each value as a template would. Every other widget, and a select whose options name
another template, goes through Django's templates as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.safestring import SafeData, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name == SELECT:
            html = select_html(context["widget"])
            if html is not None:
                return html
        return str(super().render(template_name, context, request))


def select_html(widget: Mapping[str, Any]) -> str | None:
    """`select.html` for this widget context, or None when an option has its own template."""
    # As the renderer's engine renders: autoescaping on, localisation and time zone by settings.
    context = Context(autoescape=True)
    parts = [f'<select name="{_text(widget["name"], context)}"', _attrs(widget["attrs"], context)]
    parts.append(">")
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name, context)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION:
                return None
            parts.append(
                f'\n  <option value="{_formatted(option["value"], context)}"'
                f"{_attrs(option['attrs'], context)}>{_text(option['label'], context)}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _text(value: Any, context: Context) -> str:
    """{{ value }}"""
    return str(render_value_in_context(value, context))


def _formatted(value: Any, context: Context) -> str:
    """{{ value|stringformat:'s' }}: the filter keeps a safe string safe."""
    safe = isinstance(value, SafeData)
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031  (the filter's own formatting, for the same text)
    except (ValueError, TypeError):
        text = ""
    return _text(mark_safe(text) if safe else text, context)  # noqa: S308  (safe came in safe)


def _attrs(attrs: Mapping[str, Any], context: Context) -> str:
    """attrs.html: ` name="value"` for each attribute, the name alone for True, none for False."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(f" {_text(name, context)}")
            if value is not True:
                parts.append(f'="{_formatted(value, context)}"')
    return "".join(parts)
