"""`file_download`: bytes sent whole, chunks streamed, the file name always quoted."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse

from clientdesk.lib.downloads import file_download


def test_bytes_are_sent_whole_with_the_name() -> None:
    response = file_download(b"a,b\n1,2\n", filename="book-2026Q1.csv", content_type="text/csv")
    assert isinstance(response, HttpResponse)
    assert response.content == b"a,b\n1,2\n"
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="book-2026Q1.csv"'


def test_chunks_are_streamed() -> None:
    response = file_download(
        iter(["a,b\n", "1,2\n"]), filename="inquiries.csv", content_type="text/csv"
    )
    assert isinstance(response, StreamingHttpResponse)
    assert b"".join(response.streaming_content) == b"a,b\n1,2\n"  # type: ignore[arg-type]


def test_quotes_and_accents_cannot_break_the_header() -> None:
    quoted = file_download(b"x", filename='O"Neil.csv', content_type="text/csv")
    assert quoted["Content-Disposition"] == 'attachment; filename="O\\"Neil.csv"'
    accented = file_download(b"x", filename="Société.csv", content_type="text/csv")
    assert accented["Content-Disposition"] == "attachment; filename*=utf-8''Soci%C3%A9t%C3%A9.csv"
