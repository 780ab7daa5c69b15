"""CSV files that open cleanly in Excel: UTF-8 with a byte-order mark, formula-injection-safe cells.

A cell that starts with =, +, -, @, a tab or a carriage return is a formula to Excel and
LibreOffice (a learner could call themselves "=HYPERLINK(...)"); such text cells get a leading
apostrophe, which spreadsheets show as text. Numbers are written as numbers (a negative
discrimination index stays -0.25). Rows are streamed, so a large roster never sits in memory.
"""

import csv
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value ready for csv.writer: text defused, numbers untouched, dates in ISO format."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterable[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def export_filename(*parts: str, extension: str = "csv") -> str:
    """An ASCII file name from slugs and today's date: roster-massage-for-low-back-pain-2025-01-31.csv."""
    from django.utils.text import slugify

    stem = "-".join(filter(None, (slugify(p) for p in parts)))
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"
