"""Normalised keys of anatomical facts, so a generator can tell when two facts say the same thing.

A distractor must never also be a right answer. Comparing raw text cannot see that "Lesser
trochanter of the femur" and "the psoas tendon to the lesser trochanter" overlap, so facts are
reduced to sets of keys:

- attachments -> landmark keys ("lesser-trochanter", "iliac-crest", ...), found by patterns that
  accept the usual synonyms ("sitting bone" = ischial tuberosity, "IT band" = iliotibial tract);
- actions -> (movement, part) keys ("flex", "hip"), with every movement named in the text paired
  with every body part named in it: over-generating keys only makes the generator more careful.

Two facts overlap when their key sets intersect. Text with no recognised key cannot be checked,
so the generator never uses it as a distractor.
"""

import re
from functools import lru_cache

# Landmark key -> pattern (lowercase text). Broad on purpose: a shared key excludes a distractor.
LANDMARKS: dict[str, str] = {
    "lesser-trochanter": r"lesser trochanter",
    "greater-trochanter": r"greater trochanter",
    "linea-aspera": r"linea aspera",
    "gluteal-tuberosity": r"gluteal tuberosity",
    "adductor-tubercle": r"adductor tubercle",
    "supracondylar-line": r"supracondylar",
    "femoral-shaft": r"femoral shaft|shaft of the femur|distal femur|lower femur|intermuscular septum",
    "ischial-tuberosity": r"ischial tuberosit|sitting bone|sit bone",
    "ischial-ramus": r"ischial ramus|ramus of the ischium",
    "pubis": r"pubi[cs]|pubis|symphysis",
    "iliac-crest": r"iliac crest|crest of the ilium|iliac tubercle",
    "ilium": r"\bilium\b|iliac fossa|gluteal line|wing of the pelvis|outer (surface of the )?ilium|hip bone",
    "anterior-iliac-spines": r"anterior (superior|inferior) iliac spine|\basis\b|\baiis\b",
    "psis": r"posterior superior iliac spine|\bpsis\b",
    "sacrum": r"\bsacrum\b|\bsacral\b|sacral (crest|foramina)",
    "coccyx": r"coccyx|coccygeal|tailbone",
    "sacrotuberous": r"sacrotuberous",
    "sacroiliac": r"sacroiliac|\bsi joint",
    "iliolumbar": r"iliolumbar",
    "greater-sciatic": r"greater sciatic|sciatic notch",
    "thoracolumbar": r"thoracolumbar|erector spinae (aponeurosis|tendon)|common erector spinae",
    "fascia-lata": r"iliotibial|\bit band\b|\bitb\b|fascia lata|gerdy",
    "lateral-tibia": r"lateral (tibial )?condyle|gerdy|lateral side of the tibia",
    "fibula": r"fibula",
    "medial-tibia": r"medial (tibial )?condyle|medial (surface|side) of the tibia|medial tibia|tibial shaft|"
    r"pes anserinus|shaft of the tibia|upper medial",
    "vertebral-bodies": r"vertebral bod|bodies of|intervertebral dis[ck]|\bdiscs?\b",
    "transverse-processes": r"transverse process",
    "spinous-processes": r"spinous process|supraspinous",
    "articular-processes": r"articular process|mammillary|accessory process",
    "ribs": r"\bribs?\b|costal",
    "xiphoid": r"xiphoid",
    "mastoid": r"mastoid",
    "occiput": r"nuchal line|occipital|occiput|skull",
    "ligamentum-nuchae": r"ligamentum nuchae|nuchal ligament",
    "clavicle": r"clavic|collarbone|collar bone",
    "sternum": r"manubrium|sternum|sternal",
    "acromion": r"acromion",
    "scapular-spine": r"spine of the scapula|scapular spine",
    "scapula-border": r"(medial|vertebral) border|border of the scapula|inferior angle",
    "hip-capsule": r"hip[- ]joint capsule|capsule of the hip|hip capsule",
    "axis": r"\baxis\b|\bc2\b",
    "cervical-vertebrae": r"cervical",
    "thoracic-vertebrae": r"thoracic",
    "lumbar-vertebrae": r"lumbar|\bl[1-5]\b",
}

_LANDMARK_RES = {key: re.compile(pattern) for key, pattern in LANDMARKS.items()}

# Level names are too general to separate two attachments ("lumbar transverse processes" vs
# "lumbar spinous processes") but they do make two otherwise unrecognised facts comparable.
LEVEL_KEYS = {"cervical-vertebrae", "thoracic-vertebrae", "lumbar-vertebrae"}


@lru_cache(maxsize=4096)
def landmark_keys(text: str) -> frozenset[str]:
    lowered = (text or "").lower()
    found = {key for key, pattern in _LANDMARK_RES.items() if pattern.search(lowered)}
    specific = found - LEVEL_KEYS
    return frozenset(specific or found)


# Movements and body parts named in an action.
MOVEMENTS: dict[str, str] = {
    # "tips the head toward the shoulder" is side-bending, however the text words it (tilts, tips, leans).
    "lateral-flex": r"lateral(ly)? flex|side[- ]?bend|bends? (the )?[a-z ]*(to|toward) (the|that|its) (same )?side|"
    r"\b(tilt|tip|lean)s? the (head|neck|trunk) (toward|to|sideways)",
    "lateral-rotate": r"lateral(ly)?[- ]rotat|rotates? [a-z ]*laterally|outward rotat",
    "medial-rotate": r"medial(ly)?[- ]rotat|rotates? [a-z ]*medially|inward rotat",
    "rotate": r"\brotat|\bturns?\b|\btwist",
    # "flexed"/"extended" describe a starting position ("abducts the flexed thigh"), not the movement.
    "flex": r"\bflex(?!ed)|bends? forward|draws the thorax|sitting up|toward the thigh|"
    r"\bbends? the (neck|head|trunk|spine|lumbar spine) forward|\b(tilt|tip)s? the pelvis( and |/)trunk forward",
    "extend": r"\bextend(?!ed)|\bextens|\berect\b|raise the trunk|rising|\b(tilt|tip)s? the head back",
    "abduct": r"\babduct",
    "adduct": r"\badduct",
    "elevate": r"\belevat|hitch|\bhike|\braises?\b",
    "depress": r"\bdepress|pulls down",
    "retract": r"\bretract|toward the spine",
    "stabilise": r"stabili[sz]|steady|steadies|\bholds?\b|keeps? the|supports?|fixes|level",
    "tense": r"\btens",
    "compress": r"compress",
    "breathe": r"inspiration|breath|diaphragm",
    "transmit": r"transmit",
}

PARTS: dict[str, str] = {
    "hip": r"\bhip\b|\bthigh\b|femur|femoral head|acetabulum|stoop",
    "knee": r"\bknee\b|\bleg\b",
    "spine": r"spine|spinal|vertebral column|\btrunk\b|lumbar|\bback\b",
    "neck": r"\bneck\b|\bhead\b(?! of)|\bface\b|\bskull",  # not "the head of the femur"
    "scapula": r"scapula|glenoid|shoulder blade|\barm\b",
    "pelvis": r"pelvis|pelvic",
    "ribs": r"\brib|thorax|sternum|diaphragm|inspiration",
    "abdomen": r"abdom",
    "fascia": r"fascia|iliotibial",
}

_MOVEMENT_RES = {key: re.compile(pattern) for key, pattern in MOVEMENTS.items()}
_PART_RES = {key: re.compile(pattern) for key, pattern in PARTS.items()}

# Parts where any two actions are too close to tell apart safely (steadying, hitching or tilting
# the pelvis all describe pelvic control), so the movement is ignored.
MOVEMENT_AGNOSTIC_PARTS = {"pelvis", "fascia", "ribs", "abdomen"}


def action_parts(text: str) -> frozenset[str]:
    lowered = (text or "").lower()
    return frozenset(key for key, pattern in _PART_RES.items() if pattern.search(lowered))


@lru_cache(maxsize=4096)
def action_keys(text: str, default_parts: frozenset[str] = frozenset()) -> frozenset[tuple[str, str]]:
    """Keys of one action; `default_parts` stand in when the text names no body part
    ("Anterior fibres: medial rotation" of a hip muscle is about the hip)."""
    lowered = (text or "").lower()
    movements = {key for key, pattern in _MOVEMENT_RES.items() if pattern.search(lowered)}
    if movements & {"lateral-rotate", "medial-rotate"}:
        movements.discard("rotate")
    parts = set(action_parts(text)) or set(default_parts)
    keys = set()
    for part in parts:
        if part in MOVEMENT_AGNOSTIC_PARTS:
            keys.add(("*", part))
        else:
            keys.update((movement, part) for movement in movements)
    return frozenset(keys)


# The neck is part of the spine: "extends the spine" is not safely wrong for a neck extensor.
RELATED_PARTS = {"neck": {"spine"}, "spine": {"neck"}}


def expand_action_keys(keys) -> frozenset[tuple[str, str]]:
    """Widen keys so near-synonyms collide: an unqualified rotation is either rotation, and a
    movement of the neck is also one of the spine."""
    expanded = set(keys)
    for movement, part in keys:
        if movement == "rotate":
            expanded |= {("lateral-rotate", part), ("medial-rotate", part)}
        elif movement in {"lateral-rotate", "medial-rotate"}:
            expanded.add(("rotate", part))
    for movement, part in list(expanded):
        expanded |= {(movement, other) for other in RELATED_PARTS.get(part, ())}
    return frozenset(expanded)


def muscle_action_keys(actions: list[str]) -> frozenset[tuple[str, str]]:
    """Every key of every action of one muscle (hedged ones too: they still rule distractors out)."""
    parts = frozenset(p for action in actions for p in action_parts(action))
    keys = set()
    for action in actions:
        keys |= action_keys(action, parts)
    # Almost every muscle crossing a joint helps steady it: "stabilises the hip" is never a safe
    # distractor for a hip muscle.
    keys |= {("stabilise", part) for _, part in keys}
    return expand_action_keys(keys)


# Words that mark a fact as uncertain: never the key of a question, never a distractor.
HEDGES = re.compile(
    r"debated|disputed|sources differ|disagree|is described|are described|is said|said to|reported|may |might |"
    r"possibly|"
    r"not verified|uncertain|inconstant|some texts|\?",
    re.IGNORECASE,
)


def is_hedged(text: str) -> bool:
    return bool(HEDGES.search(text or ""))


def short_fact(text: str, limit: int = 110) -> str:
    """The headline of a knowledge-base fact: its first sentence, cut at a clause if long."""
    text = " ".join((text or "").split())
    first = re.split(r"(?<=[a-z0-9)])\.\s|;\s", text, maxsplit=1)[0].rstrip(". ")
    if len(first) <= limit:
        return first
    for separator in [" (", ", ", " - ", " by ", " with "]:
        head = first.split(separator)[0]
        if 20 <= len(head) <= limit:
            return head.rstrip(",. ")
    return first[:limit].rsplit(" ", 1)[0].rstrip(",. ") + "…"


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).strip()
