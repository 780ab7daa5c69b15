"""A quiz's blueprint and the draw that follows it, as pure functions over plain rows.

The blueprint is the quiz's selection rules: per rule, a topic (or any), a cognitive level
(recall, application or either), an optional tag and how many questions each attempt takes. The
draw takes that many per rule, never the same question twice and never two questions of one
family (quizzes.generators.families: a red flag, one muscle fact, a reverse pair, one referral
pattern), so no stem answers another.

When the pool cannot satisfy a rule the attempt still gets its length where it can: a rule asking
for a level is topped up from the same topic at any level, and the shortfall is logged and
reported (`Draw.shortfalls`) so staff see it on the quiz's intro page; the draw never fails.

No database here: `quizzes.services.quiz_draw` loads the pool in one query and calls `draw`, and
tests simulate thousands of draws in memory.
"""

import logging
import random
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PoolItem:
    pk: int
    topic: str
    level: str
    family: str = ""
    tags: frozenset[str] = frozenset()

    @property
    def family_key(self) -> str:
        """An empty family is a family of its own."""
        return self.family or f"question:{self.pk}"


@dataclass(frozen=True)
class BlueprintRule:
    count: int
    topic: str = ""
    level: str = ""
    tag: str = ""

    def matches(self, item: PoolItem, *, any_level: bool = False) -> bool:
        return (
            (not self.topic or item.topic == self.topic)
            and (any_level or not self.level or item.level == self.level)
            and (not self.tag or self.tag.lower() in item.tags)
        )

    @property
    def specificity(self) -> int:
        """Narrow rules draw first, so a broad rule does not take the few questions they can use."""
        return 4 * bool(self.level) + 2 * bool(self.tag) + bool(self.topic)


@dataclass(frozen=True)
class Shortfall:
    rule: BlueprintRule
    drawn_as_asked: int
    topped_up: int

    @property
    def missing(self) -> int:
        return self.rule.count - self.drawn_as_asked - self.topped_up


@dataclass
class Draw:
    ids: list[int] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)


def draw(pool: list[PoolItem], rules: list[BlueprintRule], rng: random.Random) -> Draw:
    """Question ids for one attempt, in rule order. No rules: one question of every family, shuffled."""
    pool = sorted(pool, key=lambda item: item.pk)
    if not rules:
        return Draw(ids=[item.pk for item in _pick(pool, set(), len(pool), rng)])
    used_families: set[str] = set()
    picked_by_rule: dict[int, list[int]] = {}
    shortfalls = []
    for index in sorted(range(len(rules)), key=lambda i: -rules[i].specificity):
        rule = rules[index]
        picked = _pick([i for i in pool if rule.matches(i)], used_families, rule.count, rng)
        topped = []
        if len(picked) < rule.count and rule.level:
            candidates = [i for i in pool if rule.matches(i, any_level=True)]
            topped = _pick(candidates, used_families, rule.count - len(picked), rng)
        if len(picked) < rule.count:
            shortfalls.append(Shortfall(rule, len(picked), len(topped)))
        picked_by_rule[index] = [i.pk for i in picked + topped]
    return Draw(
        ids=[pk for index in range(len(rules)) for pk in picked_by_rule[index]], shortfalls=shortfalls
    )


def _pick(
    candidates: list[PoolItem], used_families: set[str], count: int, rng: random.Random
) -> list[PoolItem]:
    """Up to `count` candidates of families not used yet, at random; marks their families used."""
    candidates = [item for item in candidates if item.family_key not in used_families]
    rng.shuffle(candidates)
    picked = []
    for item in candidates:
        if len(picked) == count:
            break
        if item.family_key in used_families:
            continue
        used_families.add(item.family_key)
        picked.append(item)
    return picked


def blueprint_summary(pool: list[PoolItem], rules: list[BlueprintRule]) -> list[dict]:
    """Per rule: what it asks for and how many families the pool offers it (enough: `available` >= count).
    Families are counted per rule alone: rules that compete for one family can still fall short,
    which the draw reports."""
    rows = []
    for rule in rules:
        families = {item.family_key for item in pool if rule.matches(item)}
        rows.append({"rule": rule, "available": len(families), "enough": len(families) >= rule.count})
    return rows
