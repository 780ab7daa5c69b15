"""Number formats of the insight pages; None (no data) prints as a dash."""

from django import template

register = template.Library()
DASH = "—"


@register.filter
def decimal2(value):
    return DASH if value is None else f"{value:.2f}"


@register.filter
def pct_number(value):
    """A score already in percent: one decimal."""
    return DASH if value is None else f"{float(value):.1f}"


@register.filter
def share(value):
    """A fraction 0..1 as a whole percent."""
    return DASH if value is None else f"{round(100 * value)}%"
