"""{% render_panel panel %}: one app's panel of an account tab, in the page's context (the
account, what the reader may do, the CSRF token) plus the context the app built."""

from __future__ import annotations

from django import template
from django.template import Engine
from django.utils.safestring import SafeString

from clientdesk.lib.panels import Panel

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context: template.Context, panel: Panel) -> SafeString:
    engine = context.template.engine if context.template else Engine.get_default()
    panel_template = engine.get_template(panel.template)
    with context.push(**panel.context):
        return SafeString(panel_template.render(context))
