"""Drawing distractors: per-question random generators, and orders that put the fairest candidates first.

Every question draws from its own `random.Random(seed|key)`, so a seed fixes the distractors and
option order, and adding a muscle never reshuffles the others."""

import random

from .facts import MuscleFacts
from .specs import OptionSpec

DEFAULT_SEED = 2024

# Regions whose muscles make plausible distractors for each other, nearest first.
REGION_NEIGHBOURS = {
    "lumbar": ["hip", "abdomen", "neck_shoulder"],
    "hip": ["thigh", "lumbar"],
    "thigh": ["hip"],
    "abdomen": ["lumbar", "hip"],
    "neck_shoulder": ["lumbar"],
}


def rng_for(seed: int, key: str) -> random.Random:
    return random.Random(f"{seed}|{key}")


def options_order(options: list, seed: int, key: str) -> None:
    """Shuffle the options with their own generator, so the order depends only on seed, key and
    the options themselves, never on how many candidates were looked at before."""
    rng_for(seed, f"{key}#order").shuffle(options)


def shuffled_options(correct: list[str], wrong: list[str], seed: int, key: str) -> list | None:
    """The options of a choice question, in their seeded order; None with fewer than two wrong ones
    (too easy to guess)."""
    if len(wrong) < 2:
        return None
    options = [OptionSpec(text, True) for text in correct] + [OptionSpec(text) for text in wrong]
    options_order(options, seed, key)
    return options


def by_proximity(target: MuscleFacts, muscles, rng: random.Random) -> list[MuscleFacts]:
    """Other muscles: same region first, then neighbouring regions, then the rest; shuffled within a tier."""
    tiers = [[target.region], REGION_NEIGHBOURS.get(target.region, [])]
    ordered, seen = [], {target.slug}
    for regions in tiers:
        tier = [m for m in muscles if m.region in regions and m.slug not in seen]
        rng.shuffle(tier)
        ordered += tier
        seen |= {m.slug for m in tier}
    rest = [m for m in muscles if m.slug not in seen]
    rng.shuffle(rest)
    return ordered + rest


def disjoint_first(candidates: list, keys_of) -> list:
    """Reorder so that candidates sharing no key with an earlier one come first: three distractors
    about three different things make a fairer question than three variations of one."""
    first, rest, seen = [], [], set()
    for item in candidates:
        keys = set(keys_of(item))
        (rest if keys & seen else first).append(item)
        if not keys & seen:
            seen |= keys
    return first + rest


def pick_distinct(candidates, count: int, distinct=lambda item: item):
    picked, seen = [], set()
    for item in candidates:
        marker = distinct(item)
        if marker in seen:
            continue
        seen.add(marker)
        picked.append(item)
        if len(picked) == count:
            break
    return picked
