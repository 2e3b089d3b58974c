"""Start-up checks of the inquiry settings (run by `clientdesk check` and every command)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from clientdesk.inquiries import conf
from clientdesk.inquiries.models import RoutingMethod


@register()
def inquiry_settings(app_configs: Any, **kwargs: Any) -> list[Error]:
    problems: list[Error] = []
    try:
        conf.sla_rules()
    except ValueError as error:
        problems.append(Error(str(error), id="clientdesk.E101"))
    if conf.ROUTING not in RoutingMethod.values:
        problems.append(
            Error(
                f"CLIENTDESK_INQUIRY_ROUTING is {conf.ROUTING!r}",
                hint=f"Use one of: {', '.join(RoutingMethod.values)}.",
                id="clientdesk.E102",
            )
        )
    if conf.ATTACHMENT_MAX_MB < 1:
        problems.append(
            Error("CLIENTDESK_ATTACHMENT_MAX_MB must be at least 1", id="clientdesk.E103")
        )
    return problems
