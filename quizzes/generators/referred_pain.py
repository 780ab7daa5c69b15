"""Referred-pain questions: mark a muscle's zones on the body map, or name the muscle that refers
pain to a zone (distractors refer nowhere near it)."""

import re

from .drawing import by_proximity, rng_for, shuffled_options
from .facts import KnowledgeBase, MuscleFacts, ZoneFacts
from .kinesiology import group_members, overlapping
from .specs import QuestionSpec
from .wording import lower_first, sentence, subject

# Zones close enough that pain in one is easily felt as pain in the other: a muscle referring to
# any zone of a neighbourhood is never a distractor for another zone of it.
ZONE_NEIGHBOURHOODS = [
    {"vertex", "forehead", "temple", "eye", "ear", "cheek", "jaw-angle"},
    {"occiput", "mastoid", "ear", "neck-back"},
    {"neck-back", "suprascapular", "acromion"},
    {"suprascapular", "interscapular"},
    {"interscapular", "mid-back"},
    {"mid-back", "lumbar-paraspinal"},
    {"lumbar-paraspinal", "iliac-crest", "sacroiliac"},
    {"sacroiliac", "sacrum", "coccyx", "buttock-upper"},
    {"buttock-upper", "buttock-lower", "iliac-crest"},
    {"abdomen", "lower-abdomen"},
    {"lower-abdomen", "groin", "pelvis-deep"},
    {"groin", "thigh-inner", "thigh-front"},
    {"iliac-crest", "hip-lateral"},
    {"hip-lateral", "thigh-lateral"},
    {"buttock-lower", "thigh-back"},
    {"thigh-back", "knee-back"},
    {"thigh-inner", "knee-inner"},
    {"thigh-lateral", "knee-lateral"},
    {"knee-back", "calf"},
    {"knee-inner", "shin"},
    {"knee-lateral", "leg-lateral"},
    {"shin", "leg-lateral"},
]


def zones_near(a: str, b: str) -> bool:
    if a == b:
        return True
    for hood in ZONE_NEIGHBOURHOODS:
        if a in hood and b in hood:
            return True
    return a.split("-")[0] == b.split("-")[0]  # codes the table does not know: same family name


def _zone_phrase(name: str) -> str:
    """'the upper buttock', 'around the eye', 'along the iliac crest'."""
    lowered = lower_first(name)
    if re.match(r"^(around|along|between|behind|above|below|over|under)\b", lowered):
        return lowered
    return "the " + lowered


def _zone_list(kb: KnowledgeBase, codes) -> str:
    names = {z.code: z.name for z in kb.zones}
    return ", ".join(lower_first(names.get(code, code)) for code in codes)


def body_map_question(kb: KnowledgeBase, muscle: MuscleFacts, seed: int) -> QuestionSpec | None:
    if not muscle.zones:
        return None
    explanation = (
        f"Pain referred from {lower_first(muscle.name)} trigger points: {_zone_list(kb, muscle.zones)}. "
    )
    if muscle.referred_pain:
        explanation += sentence(muscle.referred_pain)
    return QuestionSpec(
        key=f"referral:{muscle.slug}",
        kind="body_map",
        topic="referred_pain",
        stem=f"Select the zones where trigger points in {subject(muscle)} typically refer pain.",
        explanation=explanation,
        difficulty=3 if len(muscle.zones) > 4 else 2,
        zones=muscle.zones,
        muscle=muscle.slug,
        about_muscles=(muscle.slug,),
        tags=("generated", "body-map"),
    )


def _zones_with_group(kb: KnowledgeBase, muscle: MuscleFacts) -> set[str]:
    """A muscle's zones and those of its group and parts: longissimus refers wherever erector spinae
    is said to (the group's pattern is its columns' patterns)."""
    related = group_members(muscle.slug)
    return {code for m in kb.muscles if m.slug in related for code in m.zones}


def referral_zone_question(kb: KnowledgeBase, zone: ZoneFacts, seed: int) -> QuestionSpec | None:
    """'Trigger points in which muscle refer pain to <zone>?': distractors refer nowhere near it."""
    key = f"referral-zone:{zone.code}"
    referring = [m for m in kb.muscles if zone.code in m.zones]
    if not referring:
        return None
    rng = rng_for(seed, key)
    correct = rng.choice(referring)
    distractors = [
        m
        for m in by_proximity(correct, kb.muscles, rng)
        if m.zones
        and not overlapping(correct.slug, m.slug)
        and not any(zones_near(zone.code, c) for c in _zones_with_group(kb, m))
    ][:3]
    options = shuffled_options([correct.name], [m.name for m in distractors], seed, key)
    if options is None:
        return None
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="referred_pain",
        stem=f"Trigger points in which of these muscles typically refer pain to {_zone_phrase(zone.name)}?",
        explanation=_referral_zone_explanation(kb, zone, correct, distractors),
        difficulty=2,
        options=options,
        muscle=correct.slug,
        about_muscles=(correct.slug,),
        tags=("generated", "referral"),
    )


def _referral_zone_explanation(kb: KnowledgeBase, zone: ZoneFacts, correct: MuscleFacts, distractors) -> str:
    return (
        f"{correct.name} refers pain to {_zone_phrase(zone.name)}. "
        + (sentence(correct.referred_pain) + " " if correct.referred_pain else "")
        + "The others refer elsewhere: "
        + "; ".join(f"{lower_first(m.name)} to {_zone_list(kb, m.zones)}" for m in distractors)
        + "."
    )
