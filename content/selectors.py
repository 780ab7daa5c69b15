"""Reads for the anatomy knowledge base: the glossary pages, the glossary linker and lesson sidebars."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Max, Q
from django.urls import reverse

from .models import ACTION_LEVEL_DEFINITIONS, ActionLevel, BodyZone, Muscle, RedFlag, Region
from .muscle_names import MuscleNames, MuscleTerm
from .streamfield_text import plain_text, raw_blocks, value_text

SEVERITY = list(ActionLevel)  # most urgent first
GLOSSARY_FIELDS = ("id", "name", "slug", "aliases", "region", "summary", "updated_at")


# ---------------------------------------------------------------- glossary pages


def muscle_glossary(*, q: str = "", region: str = "") -> list[dict]:
    """Muscles grouped by region (in Region order), filtered by a search text and a region. One query."""
    muscles = Muscle.objects.only(*GLOSSARY_FIELDS).order_by("name")
    if region in Region.values:
        muscles = muscles.filter(region=region)
    if q:
        muscles = muscles.filter(Q(name__icontains=q) | Q(aliases__icontains=q) | Q(summary__icontains=q))
    by_region: dict[str, list[Muscle]] = {}
    for muscle in muscles:
        by_region.setdefault(muscle.region, []).append(muscle)
    return [
        {"region": value, "label": label, "muscles": by_region[value]}
        for value, label in Region.choices
        if value in by_region
    ]


def muscle_detail(*, slug: str) -> Muscle | None:
    return Muscle.objects.prefetch_related("referred_zones").filter(slug=slug).first()


def zones_by_view(zones: Iterable[BodyZone]) -> dict[str, list[BodyZone]]:
    """{'front': [...], 'back': [...]} in figure order; a view with no zone is left out."""
    grouped: dict[str, list[BodyZone]] = {}
    for zone in sorted(zones, key=lambda z: (z.view != "front", z.sort_order, z.name)):
        grouped.setdefault(zone.view, []).append(zone)
    return grouped


def red_flags_by_level(*, levels: Iterable[str] | None = None) -> list[dict]:
    """Red flags grouped by action level, most urgent first; within a level in loading (reference) order."""
    flags = RedFlag.objects.order_by("pk")
    if levels is not None:
        flags = flags.filter(action_level__in=list(levels))
    grouped: dict[str, list[RedFlag]] = {}
    for flag in flags:
        grouped.setdefault(flag.action_level, []).append(flag)
    return [
        {
            "level": level.value,
            "label": level.label,
            "definition": ACTION_LEVEL_DEFINITIONS[level],
            "flags": grouped[level.value],
        }
        for level in SEVERITY
        if level.value in grouped
    ]


def action_levels() -> list[dict]:
    """The one triage scale, most urgent first, with the reference's definition of each level."""
    return [
        {"level": level.value, "label": level.label, "definition": ACTION_LEVEL_DEFINITIONS[level]}
        for level in SEVERITY
    ]


# ---------------------------------------------------------------- the glossary matcher


@dataclass(frozen=True)
class GlossaryEntry:
    """What a matched term links to. key identifies "the same thing" for first-mention-only linking."""

    key: str
    href: str
    title: str
    muscles: tuple[Muscle, ...]


@dataclass
class GlossaryMatcher:
    """The shared muscle matcher (content/muscle_names.py) with the glossary page each term links to."""

    names: MuscleNames
    entries: dict[str, GlossaryEntry] = field(default_factory=dict)  # MuscleTerm.key -> entry
    muscles_by_id: dict[int, Muscle] = field(default_factory=dict)

    @property
    def pattern(self) -> re.Pattern | None:
        return self.names.pattern

    def entry_for(self, matched: str) -> GlossaryEntry | None:
        term = self.names.term_for(matched)
        return self.entries[term.key] if term is not None else None

    def mentions(self, text: str) -> Iterator[tuple[re.Match, GlossaryEntry]]:
        for match, term in self.names.mentions(text):
            yield match, self.entries[term.key]


_matcher_cache: tuple[tuple, GlossaryMatcher] | None = None


def glossary_matcher() -> GlossaryMatcher:
    """The compiled matcher for every muscle name and alias, rebuilt only when muscles change.

    Costs one aggregate query per call (count, newest updated_at, highest id), which notices edits,
    additions and deletions made anywhere: admin, loader or shell.
    """
    global _matcher_cache
    stamp = tuple(Muscle.objects.aggregate(n=Count("id"), latest=Max("updated_at"), top=Max("id")).values())
    cached = _matcher_cache
    if cached is not None and cached[0] == stamp:
        return cached[1]
    matcher = matcher_build(Muscle.objects.only(*GLOSSARY_FIELDS).order_by("name"))
    _matcher_cache = (stamp, matcher)
    return matcher


def matcher_build(muscles: Iterable[Muscle]) -> GlossaryMatcher:
    muscles = list(muscles)
    names = MuscleNames.build(muscles)
    terms = {term.key: term for term in names.terms.values() if term is not None}
    return GlossaryMatcher(
        names=names,
        entries={key: _entry(term) for key, term in terms.items()},
        muscles_by_id={m.pk: m for m in muscles},
    )


def _entry(term: MuscleTerm) -> GlossaryEntry:
    if not term.is_shared:
        (muscle,) = term.muscles
        return GlossaryEntry(
            key=term.key,
            href=reverse("content:muscle_detail", args=[muscle.slug]),
            title=f"{muscle.name} in the anatomy glossary",
            muscles=term.muscles,
        )
    names = [m.name for m in term.muscles]  # sorted by name
    alias = term.spelling
    return GlossaryEntry(
        key=term.key,
        href=reverse("content:muscle_list") + "?" + urlencode({"q": alias}),
        title=f"{alias[:1].upper()}{alias[1:]}: {', '.join(names[:-1])} and {names[-1]}",
        muscles=term.muscles,
    )


# ---------------------------------------------------------------- mentions


def muscles_mentioned(text: str, *, matcher: GlossaryMatcher | None = None) -> list[Muscle]:
    """The muscles a text (plain or HTML) names, by name or alias, in order of first mention.

    A term shared by several muscles ("hamstrings") counts for each of them. The Muscle objects
    carry the glossary fields only (name, slug, aliases, region, summary); they are shared, read-only.
    """
    matcher = matcher or glossary_matcher()
    return matcher.names.muscles_in(plain_text(text))


def muscles_in_module(module, *, matcher: GlossaryMatcher | None = None) -> list[Muscle]:
    """Muscles a lesson module covers: its muscle cards and every mention in its blocks' text.

    For a "Muscles in this lesson" sidebar. Reads the StreamField's raw data, so no block is
    rendered and no snippet is fetched; one query in all (the matcher's stamp).
    """
    matcher = matcher or glossary_matcher()
    found: dict[int, Muscle] = {}
    for block_type, value in raw_blocks(module.body):
        if block_type == "muscle_card" and isinstance(value, dict):
            muscle = matcher.muscles_by_id.get(_as_int(value.get("muscle")))
            if muscle is not None:
                found.setdefault(muscle.pk, muscle)
        for muscle in muscles_mentioned(value_text(value), matcher=matcher):
            found.setdefault(muscle.pk, muscle)
    return list(found.values())


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
