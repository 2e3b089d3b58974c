"""A course's certificate of completion as a PDF: HTML printed by WeasyPrint, as the reports
app prints its PDFs (reports/pdf.py), once, when the certificate is issued
(``actions.do_issue_certificate``); from then on the stored file is handed out, checked
against the SHA-256 taken when it was issued."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.template.loader import render_to_string

if TYPE_CHECKING:
    from clientdesk.team.models import Certificate, TrainingAssignment


class CertificateAltered(RuntimeError):
    """The stored file no longer matches the fingerprint taken when it was issued."""


def certificate_html(assignment: TrainingAssignment) -> str:
    return render_to_string("team/certificate.html", {"a": assignment})


def certificate_pdf(assignment: TrainingAssignment) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, which only PDFs need

    pdf: bytes = HTML(string=certificate_html(assignment), base_url=None).write_pdf()
    return pdf


def stored_certificate(certificate: Certificate) -> bytes:
    """The PDF as it was issued; refused when the file was changed since."""
    with certificate.file.open("rb") as handle:
        pdf: bytes = handle.read()
    if hashlib.sha256(pdf).hexdigest() != certificate.sha256:
        raise CertificateAltered(
            f"The stored file of certificate {certificate.number} does not match the "
            "fingerprint taken when it was issued; it is not handed out."
        )
    return pdf
