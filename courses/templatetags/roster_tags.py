from django import template

register = template.Library()


@register.filter
def minutes(seconds) -> str:
    """Seconds as "1 h 05 min" or "42 min" (the roster's time on task)."""
    if seconds is None:
        return "—"
    hours, mins = divmod(round(seconds / 60), 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"
