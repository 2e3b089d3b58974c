"""A course's certificate of completion as a PDF: HTML printed by WeasyPrint, as the reports
app prints its PDFs (reports/pdf.py)."""

from __future__ import annotations

from django.template.loader import render_to_string

from clientdesk.team.models import TrainingAssignment


def certificate_html(assignment: TrainingAssignment) -> str:
    return render_to_string("team/certificate.html", {"a": assignment})


def certificate_pdf(assignment: TrainingAssignment) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, which only PDFs need

    pdf: bytes = HTML(string=certificate_html(assignment), base_url=None).write_pdf()
    return pdf
