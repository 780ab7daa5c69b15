"""Innervation questions: which nerve supplies a muscle, from its `innervation` fact.

Each nerve the knowledge base names is one key (`nerve_keys`); a muscle's answer is the label of
its keys, and a distractor is the label of another muscle's nerve that shares no key, and no
family, with the answer: "sciatic nerve" is never offered against its own tibial division, nor
the femoral nerve against psoas (lumbar-plexus texts differ on whether femoral branches reach it),
nor "branches of the lumbar plexus" against the obturator nerve of the adductors.
"""

import re

from .drawing import by_proximity, rng_for, shuffled_options
from .facts import KnowledgeBase, MuscleFacts
from .specs import QuestionSpec
from .wording import subject

# key -> (pattern in the innervation text, label shown as an option). Order is the reading order.
NERVES = {
    "lumbar-plexus": (r"lumbar plexus", "Branches of the lumbar plexus (L1-L3)"),
    "t12-rami": (r"\bt12\b", "Ventral rami of T12 and the upper lumbar nerves"),
    "femoral": (r"femoral nerve", "Femoral nerve"),
    "obturator": (r"obturator", "Obturator nerve"),
    "nerve-to-piriformis": (r"nerve to piriformis", "Nerve to piriformis (sacral plexus)"),
    "superior-gluteal": (r"superior gluteal|superior \(tfl\)", "Superior gluteal nerve"),
    "inferior-gluteal": (r"inferior gluteal|inferior \(gluteus maximus\) gluteal", "Inferior gluteal nerve"),
    "sciatic": (r"sciatic nerve:", "Sciatic nerve (tibial and common fibular divisions)"),
    "tibial": (r"tibial division|through its tibial", "Tibial division of the sciatic nerve"),
    "common-fibular": (r"common fibular|peroneal", "Common fibular division of the sciatic nerve"),
    "dorsal-rami": (r"dorsal (\(posterior\) )?rami", "Dorsal (posterior) rami of the spinal nerves"),
    "thoracoabdominal": (r"thoracoabdominal|intercostal", "Thoracoabdominal (lower intercostal) nerves"),
    "accessory": (r"accessory nerve", "Accessory nerve (cranial nerve XI)"),
    "dorsal-scapular": (r"dorsal scapular", "Dorsal scapular nerve"),
    # Named by no muscle of the knowledge base; plausible, and wrong, for the neck and shoulder
    # muscles, whose only other candidates would be low-back nerves nobody would pick.
    "facial": (r"facial nerve", "Facial nerve (cranial nerve VII)"),
    "long-thoracic": (r"long thoracic", "Long thoracic nerve"),
}
DISTRACTOR_ONLY = {"neck_shoulder": ("long-thoracic", "facial")}
# Keys that overlap: one is part of the other, or sources disagree on where one ends.
FAMILIES = (
    frozenset({"sciatic", "tibial", "common-fibular"}),
    # Femoral and obturator are lumbar-plexus branches from the upper lumbar ventral rami: "branches
    # of the lumbar plexus" is true of the adductors and iliacus too.
    frozenset({"lumbar-plexus", "t12-rami", "femoral", "obturator"}),
    # T12's ventral ramus is the subcostal nerve, which texts count among the thoracoabdominal nerves.
    frozenset({"t12-rami", "thoracoabdominal"}),
)
# A nerve named after its muscle would answer its own question ("nerve to piriformis"): that muscle
# is asked which plexus its nerve comes from instead. key -> the plexus, as the reference names it.
NAMED_FOR_ITS_MUSCLE = {"nerve-to-piriformis": "Sacral plexus"}
PLEXUSES = ("Sacral plexus", "Lumbar plexus", "Cervical plexus", "Brachial plexus")
# "Sciatic nerve: the long head through its tibial division, the short head through its common
# fibular division" is answered as the sciatic nerve; the divisions are part of it.
COLLAPSE = {frozenset({"sciatic", "tibial", "common-fibular"}): ("sciatic",)}


def nerve_keys(text: str) -> tuple[str, ...]:
    lowered = (text or "").lower()
    keys = tuple(key for key, (pattern, _) in NERVES.items() if re.search(pattern, lowered))
    return COLLAPSE.get(frozenset(keys), keys)


def overlapping(keys) -> frozenset[str]:
    """The keys themselves and every key of their families."""
    out = set(keys)
    for family in FAMILIES:
        if family & out:
            out |= family
    return frozenset(out)


def _label(keys: tuple[str, ...]) -> str:
    labels = [NERVES[k][1] for k in keys]
    if len(labels) == 1:
        return labels[0]
    return labels[0] + " and " + labels[1][0].lower() + labels[1][1:]


def _stem(muscle: MuscleFacts, keys: tuple[str, ...]) -> str:
    text = muscle.innervation.lower()
    name = subject(muscle)
    if text.startswith("none of its own"):
        return (
            f"{name[0].upper() + name[1:]} is fascia and has no nerve supply of its own. "
            "Which nerves supply the muscles that tense it?"
        )
    if len(keys) == 2:
        return f"{name[0].upper() + name[1:]} has two parts with different nerves. Which pair supplies it?"
    if re.search(r"sensation|proprioception", text):
        return f"Which nerve gives {name} its motor supply?"
    return f"Which nerve supplies {name}?"


def _candidate_keys(kb: KnowledgeBase, muscle: MuscleFacts, own: frozenset, rng) -> list[str]:
    """Nerves of other muscles, nearest region first, none overlapping the answer."""
    ordered = [k for k in DISTRACTOR_ONLY.get(muscle.region, ()) if k not in overlapping(own)]
    for other in by_proximity(muscle, kb.muscles, rng):
        for key in nerve_keys(other.innervation):
            if key not in overlapping(own) and key not in ordered:
                ordered.append(key)
    return ordered


def _distractors(candidates: list[str], size: int) -> list[tuple[str, ...]]:
    if size == 1:  # three nerves of three families: not the sciatic nerve next to its own division
        picked = []
        for key in candidates:
            if not any(key in overlapping({p}) for p in picked):
                picked.append(key)
        return [(k,) for k in picked[:3]]
    pairs, pool = [], list(candidates)
    while len(pool) >= 2 and len(pairs) < 3:
        first = pool.pop(0)
        partner = next((k for k in pool if k not in overlapping({first})), None)
        if partner is None:
            break
        pool.remove(partner)
        pairs.append((first, partner))
    return pairs


def _plexus_question(muscle: MuscleFacts, plexus: str, seed: int, key: str):
    """(stem, options): which plexus gives the muscle its nerve."""
    wrong = [p for p in PLEXUSES if p != plexus and p.lower() not in muscle.innervation.lower()]
    stem = f"{subject(muscle)[0].upper() + subject(muscle)[1:]} has its own small nerve. Which plexus does it come from?"
    return stem, shuffled_options([plexus], wrong, seed, key)


def innervation_question(kb: KnowledgeBase, muscle: MuscleFacts, seed: int) -> QuestionSpec | None:
    key = f"innervation:{muscle.slug}"
    keys = nerve_keys(muscle.innervation)
    if not keys or len(keys) > 2:
        return None
    if len(keys) == 1 and keys[0] in NAMED_FOR_ITS_MUSCLE:
        stem, options = _plexus_question(muscle, NAMED_FOR_ITS_MUSCLE[keys[0]], seed, key)
    else:
        rng = rng_for(seed, key)
        wrong = _distractors(_candidate_keys(kb, muscle, frozenset(keys), rng), len(keys))
        stem, options = (
            _stem(muscle, keys),
            shuffled_options([_label(keys)], [_label(w) for w in wrong], seed, key),
        )
    if options is None:
        return None
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="general",
        stem=stem,
        explanation=f"Nerve supply of {subject(muscle)}: {muscle.innervation.rstrip('.')}.",
        difficulty=2,
        options=options,
        muscle=muscle.slug,
        about_muscles=(muscle.slug,),
        tags=("generated", "innervation"),
    )
