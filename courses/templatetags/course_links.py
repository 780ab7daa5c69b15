"""Links from the knowledge base (a lower layer) back to the lessons that teach it."""

from django import template

from courses.related_selectors import related_modules as related_modules_selector

register = template.Library()


@register.simple_tag
def related_modules(muscle):
    """The live lesson modules that mention `muscle`, with their courses (courses.related_selectors.related_modules)."""
    return related_modules_selector(muscle=muscle)
