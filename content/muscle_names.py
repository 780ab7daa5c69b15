"""One rule for finding muscle names in text, shared by the glossary links, the article importer and
the question generator.

Pure: built from any rows with ``slug``, ``name`` and ``aliases`` (Muscle objects, the generator's
MuscleFacts, or MuscleRow tuples), no database. The rule:

- a muscle's name and each of its aliases, in any case; spaces, hyphens and ’/' are interchangeable
  ("IT-band", "it  band" and "IT band" agree);
- whole words only, and a hyphenated compound is one word ("psoasish" and "Illio-Psoas" name nothing);
- the longest term wins where terms overlap ("psoas major" before "psoas");
- a muscle's own name wins over another muscle's alias;
- an alias several muscles share ("hamstrings") names all of them (a shared term, ``is_shared``);
- stop phrases ("psoas minor") are matched, so the shorter term inside is not, and name nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

# Phrases a text may use that contain a muscle's term but name something else. Psoas minor is not psoas major.
STOP_PHRASES = ("psoas minor",)


class MuscleRow(NamedTuple):
    """The three fields the matcher reads, for callers that hold plain values."""

    slug: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class MuscleTerm:
    """What a matched term names. ``key`` identifies "the same thing" for first-mention-only linking."""

    key: str  # "muscle:<slug>" or, for a shared alias, "group:<slug>,<slug>,..."
    spelling: str  # as the knowledge base writes it
    muscles: tuple  # the rows it names, one unless the term is shared
    is_name: bool = False  # the muscle's own name, not an alias

    @property
    def is_shared(self) -> bool:
        return len(self.muscles) > 1

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(m.slug for m in self.muscles)


@dataclass(frozen=True)
class MuscleNames:
    pattern: re.Pattern | None
    terms: dict[str, MuscleTerm | None] = field(default_factory=dict)  # term_key -> term; None: a stop phrase

    @classmethod
    def build(cls, muscles: Iterable, *, stop_phrases: Iterable[str] = STOP_PHRASES) -> MuscleNames:
        muscles = list(muscles)
        terms: dict[str, MuscleTerm | None] = dict(_alias_terms(muscles))
        for muscle in muscles:  # a muscle's own name wins over another muscle's alias
            terms[term_key(muscle.name)] = MuscleTerm(
                f"muscle:{muscle.slug}", muscle.name.strip(), (muscle,), is_name=True
            )
        for phrase in stop_phrases:
            terms[term_key(phrase)] = None
        terms.pop("", None)
        return cls(pattern=_terms_pattern(terms) if terms else None, terms=terms)

    def term_for(self, matched: str) -> MuscleTerm | None:
        return self.terms.get(term_key(matched))

    def mentions(self, text: str) -> Iterator[tuple[re.Match, MuscleTerm]]:
        """Every mention in a plain text, in order (stop phrases left out)."""
        if self.pattern is None or not text:
            return
        for match in self.pattern.finditer(text):
            term = self.term_for(match.group(0))
            if term is not None:
                yield match, term

    def muscles_in(self, text: str) -> list:
        """The rows a plain text names, in order of first mention; a shared term counts for each muscle."""
        found: dict[str, object] = {}
        for _, term in self.mentions(text):
            for muscle in term.muscles:
                found.setdefault(muscle.slug, muscle)
        return list(found.values())


def muscle_names_from_rows(rows: Iterable[tuple[str, str, Iterable[str]]]) -> MuscleNames:
    """From (slug, name, aliases) tuples, e.g. ``Muscle.objects.values_list("slug", "name", "aliases")``."""
    return MuscleNames.build(MuscleRow(slug, name, tuple(aliases or ())) for slug, name, aliases in rows)


def term_key(term: str) -> str:
    """Case, apostrophe and spacing-insensitive key: "IT-band", "it  band" and "IT band" agree."""
    return " ".join(re.split(r"[\s\-]+", term.replace("’", "'").casefold())).strip()


def _alias_terms(muscles: list) -> Iterator[tuple[str, MuscleTerm]]:
    owners: dict[str, list] = {}
    spelling: dict[str, str] = {}
    for muscle in muscles:
        for alias in muscle.aliases or ():
            key = term_key(alias) if isinstance(alias, str) else ""
            if key and muscle not in owners.setdefault(key, []):
                owners[key].append(muscle)
                spelling.setdefault(key, alias.strip())
    for key, group in owners.items():
        if len(group) == 1:
            yield key, MuscleTerm(f"muscle:{group[0].slug}", spelling[key], (group[0],))
        else:
            group = sorted(group, key=lambda m: m.name)
            yield (
                key,
                MuscleTerm("group:" + ",".join(sorted(m.slug for m in group)), spelling[key], tuple(group)),
            )


def _terms_pattern(terms: dict) -> re.Pattern:
    alternatives = [_term_regex(key) for key in sorted(terms, key=len, reverse=True)]
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])", re.IGNORECASE)


def _term_regex(key: str) -> str:
    parts = [re.escape(part).replace("'", "['’]") for part in key.split(" ")]
    return r"[\s\-]+".join(parts)
