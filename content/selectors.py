"""Reads for the anatomy knowledge base: the glossary pages, the glossary linker and lesson sidebars."""

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.html import strip_tags

from .models import ActionLevel, BodyZone, Muscle, RedFlag, Region

# Phrases a lesson may use that contain a glossary term but name something else: they are matched
# (so the shorter term inside is not) and never linked. Psoas minor is not psoas major.
GLOSSARY_STOP_PHRASES = ("psoas minor",)

SEVERITY = [
    ActionLevel.EMERGENCY,
    ActionLevel.REFER_URGENT,
    ActionLevel.REFER_ROUTINE,
    ActionLevel.TREAT_WITH_CARE,
]
GLOSSARY_FIELDS = ("id", "name", "slug", "aliases", "region", "summary", "updated_at")
_NOT_TEXT_KEYS = {"id", "type", "anchor", "url", "file_name", "image", "muscle", "red_flag"}


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
        {"level": level.value, "label": level.label, "flags": grouped[level.value]}
        for level in SEVERITY
        if level.value in grouped
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
    pattern: re.Pattern | None
    entries: dict[str, GlossaryEntry | None] = field(default_factory=dict)  # None: a stop phrase
    muscles_by_id: dict[int, Muscle] = field(default_factory=dict)

    def entry_for(self, matched: str) -> GlossaryEntry | None:
        return self.entries.get(term_key(matched))

    def mentions(self, text: str) -> Iterator[tuple[re.Match, GlossaryEntry]]:
        if self.pattern is None or not text:
            return
        for match in self.pattern.finditer(text):
            entry = self.entry_for(match.group(0))
            if entry is not None:
                yield match, entry


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
    owners: dict[str, list[Muscle]] = {}
    spelling: dict[str, str] = {}
    names: dict[str, Muscle] = {}
    for muscle in muscles:
        names[term_key(muscle.name)] = muscle
        for alias in muscle.aliases or []:
            key = term_key(alias)
            if key and muscle not in owners.setdefault(key, []):
                owners[key].append(muscle)
                spelling.setdefault(key, alias.strip())
    entries: dict[str, GlossaryEntry | None] = {}
    for key, group in owners.items():
        entries[key] = _muscle_entry(group[0]) if len(group) == 1 else _group_entry(spelling[key], group)
    for key, muscle in names.items():  # a muscle's own name wins over another muscle's alias
        entries[key] = _muscle_entry(muscle)
    for phrase in GLOSSARY_STOP_PHRASES:
        entries[term_key(phrase)] = None
    return GlossaryMatcher(
        pattern=_terms_pattern(entries) if entries else None,
        entries=entries,
        muscles_by_id={m.pk: m for m in muscles},
    )


def term_key(term: str) -> str:
    """Case, apostrophe and spacing-insensitive key: "IT-band", "it  band" and "IT band" agree."""
    return " ".join(re.split(r"[\s\-]+", term.replace("’", "'").casefold())).strip()


def _terms_pattern(entries: dict) -> re.Pattern:
    alternatives = [_term_regex(key) for key in sorted(entries, key=len, reverse=True)]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _term_regex(key: str) -> str:
    parts = [re.escape(part).replace("'", "['’]") for part in key.split(" ")]
    return r"[\s\-]+".join(parts)


def _muscle_entry(muscle: Muscle) -> GlossaryEntry:
    return GlossaryEntry(
        key=f"muscle:{muscle.slug}",
        href=reverse("content:muscle_detail", args=[muscle.slug]),
        title=f"{muscle.name} in the anatomy glossary",
        muscles=(muscle,),
    )


def _group_entry(alias: str, group: list[Muscle]) -> GlossaryEntry:
    names = sorted(m.name for m in group)
    return GlossaryEntry(
        key="group:" + ",".join(sorted(m.slug for m in group)),
        href=reverse("content:muscle_list") + "?" + urlencode({"q": alias}),
        title=f"{alias[:1].upper()}{alias[1:]}: {', '.join(names[:-1])} and {names[-1]}",
        muscles=tuple(sorted(group, key=lambda m: m.name)),
    )


# ---------------------------------------------------------------- mentions


def muscles_mentioned(text: str, *, matcher: GlossaryMatcher | None = None) -> list[Muscle]:
    """The muscles a text (plain or HTML) names, by name or alias, in order of first mention.

    A term shared by several muscles ("hamstrings") counts for each of them. The Muscle objects
    carry the glossary fields only (name, slug, aliases, region, summary); they are shared, read-only.
    """
    matcher = matcher or glossary_matcher()
    found: dict[int, Muscle] = {}
    for _, entry in matcher.mentions(html.unescape(strip_tags(text or ""))):
        for muscle in entry.muscles:
            found.setdefault(muscle.pk, muscle)
    return list(found.values())


def muscles_in_module(module, *, matcher: GlossaryMatcher | None = None) -> list[Muscle]:
    """Muscles a lesson module covers: its muscle cards and every mention in its blocks' text.

    For a "Muscles in this lesson" sidebar. Reads the StreamField's raw data, so no block is
    rendered and no snippet is fetched; one query in all (the matcher's stamp).
    """
    matcher = matcher or glossary_matcher()
    found: dict[int, Muscle] = {}
    for block in module.body.raw_data:
        value = block.get("value")
        if block.get("type") == "muscle_card" and isinstance(value, dict):
            muscle = matcher.muscles_by_id.get(_as_int(value.get("muscle")))
            if muscle is not None:
                found.setdefault(muscle.pk, muscle)
        for muscle in muscles_mentioned(" ".join(_texts(value)), matcher=matcher):
            found.setdefault(muscle.pk, muscle)
    return list(found.values())


def _texts(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_TEXT_KEYS:
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item.get("value") if isinstance(item, dict) and "value" in item else item)


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
