"""CSV files that open cleanly in Excel: UTF-8 with a byte-order mark, every cell through
content.spreadsheets.safe_cell (no formulas). Rows are streamed, so a large roster never sits in memory.
"""

import csv
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

from content.spreadsheets import safe_cell

BOM = "\ufeff"


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(
    filename: str, header: list[str], rows: Iterable[Iterable], *, streaming: bool = True
) -> HttpResponse | StreamingHttpResponse:
    """A CSV attachment; `streaming=False` for small files (one learner's transcript)."""
    response_class = StreamingHttpResponse if streaming else HttpResponse
    response = response_class(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def export_filename(*parts: str, extension: str = "csv") -> str:
    """An ASCII file name from slugs and today's date: roster-massage-for-low-back-pain-2025-01-31.csv."""
    stem = "-".join(filter(None, (slugify(p) for p in parts)))
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"
