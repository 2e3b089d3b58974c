"""The insurer's branding on the decks and PDFs, checked at start-up; and the deck as an
office suite draws it (LibreOffice, headless), not only as python-pptx reads it back."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pptx import Presentation
from pypdf import PdfReader

from clientdesk.reports.branding import check_branding
from clientdesk.reports.deck import render_deck
from clientdesk.reports.documents import Column, ReportDocument, Section, Table
from clientdesk.reports.pdf import _html
from clientdesk.reports.tests.files import deck_slides

# A 1 x 1 PNG (a red pixel): enough for a logo the deck and the PDF must carry.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763"
    "f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def _document() -> ReportDocument:
    return ReportDocument(
        kind="stewardship",
        title="Acme Steel Works — stewardship report",
        subtitle="Q1 2026 · group G100001",
        period_code="2026Q1",
        period_label="Q1 2026",
        data_period="Jan 1, 2026 – Mar 31, 2026",
        paid_through=dt.date(2026, 4, 30),
        generated_at=dt.datetime(2026, 5, 2, 14, 0, tzinfo=dt.UTC),
        generated_by="Mia Manager",
        sections=[
            Section(
                "summary",
                "Executive summary",
                bullets=["Paid PMPM $412.50, up 3.1 % on the year before."],
                tables=[
                    Table(
                        "Headlines",
                        "Headline figures",
                        "Final-action claim lines",
                        [Column("Figure"), Column("Value", "money")],
                        [["Paid PMPM", 412.5], ["Allowed PMPM", 498.0]],
                    )
                ],
            )
        ],
    )


@pytest.fixture
def brand(settings: object, tmp_path: Path) -> Path:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    settings.REPORT_BRAND_NAME = "Lakeside Health Plan"  # type: ignore[attr-defined]
    settings.REPORT_BRAND_COLOUR = "#7a1f5c"  # type: ignore[attr-defined]
    settings.REPORT_BRAND_LOGO = str(logo)  # type: ignore[attr-defined]
    return tmp_path


def test_the_deck_wears_the_insurers_colour_logo_and_name(brand: Path) -> None:
    content = render_deck(_document(), {})
    prs = Presentation(io.BytesIO(content))
    title = prs.slides[0].shapes.title
    assert title is not None
    assert str(title.text_frame.paragraphs[0].font.color.rgb) == "7A1F5C"
    slides = deck_slides(content)
    assert slides[0]["pictures"] == 1  # the logo
    assert "Lakeside Health Plan · Acme Steel Works" in slides[1]["text"]  # the footer


def test_the_deck_is_built_on_the_insurers_template(settings: object, brand: Path) -> None:
    template = Presentation()
    template.slides.add_slide(template.slide_layouts[6])  # a sample slide, to be left out
    path = brand / "house.pptx"
    template.save(str(path))
    settings.REPORT_DECK_TEMPLATE = str(path)  # type: ignore[attr-defined]
    with_template = deck_slides(render_deck(_document(), {}))
    settings.REPORT_DECK_TEMPLATE = ""  # type: ignore[attr-defined]
    assert [s["title"] for s in with_template] == [
        s["title"] for s in deck_slides(render_deck(_document(), {}))
    ]


def test_the_pdf_wears_them_too(brand: Path) -> None:
    html = _html(_document(), {})
    assert "h1 { color: #7A1F5C" in html
    assert '<img class="logo" src="data:image/png;base64,' in html
    assert "Lakeside Health Plan · Acme Steel Works" in html


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("REPORT_BRAND_COLOUR", "navy", "must be a colour as #RRGGBB, not 'navy'"),
        ("REPORT_BRAND_LOGO", "/nowhere/logo.png", "no file at /nowhere/logo.png"),
        ("REPORT_DECK_TEMPLATE", "/nowhere/house.pptx", "no file at /nowhere/house.pptx"),
    ],
)
def test_a_bad_setting_stops_the_start_with_its_name(
    settings: object, name: str, value: str, message: str
) -> None:
    setattr(settings, name, value)
    [error] = check_branding()
    assert f"CLIENTDESK_{name}" in error.msg and message in error.msg
    with pytest.raises(SystemCheckError, match=f"CLIENTDESK_{name}"):
        call_command("check")


def test_a_logo_must_be_an_image(settings: object, tmp_path: Path) -> None:
    fake = tmp_path / "logo.png"
    fake.write_text("not an image")
    settings.REPORT_BRAND_LOGO = str(fake)  # type: ignore[attr-defined]
    [error] = check_branding()
    assert "is not a PNG or JPEG image" in error.msg


OFFICE = shutil.which("soffice")
REQUIRED = os.environ.get("CLIENTDESK_REQUIRE_BROWSER", "").lower() == "true"


@pytest.mark.skipif(OFFICE is None and not REQUIRED, reason="LibreOffice is not installed")
def test_libreoffice_draws_every_slide(brand: Path) -> None:
    """Each slide becomes a page with its own title, and the title slide an image that is not
    blank: the deck opens and draws in an office suite, as a sponsor's PowerPoint would."""
    assert OFFICE is not None, (
        "install LibreOffice (make test does): apt-get install libreoffice-impress-nogui"
    )
    deck = brand / "deck.pptx"
    content = render_deck(_document(), {})
    deck.write_bytes(content)
    profile = brand / "office-profile"  # its own profile: parallel tests do not share one
    for target in ("pdf", "png"):
        subprocess.run(  # noqa: S603 - our own file, converted by the office suite we found
            [
                OFFICE,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(brand),
                str(deck),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    pages = PdfReader(brand / "deck.pdf").pages
    titles = [s["title"] for s in deck_slides(content)]
    assert len(pages) == len(titles)
    for page, title in zip(pages, titles, strict=True):
        assert title.split(" — ")[0] in page.extract_text()
    image = (brand / "deck.png").read_bytes()
    assert image.startswith(b"\x89PNG") and len(image) > 5_000  # a drawn slide, not a blank
