"""Spreadsheet cells that cannot run as formulas (OWASP "CSV injection").

A cell that starts with =, +, -, @, a tab or a carriage return is a formula to Excel and
LibreOffice (a learner could call themselves "=HYPERLINK(...)"); such text gets a leading
apostrophe, which spreadsheets show as text. Numbers are written as numbers (a negative
discrimination index stays -0.25). Every CSV the project writes goes through `safe_cell`: its own
exports (courses/exports.py) and the admin's snippet listings (FormulaSafeExport).
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

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


class FormulaSafeExport:
    """For a Wagtail listing view with `list_export`: its CSV download defuses formulas like ours.
    (Wagtail's XLSX download already stores formula-looking text as text.)"""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return safe_cell(value) if export_format == self.FORMAT_CSV else value


class FormulaSafeSnippetIndexView(FormulaSafeExport, SnippetIndexView):
    pass
