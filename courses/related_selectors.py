"""The glossary's links back to the lessons: the live modules that mention a muscle (reads; split from
courses/selectors.py, which re-exports these names)."""

from __future__ import annotations

from django.db.models import Q

from content.models import Muscle
from content.selectors import glossary_matcher, muscles_in_module

from .models import CoursePage, ModulePage

RELATED_MODULES_LIMIT = 8


def related_modules(*, muscle: Muscle, limit: int = RELATED_MODULES_LIMIT) -> list[dict]:
    """Live, public lesson modules that mention the muscle (name, alias or muscle card), in course order.

    The database narrows the modules with a case-insensitive text match on the stored StreamField
    JSON (one query; a term or the muscle card's id); the exact rule, whole words and stop phrases,
    is then applied in Python with the same matcher as the glossary links. One more query fetches
    the courses. No index to keep in sync, and the cost does not grow with the number of muscles.
    """
    query = Q(body__icontains=f'"muscle": {muscle.pk}')
    for term in {muscle.name, *muscle.aliases}:
        query |= Q(body__icontains=term)
    candidates = ModulePage.objects.live().public().filter(query).order_by("path")[: limit * 4]
    matcher = glossary_matcher()
    modules = [m for m in candidates if muscle.pk in {x.pk for x in muscles_in_module(m, matcher=matcher)}][
        :limit
    ]
    if not modules:
        return []
    parent_paths = {m.path[: -m.steplen] for m in modules}
    courses = {
        c.path: c for c in CoursePage.objects.filter(path__in=parent_paths).only("id", "title", "path")
    }
    return [{"module": m, "course": courses.get(m.path[: -m.steplen])} for m in modules]
