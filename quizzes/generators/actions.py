"""Questions on what a muscle does: one action to pick, or every action to select. A distractor
shares no movement of a body part with any action of the asked muscle (quizzes.generators.fact_keys)."""

import random
import re

from .drawing import by_proximity, rng_for, shuffled_options
from .fact_keys import action_keys, action_parts, expand_action_keys, is_hedged, normalise
from .facts import SKIPPED_FACTS, KnowledgeBase, MuscleFacts
from .kinesiology import overlapping, true_action_keys, true_action_texts
from .muscle_mentions import names_a_muscle
from .specs import QuestionSpec
from .wording import lower_first, subject

# "The long head ...", "Middle fibres ...": as a distractor this names a part the asked muscle may
# not have, which gives the answer away.
PART_QUALIFIER = re.compile(
    r"^(the\s+)?((long|short)\s+head|[a-z]+\s+part\b|(upper|middle|lower|front|back|anterior|posterior|deep|"
    r"superficial)(\s+and\s+\w+)?\s+fib(re|er)s)",
    re.IGNORECASE,
)


def clean_action(text: str) -> str:
    # "(with iliacus)", ", together with psoas major" would give the muscle away as a distractor.
    text = re.sub(r"\s*\((with|and) [^)]*\)", "", text)
    text = re.sub(r",\s*(together )?with [^,;.]*$", "", text.strip().rstrip("."))
    return " ".join(text.split()).rstrip(".")


def _usable_actions(muscle: MuscleFacts) -> list[str]:
    """Actions fit to be shown: certain, and specific enough to be checked against others."""
    parts = frozenset(p for a in muscle.actions for p in action_parts(a))
    return [clean_action(a) for a in muscle.actions if not is_hedged(a) and action_keys(a, parts)]


def _action_candidates(muscle: MuscleFacts, kb: KnowledgeBase, rng: random.Random):
    """(other muscle, shown text, keys) for every action of a nearby muscle that is not also one of
    this one's, its fibres', its group's or its parts' (quizzes.generators.kinesiology)."""
    own_keys = true_action_keys(kb, muscle)
    own_texts = {normalise(clean_action(a)) for a in true_action_texts(kb, muscle)}
    candidates = []
    for other in by_proximity(muscle, kb.muscles, rng):
        if ("action", other.slug) in SKIPPED_FACTS or overlapping(muscle.slug, other.slug):
            continue
        parts = frozenset(p for a in other.actions for p in action_parts(a))
        for action in other.actions:
            if is_hedged(action) or PART_QUALIFIER.search(action):
                continue
            keys = expand_action_keys(action_keys(action, parts))
            text = clean_action(action)
            if (
                keys
                and not keys & own_keys
                and normalise(text) not in own_texts
                and not names_a_muscle(text, kb)
            ):
                candidates.append((other, text, keys))
    return candidates


def _action_distractors(muscle: MuscleFacts, kb: KnowledgeBase, rng: random.Random, count: int):
    picked, seen_keys = [], set()
    for other, text, keys in _action_candidates(muscle, kb, rng):
        if keys & seen_keys:  # two distractors saying the same thing would halve the choice
            continue
        seen_keys |= keys
        picked.append((other, text))
        if len(picked) == count:
            break
    return picked


def _all_actions(muscle: MuscleFacts) -> str:
    return "; ".join(clean_action(a) for a in muscle.actions)


def _whose(distractors) -> str:
    return "; ".join(f"{lower_first(text)} ({lower_first(m.name)})" for m, text in distractors)


def action_question(kb: KnowledgeBase, muscle: MuscleFacts, seed: int) -> QuestionSpec | None:
    key = f"action:{muscle.slug}"
    if ("action", muscle.slug) in SKIPPED_FACTS:
        return None
    usable = _usable_actions(muscle)
    if not usable:
        return None
    rng = rng_for(seed, key)
    correct = rng.choice(usable)
    distractors = _action_distractors(muscle, kb, rng, 3)
    options = shuffled_options([correct], [text for _, text in distractors], seed, key)
    if options is None:
        return None
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="attachments",
        stem=f"Which of these is an action of {subject(muscle)}?",
        explanation=f"{muscle.name}: {_all_actions(muscle)}. "
        f"The other choices belong to other muscles: {_whose(distractors)}.",
        difficulty=1,
        options=options,
        muscle=muscle.slug,
        about_muscles=(muscle.slug,),
        tags=("generated", "action"),
    )


def actions_multiple_question(kb: KnowledgeBase, muscle: MuscleFacts, seed: int) -> QuestionSpec | None:
    key = f"actions:{muscle.slug}"
    if ("action", muscle.slug) in SKIPPED_FACTS:
        return None
    usable = _usable_actions(muscle)
    if len(usable) < 2:
        return None
    rng = rng_for(seed, key)
    correct = rng.sample(usable, 3 if len(usable) >= 4 else 2)
    distractors = _action_distractors(muscle, kb, rng, 2)
    options = shuffled_options(list(correct), [text for _, text in distractors], seed, key)
    if options is None:
        return None
    return QuestionSpec(
        key=key,
        kind="multiple_response",
        topic="attachments",
        stem=f"Which of these are actions of {subject(muscle)}? Select all that apply.",
        explanation=f"{muscle.name}: {_all_actions(muscle)}. Not its actions: {_whose(distractors)}.",
        difficulty=2,
        options=options,
        muscle=muscle.slug,
        about_muscles=(muscle.slug,),
        tags=("generated", "action"),
    )
