"""A course's certificate of completion as a PDF: HTML printed by WeasyPrint, as the reports
app prints its PDFs (reports/pdf.py), from the certificate made at completion (its number,
date, holder's name and course as they were then), once, the first time it is opened
(``actions.do_print_certificate``); from then on the stored file is handed out, checked
against the SHA-256 taken when it was printed."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.template.loader import render_to_string

if TYPE_CHECKING:
    from clientdesk.team.models import Certificate


class CertificateAltered(RuntimeError):
    """The stored file no longer matches the fingerprint taken when it was issued."""


def certificate_html(certificate: Certificate) -> str:
    return render_to_string("team/certificate.html", {"c": certificate})


def certificate_pdf(certificate: Certificate) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, which only PDFs need

    pdf: bytes = HTML(string=certificate_html(certificate), base_url=None).write_pdf()
    return pdf


def stored_certificate(certificate: Certificate) -> bytes:
    """The PDF as it was printed; refused when the file was changed since."""
    with certificate.file.open("rb") as handle:
        pdf: bytes = handle.read()
    if hashlib.sha256(pdf).hexdigest() != certificate.sha256:
        raise CertificateAltered(
            f"The stored file of certificate {certificate.number} does not match the "
            "fingerprint taken when it was printed; it is not handed out."
        )
    return pdf
