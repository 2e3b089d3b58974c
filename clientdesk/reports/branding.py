"""The insurer's branding on the reports that leave the building: a name, an accent colour, a
logo and a PowerPoint template for the decks.

Set by four settings (docs/configuration.md); each is checked when the app starts (a Django
system check, so `clientdesk serve` refuses a colour it cannot read or a logo that is not
there), not when a quarter's reports are made and mailed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks

DEFAULT_COLOUR = "#1F5F8B"
_HEX = re.compile(r"#?([0-9A-Fa-f]{6})")
_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
# The deck uses the title layout (0) and the title-only layout (5) of the template, as
# python-pptx's default template numbers them; a corporate template derived from Office's
# default keeps that order.
LAYOUTS_NEEDED = 6


@dataclass(frozen=True)
class Branding:
    name: str
    colour: str  # "1F5F8B": six hex digits, no "#"
    logo: bytes | None
    logo_type: str  # "image/png" or "image/jpeg" ("" without a logo)
    deck_template: Path | None

    @property
    def rgb(self) -> tuple[int, int, int]:
        return int(self.colour[0:2], 16), int(self.colour[2:4], 16), int(self.colour[4:6], 16)

    @property
    def css_colour(self) -> str:
        return f"#{self.colour}"


class BrandingError(ValueError):
    """A branding setting that cannot be used; the message names the setting."""


def _colour(text: str) -> str:
    match = _HEX.fullmatch(text.strip())
    if match is None:
        raise BrandingError(
            f"CLIENTDESK_REPORT_BRAND_COLOUR must be a colour as #RRGGBB, not {text!r}"
        )
    return match.group(1).upper()


def _logo(path_text: str) -> tuple[bytes | None, str]:
    if not path_text:
        return None, ""
    path = Path(path_text)
    if not path.is_file():
        raise BrandingError(f"CLIENTDESK_REPORT_BRAND_LOGO: no file at {path}")
    content = path.read_bytes()
    for magic, kind in _IMAGE_MAGIC.items():
        if content.startswith(magic):
            return content, kind
    raise BrandingError(f"CLIENTDESK_REPORT_BRAND_LOGO: {path} is not a PNG or JPEG image")


def _template(path_text: str) -> Path | None:
    if not path_text:
        return None
    path = Path(path_text)
    if not path.is_file():
        raise BrandingError(f"CLIENTDESK_REPORT_DECK_TEMPLATE: no file at {path}")
    from pptx import Presentation  # the deck's library; loaded only when a template is set

    try:
        layouts = len(Presentation(str(path)).slide_layouts)
    except Exception as error:  # python-pptx raises several kinds for a file that is not a deck
        raise BrandingError(
            f"CLIENTDESK_REPORT_DECK_TEMPLATE: {path} is not a PowerPoint file ({error})"
        ) from None
    if layouts < LAYOUTS_NEEDED:
        raise BrandingError(
            f"CLIENTDESK_REPORT_DECK_TEMPLATE: {path} has {layouts} slide layouts; the deck "
            f"needs Office's first {LAYOUTS_NEEDED} (title, ..., title only)"
        )
    return path


def branding() -> Branding:
    """The branding the settings name, read and checked now."""
    logo, logo_type = _logo(settings.REPORT_BRAND_LOGO)
    return Branding(
        name=settings.REPORT_BRAND_NAME,
        colour=_colour(settings.REPORT_BRAND_COLOUR or DEFAULT_COLOUR),
        logo=logo,
        logo_type=logo_type,
        deck_template=_template(settings.REPORT_DECK_TEMPLATE),
    )


def check_branding(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The system check: one error per unusable branding setting."""
    try:
        branding()
    except BrandingError as error:
        return [checks.Error(str(error), id="clientdesk.reports.E001")]
    return []
