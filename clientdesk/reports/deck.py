"""The deck (PPTX, python-pptx): a title slide, then for each section its points, its charts
(PNG from the pages' Vega-Lite specs) and its tables; each slide's notes say in words where
the figures come from. The executive deck (`brief=True`) keeps each section's points and only
the charts and tables marked `brief`, one slide each: about 15 slides."""

from __future__ import annotations

import io
from contextvars import ContextVar

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from clientdesk.reports.branding import Branding, branding
from clientdesk.reports.documents import ReportDocument, Section, Table, cell_text

NAVY = RGBColor(0x1F, 0x5F, 0x8B)  # type: ignore[no-untyped-call]
GREY = RGBColor(0x55, 0x5F, 0x6B)  # type: ignore[no-untyped-call]
ROWS_PER_SLIDE = 12
ROWS_PER_SLIDE_LONG_TEXT = 7  # rows whose text wraps onto two or three lines
LONG_TEXT = 45
MAX_SLIDES_PER_TABLE = 3  # the workbook has every row
MAX_COLUMNS = 9

# The insurer's accent colour and name for the deck being made (reports/branding.py).
_ACCENT: ContextVar[RGBColor] = ContextVar("deck_accent", default=NAVY)
_BRAND_NAME: ContextVar[str] = ContextVar("deck_brand_name", default="")

WIDE = Inches(13.333)
HIGH = Inches(7.5)


def _notes(slide: Slide, text: str) -> None:
    frame = slide.notes_slide.notes_text_frame
    if frame is not None:
        frame.text = text


def _title(slide: Slide, text: str) -> None:
    title = slide.shapes.title
    if title is None:  # the layouts used here all have a title placeholder
        raise ValueError("slide layout without a title")
    title.text = text
    # The default template's layouts are 4:3; place the title across the 16:9 slide.
    title.left, title.top, title.width, title.height = (
        Inches(0.5),
        Inches(0.3),
        Inches(12.3),
        Inches(1.0),
    )
    paragraph = title.text_frame.paragraphs[0]
    paragraph.font.size = Pt(24)
    paragraph.font.bold = True
    paragraph.font.color.rgb = _ACCENT.get()


def _footer(slide: Slide, document: ReportDocument) -> None:
    box = slide.shapes.add_textbox(Inches(0.5), Inches(7.0), Inches(12.3), Inches(0.35))
    paragraph = box.text_frame.paragraphs[0]
    brand = _BRAND_NAME.get()
    paragraph.text = " · ".join(
        p for p in (brand, document.title, document.period_label, "confidential") if p
    )
    paragraph.font.size = Pt(10)
    paragraph.font.color.rgb = GREY


def _bullets(slide: Slide, lines: list[str]) -> None:
    box = slide.shapes.add_textbox(Inches(0.6), Inches(1.5), Inches(12.1), Inches(5.3))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = f"•  {line}"
        paragraph.font.size = Pt(18 if len(lines) <= 6 else 15)
        paragraph.space_after = Pt(8)


def _table_slides(
    prs: Deck, document: ReportDocument, table: Table, *, max_slides: int = MAX_SLIDES_PER_TABLE
) -> None:
    shown = [j for j, c in enumerate(table.columns) if c.in_deck][:MAX_COLUMNS]
    columns = [table.columns[j] for j in shown]
    rows_of = [[row[j] for j in shown] for row in table.rows]
    long_text = any(isinstance(v, str) and len(v) > LONG_TEXT for row in rows_of for v in row)
    per_slide = ROWS_PER_SLIDE_LONG_TEXT if long_text else ROWS_PER_SLIDE
    chunks = [rows_of[i : i + per_slide] for i in range(0, len(rows_of), per_slide)]
    chunks = chunks[:max_slides]
    for page, rows in enumerate(chunks):
        slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
        suffix = f" ({page + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        _title(slide, table.title + suffix)
        height = Inches(0.4) * (len(rows) + 1)
        shape = slide.shapes.add_table(
            len(rows) + 1, len(columns), Inches(0.5), Inches(1.4), Inches(12.3), height
        )
        grid = shape.table
        weights = [2.6 if c.kind == "text" else 1.0 for c in columns]
        for j, weight in enumerate(weights):
            grid.columns[j].width = Emu(int(Inches(12.3) * weight / sum(weights)))
        for j, column in enumerate(columns):
            cell = grid.cell(0, j)
            cell.text = column.label
            cell.text_frame.paragraphs[0].font.size = Pt(12)
            cell.text_frame.paragraphs[0].font.bold = True
        for i, row in enumerate(rows, start=1):
            for j, column in enumerate(columns):
                cell = grid.cell(i, j)
                cell.text = cell_text(row[j], column.kind)
                cell.text_frame.paragraphs[0].font.size = Pt(11)
        if table.note:
            box = slide.shapes.add_textbox(Inches(0.5), Inches(6.5), Inches(12.3), Inches(0.4))
            box.text_frame.text = table.note
            box.text_frame.paragraphs[0].font.size = Pt(11)
        more = len(table.rows) - sum(len(c) for c in chunks)
        source = f"Source: {table.source}. Sheet “{table.key}” of the workbook."
        if more > 0:
            source += f" {more} more rows are in the workbook."
        if len(columns) < len(table.columns):
            source += " More columns are in the workbook."
        _notes(slide, source)
        _footer(slide, document)


def _points_slide(prs: Deck, document: ReportDocument, section: Section) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _title(slide, section.title)
    _bullets(slide, section.bullets)
    sources = dict.fromkeys(t.source for t in section.tables)
    if sources:
        _notes(slide, "Where the figures come from: " + "; ".join(sources) + ".")
    _footer(slide, document)


def _section_slides(
    prs: Deck, document: ReportDocument, section: Section, images: dict[str, bytes], brief: bool
) -> None:
    if section.bullets:
        _points_slide(prs, document, section)
    for chart in section.charts:
        if brief and not chart.brief:
            continue
        png = images.get(chart.key)
        if png is None:
            continue
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        _title(slide, chart.title)
        picture = slide.shapes.add_picture(io.BytesIO(png), Inches(0.6), Inches(1.4))
        # Fit the picture in the body area, keeping its proportions.
        box_w, box_h = Inches(12.1), Inches(5.4)
        ratio = min(box_w / picture.width, box_h / picture.height)
        picture.width = int(picture.width * ratio)
        picture.height = int(picture.height * ratio)
        picture.left = int((WIDE - picture.width) / 2)
        _notes(slide, "The same chart as on the account's utilization page.")
        _footer(slide, document)
    for table in section.tables:
        if not table.rows or (brief and not table.brief):
            continue
        _table_slides(prs, document, table, max_slides=1 if brief else MAX_SLIDES_PER_TABLE)


def render_deck(
    document: ReportDocument, images: dict[str, bytes], *, brief: bool = False
) -> bytes:
    """The full deck, or with `brief` the executive deck (each section's points, and only the
    charts and tables marked brief), in the insurer's branding."""
    brand = branding()
    accent = _ACCENT.set(RGBColor(*brand.rgb))  # type: ignore[no-untyped-call]
    name = _BRAND_NAME.set(brand.name)
    try:
        return _render(document, images, brief=brief, brand=brand)
    finally:
        _ACCENT.reset(accent)
        _BRAND_NAME.reset(name)


def _new_deck(brand: Branding) -> Deck:
    """An empty 16:9 deck on the insurer's template (its masters, theme and layouts; any slides
    it holds are left out) or on python-pptx's default."""
    if brand.deck_template is None:
        prs = Presentation()
    else:
        prs = Presentation(str(brand.deck_template))
        slide_ids = prs.slides._sldIdLst
        for slide_id in list(slide_ids):
            prs.part.drop_rel(slide_id.rId)
            slide_ids.remove(slide_id)
    prs.slide_width, prs.slide_height = WIDE, HIGH
    return prs


def _render(
    document: ReportDocument, images: dict[str, bytes], *, brief: bool, brand: Branding
) -> bytes:
    prs = _new_deck(brand)
    title_slide = prs.slides.add_slide(prs.slide_layouts[0])
    _title(title_slide, document.title)
    title_shape = title_slide.shapes.title
    if title_shape is None:
        raise ValueError("title layout without a title")
    title_shape.top, title_shape.height = Inches(2.0), Inches(1.4)
    subtitle = title_slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        Inches(0.5),
        Inches(3.6),
        Inches(12.3),
        Inches(2.0),
    )
    subtitle.text = (
        f"{document.subtitle}\nData: {document.data_period}\nClaims paid through "
        f"{cell_text(document.paid_through, 'date')}"
    )
    if brand.logo is not None:
        title_slide.shapes.add_picture(
            io.BytesIO(brand.logo), Inches(10.3), Inches(0.4), height=Inches(0.9)
        )
    _notes(
        title_slide,
        f"Made on {document.generated_at:%b %-d, %Y} by {document.generated_by}.",
    )
    about = prs.slides.add_slide(prs.slide_layouts[5])
    _title(about, "About these figures")
    lines = [
        f"Data period: {document.data_period}.",
        f"Claims paid through {cell_text(document.paid_through, 'date')}.",
        "Counts of fewer than 11 people are shown as <11; high-cost claimants are de-identified.",
    ]
    lines += [f"Warning: {w}" for w in document.warnings]
    _bullets(about, lines)
    _footer(about, document)
    for section in document.sections:
        _section_slides(prs, document, section, images, brief)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
