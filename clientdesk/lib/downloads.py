"""The one way a page hands the browser a file to save (exports, reports, attachments)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import overload

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header


@overload
def file_download(content: bytes, *, filename: str, content_type: str) -> HttpResponse: ...


@overload
def file_download(
    content: Iterable[bytes | str], *, filename: str, content_type: str
) -> StreamingHttpResponse: ...


def file_download(
    content: bytes | Iterable[bytes | str], *, filename: str, content_type: str
) -> HttpResponse | StreamingHttpResponse:
    """A response the browser saves as `filename`: bytes are sent whole, any other iterable
    of chunks is streamed as it is produced. The name is quoted as RFC 6266 asks (a name
    with quotes or accents, as a sponsor's may have, gets `filename*`), so it cannot break
    the header."""
    response: HttpResponse | StreamingHttpResponse
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
