"""Questions built from the anatomy knowledge base, plus the hand-written ones in quizzes/data/.

Two halves:
- pure: knowledge-base facts (plain dataclasses) -> `QuestionSpec`s. Deterministic: every question
  draws from its own `random.Random(seed|key)`, so a seed fixes the distractors and option order,
  and adding a muscle never reshuffles the others. Distractors come from the same region and the
  same kind of fact, and are never also correct (see quizzes.fact_keys).
- sync: specs -> `Question` rows, keyed by `generator_key`. A re-run creates what is missing,
  updates a question only while its content still matches the checksum of what was last
  generated (nobody edited it) and leaves instructors' edits alone.

Entry point: `question_bank_generate(seed=..., course=...)`, used by `manage.py generate_questions`.
"""

import hashlib
import json
import logging
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from .fact_keys import (
    action_keys,
    action_parts,
    expand_action_keys,
    is_hedged,
    landmark_keys,
    muscle_action_keys,
    normalise,
    short_fact,
)

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SEED = 2024
DEFAULT_COURSE_SLUG = "massage-for-low-back-pain"

# Regions whose muscles make plausible distractors for each other, nearest first.
REGION_NEIGHBOURS = {
    "lumbar": ["hip", "abdomen", "neck_shoulder"],
    "hip": ["thigh", "lumbar"],
    "thigh": ["hip"],
    "abdomen": ["lumbar", "hip"],
    "neck_shoulder": ["lumbar"],
}
# Facts that are not one attachment or one action, so no fair question exists (why in the value).
SKIPPED_FACTS = {
    ("insertion", "erector-spinae"): "a group: it splits into three columns with different insertions",
    ("action", "iliotibial-tract"): "not a muscle: it only transmits the pull of TFL and gluteus maximus",
}
ACTION_LEVEL_TEXT = {
    "treat": "Treat",
    "treat_with_care": "Treat with care and monitor",
    "refer_routine": "Refer (routine)",
    "refer_urgent": "Refer urgently (same day)",
    "emergency": "Emergency (call 911 / ED now)",
}
CRITICAL_LEVELS = {"emergency", "refer_urgent"}
FLAG_DIFFICULTY = {"emergency": 1, "refer_urgent": 2, "refer_routine": 3, "treat_with_care": 3}
CONDITION_KEYS = {
    "cauda-equina": r"cauda equina",
    "cancer": r"cancer|metasta|malignan|tumou?r",
    "infection": r"infect|abscess|osteomyelitis|discitis|pyelonephritis",
    "fracture": r"fracture",
    "aneurysm": r"aneurysm|aort",
    "bleeding": r"haemorrhage|hemorrhage|bleed",
    "kidney": r"kidney|renal|pyelonephritis|ureter",
    "inflammatory": r"spondyl|ankylos|inflammatory",
    "compression": r"compression|cord",
}


# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class MuscleFacts:
    slug: str
    name: str
    region: str
    origin: str
    insertion: str
    actions: tuple[str, ...] = ()
    referred_pain: str = ""
    zones: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlagFacts:
    slug: str
    sign: str
    condition: str
    level: str
    action: str
    why: str = ""


@dataclass(frozen=True)
class ZoneFacts:
    code: str
    name: str
    view: str = ""


@dataclass(frozen=True)
class KnowledgeBase:
    muscles: tuple[MuscleFacts, ...] = ()
    flags: tuple[FlagFacts, ...] = ()
    zones: tuple[ZoneFacts, ...] = ()
    headlines: dict = field(default_factory=dict, hash=False, compare=False)


def knowledge_base_read() -> KnowledgeBase:
    """The knowledge base as it stands in the database, as plain facts."""
    from content.models import BodyZone, Muscle, RedFlag

    muscles = tuple(
        MuscleFacts(
            slug=m.slug,
            name=m.name,
            region=m.region,
            origin=m.origin,
            insertion=m.insertion,
            actions=tuple(a for a in (m.actions or []) if isinstance(a, str) and a.strip()),
            referred_pain=m.referred_pain,
            zones=tuple(sorted(z.code for z in m.referred_zones.all())),
            aliases=tuple(a for a in (m.aliases or []) if isinstance(a, str)),
        )
        for m in Muscle.objects.prefetch_related("referred_zones").order_by("slug")
    )
    flags = tuple(
        FlagFacts(
            slug=f.slug,
            sign=f.sign,
            condition=f.suspected_condition,
            level=f.action_level,
            action=f.action,
            why=f.why,
        )
        for f in RedFlag.objects.order_by("slug")
    )
    zones = tuple(ZoneFacts(code=z.code, name=z.name, view=z.view) for z in BodyZone.objects.order_by("code"))
    return KnowledgeBase(muscles=muscles, flags=flags, zones=zones, headlines=headlines_load())


def headlines_load(path: Path = DATA_DIR / "attachment_headlines.yaml") -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


# ---------------------------------------------------------------- specs


@dataclass
class OptionSpec:
    text: str
    is_correct: bool = False
    match_text: str = ""


@dataclass
class QuestionSpec:
    key: str
    kind: str
    topic: str
    stem: str
    explanation: str
    difficulty: int = 2
    options: list[OptionSpec] = field(default_factory=list)
    zones: tuple[str, ...] = ()
    muscle: str | None = None
    red_flag: str | None = None
    critical: bool = False
    tags: tuple[str, ...] = ()
    about_muscles: tuple[str, ...] = ()
    about_flags: tuple[str, ...] = ()
    module_id: int | None = None
    section_anchor: str = ""

    def content(self) -> dict:
        return question_content(
            kind=self.kind,
            stem=self.stem,
            explanation=self.explanation,
            topic=self.topic,
            difficulty=self.difficulty,
            critical=self.critical,
            muscle=self.muscle,
            red_flag=self.red_flag,
            module_id=self.module_id,
            section_anchor=self.section_anchor,
            options=[(o.text, o.is_correct, o.match_text) for o in self.options],
            zones=self.zones,
        )

    @property
    def checksum(self) -> str:
        return content_checksum(self.content())

    @property
    def correct_texts(self) -> list[str]:
        return [o.text for o in self.options if o.is_correct]


def question_content(
    *,
    kind,
    stem,
    explanation,
    topic,
    difficulty,
    critical,
    muscle,
    red_flag,
    module_id,
    section_anchor,
    options,
    zones,
) -> dict:
    """The part of a question the generator owns, in one canonical shape (spec or database row)."""
    return {
        "kind": kind,
        "stem": stem.strip(),
        "explanation": explanation.strip(),
        "topic": topic,
        "difficulty": int(difficulty),
        "critical": bool(critical),
        "muscle": muscle or None,
        "red_flag": red_flag or None,
        "module": module_id,
        "section_anchor": section_anchor or "",
        "options": [[text or "", bool(correct), match or ""] for text, correct, match in options],
        "zones": sorted(zones),
    }


def content_checksum(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _rng(seed: int, key: str) -> random.Random:
    return random.Random(f"{seed}|{key}")


def _order(options: list, seed: int, key: str) -> None:
    """Shuffle the options with their own generator, so the order depends only on seed, key and
    the options themselves, never on how many candidates were looked at before."""
    _rng(seed, f"{key}#order").shuffle(options)


def _sentence(text: str) -> str:
    text = " ".join((text or "").split()).rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():  # an acronym ("ASIS", "L1")
        return text
    return text[:1].lower() + text[1:]


def _name_lower(name: str) -> str:
    return _lower_first(name)


def _subject(muscle: MuscleFacts) -> str:
    """How a sentence names the muscle: 'psoas major', 'the rhomboids', 'the iliotibial tract'."""
    name = _name_lower(muscle.name)
    return f"the {name}" if _is_plural(muscle.name) or is_structure(muscle) else name


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _is_plural(name: str) -> bool:
    """'Rhomboids' (a pair of muscles) reads 'Where do the rhomboids ...'."""
    return name.endswith("s") and not name.endswith(("us", "is", "ss"))


# ---------------------------------------------------------------- attachments


def attachment_text(kb: KnowledgeBase, muscle: MuscleFacts, fact: str) -> str | None:
    """What an answer option shows for a muscle's origin or insertion; None when no fair text exists.

    The curated headline is used only while every landmark it names is in the knowledge-base
    text, so an edited knowledge base can never leave a stale headline as a key."""
    if (fact, muscle.slug) in SKIPPED_FACTS:
        return None
    full = getattr(muscle, fact)
    headlines = kb.headlines.get(muscle.slug)
    if headlines is not None:
        headline = headlines.get(fact)
        if not headline:
            return None
        keys = landmark_keys(headline)
        if keys and keys <= landmark_keys(full):
            return headline
        logger.warning(
            "Headline for %s %s no longer matches the knowledge base; using its text", muscle.slug, fact
        )
    text = short_fact(full)
    return text if landmark_keys(text) else None


def attachment_is_also_true(
    kb: KnowledgeBase, shown: str, muscle: MuscleFacts, fact: str, owner: MuscleFacts | None = None
) -> bool:
    """Could `shown` (the fact of `owner`) be read as (part of) this muscle's origin/insertion?
    Unknown counts as yes. A group and its members (erector spinae and its columns, psoas and the
    iliacus that shares its tendon) name each other in their attachments, and are never told apart."""
    shown_keys = landmark_keys(shown)
    true_keys = fact_landmarks(kb, muscle, fact)
    if not shown_keys or not true_keys or shown_keys & true_keys:
        return True
    if _mentions(shown, muscle) or any(_mentions(shown, m) for m in kb.muscles if _related(m, muscle)):
        return True
    return owner is not None and _related(owner, muscle)


@lru_cache(maxsize=4096)
def _related(a: MuscleFacts, b: MuscleFacts) -> bool:
    """One names the other in its origin or insertion ("a tendon shared with iliacus", "splits into
    iliocostalis, longissimus and spinalis")."""
    if a.slug == b.slug:
        return False
    return any(_mentions(getattr(a, f), b) or _mentions(getattr(b, f), a) for f in ("origin", "insertion"))


def fact_landmarks(kb: KnowledgeBase, muscle: MuscleFacts, fact: str) -> frozenset[str]:
    """Landmarks of a muscle's origin/insertion, plus those of any muscle its text names: iliocostalis
    arises 'from the common erector spinae tendon', so erector spinae's origin is its origin too."""
    text = getattr(muscle, fact)
    keys = set(landmark_keys(text))
    for other in kb.muscles:
        if other.slug != muscle.slug and _mentions(text, other):
            keys |= landmark_keys(getattr(other, fact))
    return frozenset(keys)


def _base_name(muscle: MuscleFacts) -> str:
    return _name_core(muscle.name)


@lru_cache(maxsize=1024)
def _name_core(name: str) -> str:
    return re.sub(r"\s*\(.*\)$", "", name).strip().lower()


@lru_cache(maxsize=8192)
def _mentions_name(text: str, name: str) -> bool:
    return bool(re.search(rf"\b{re.escape(name)}\b", (text or "").lower()))


def _mentions(text: str, muscle: MuscleFacts) -> bool:
    return _mentions_name(text or "", _base_name(muscle))


def is_structure(muscle: MuscleFacts) -> bool:
    """The knowledge base includes structures that are not muscles (the iliotibial tract)."""
    text = " ".join([muscle.origin, muscle.insertion, muscle.referred_pain]).lower()
    return "not a muscle" in text


def _landmark_phrase(text: str) -> str:
    """'the lesser trochanter of the femur', "Gerdy's tubercle", 'the 12th rib'."""
    if re.match(r"^[A-Z][a-z]+'s\b", text):
        return text
    if re.match(r"^(A|An|The)\b", text):
        return _lower_first(text)
    return "the " + _lower_first(text)


def _by_proximity(target: MuscleFacts, muscles, rng: random.Random) -> list[MuscleFacts]:
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


def _disjoint_first(candidates: list, keys_of) -> list:
    """Reorder so that candidates sharing no key with an earlier one come first: three distractors
    about three different things make a fairer question than three variations of one."""
    first, rest, seen = [], [], set()
    for item in candidates:
        keys = set(keys_of(item))
        (rest if keys & seen else first).append(item)
        if not keys & seen:
            seen |= keys
    return first + rest


def _pick(candidates, count: int, distinct=lambda item: item):
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


def _varied(candidates: list[tuple[MuscleFacts, str]], count: int) -> list[tuple[MuscleFacts, str]]:
    """Distractors naming different landmarks first ('lesser trochanter' once, not twice), then any
    other distinct text if there are not enough."""
    picked, seen_keys, seen_texts = [], set(), set()
    for strict in (True, False):
        for other, shown in candidates:
            keys, text = landmark_keys(shown), normalise(shown)
            if text in seen_texts or (strict and keys & seen_keys):
                continue
            picked.append((other, shown))
            seen_keys |= keys
            seen_texts.add(text)
            if len(picked) == count:
                return picked
    return picked


FACT_VERB = {"origin": "arise", "insertion": "insert"}
FACT_NOUN = {"origin": "origin", "insertion": "insertion"}


def attachment_question(kb: KnowledgeBase, muscle: MuscleFacts, fact: str, seed: int) -> QuestionSpec | None:
    """'Where does X arise / insert?': the key is X's fact, distractors the same fact of nearby muscles."""
    key = f"{fact}:{muscle.slug}"
    correct = attachment_text(kb, muscle, fact)
    if not correct:
        return None
    rng = _rng(seed, key)
    candidates = []
    for other in _by_proximity(muscle, kb.muscles, rng):
        shown = attachment_text(kb, other, fact)
        if (
            shown
            and not attachment_is_also_true(kb, shown, muscle, fact, owner=other)
            and normalise(shown) != normalise(correct)
        ):
            candidates.append((other, shown))
    distractors = _varied(candidates, 3)
    if len(distractors) < 2:
        return None
    options = [OptionSpec(correct, True)] + [OptionSpec(shown) for _, shown in distractors]
    _order(options, seed, key)
    explanation = (
        f"{FACT_NOUN[fact].capitalize()} of {_subject(muscle)}: {_sentence(getattr(muscle, fact))} "
        f"The other choices are the {FACT_NOUN[fact]}s of {_and_list([_subject(m) for m, _ in distractors])}."
    )
    if is_structure(muscle):
        stem = f"Where is {_subject(muscle)} attached {'above' if fact == 'origin' else 'below'}?"
    elif _is_plural(muscle.name):
        stem = (
            f"Where do {_subject(muscle)} arise (their origin)?"
            if fact == "origin"
            else f"Where do {_subject(muscle)} insert?"
        )
    else:
        stem = (
            f"Where does {_subject(muscle)} arise (its origin)?"
            if fact == "origin"
            else f"Where does {_subject(muscle)} insert?"
        )
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="attachments",
        stem=stem,
        explanation=explanation,
        difficulty=3 if fact == "origin" else 2,
        options=options,
        muscle=muscle.slug,
        about_muscles=(muscle.slug,),
        tags=("generated", fact),
    )


def inserts_on_question(kb: KnowledgeBase, muscle: MuscleFacts, seed: int) -> QuestionSpec | None:
    """'Which muscle inserts on <X's insertion>?': muscles sharing any part of it are never offered."""
    key = f"inserts-on:{muscle.slug}"
    shown = attachment_text(kb, muscle, "insertion")
    if not shown or is_structure(muscle):
        return None
    rng = _rng(seed, key)
    others = [
        other
        for other in _by_proximity(muscle, kb.muscles, rng)
        if ("insertion", other.slug) not in SKIPPED_FACTS
        and not is_structure(other)
        and not attachment_is_also_true(kb, shown, other, "insertion", owner=muscle)
    ]
    distractors = others[:3]
    if len(distractors) < 2:
        return None
    options = [OptionSpec(muscle.name, True)] + [OptionSpec(m.name) for m in distractors]
    _order(options, seed, key)
    explanation = (
        f"Insertion of {_subject(muscle)}: {_sentence(muscle.insertion)} The others insert elsewhere: "
        + "; ".join(
            f"{_subject(m)} on {_landmark_phrase(attachment_text(kb, m, 'insertion') or short_fact(m.insertion))}"
            for m in distractors
        )
        + "."
    )
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="attachments",
        stem=f"Which muscle inserts on {_landmark_phrase(shown)}?",
        explanation=explanation,
        difficulty=2,
        options=options,
        muscle=muscle.slug,
        about_muscles=(muscle.slug,),
        tags=("generated", "insertion"),
    )


# Matching draws four muscles from one area. Muscles of a single region share too many landmarks
# (three gluteals on the greater trochanter, three adductors on the linea aspera) for four
# unambiguous pairs, so neighbouring regions are pooled.
MATCHING_AREAS = {
    "hip-thigh": ("the hip and thigh", ["hip", "thigh"]),
    "trunk-neck": ("the back, abdomen and neck", ["lumbar", "abdomen", "neck_shoulder"]),
}


def matching_questions(kb: KnowledgeBase, fact: str, seed: int, per_area: int = 2) -> list[QuestionSpec]:
    """Match four muscles of one area to their origins (or insertions). Every shown text must be
    true of its own muscle only, so no two pairs can be swapped."""
    specs = []
    for area, (label, regions) in MATCHING_AREAS.items():
        rng = _rng(seed, f"match-{fact}:{area}")
        pool = [
            (m, attachment_text(kb, m, fact))
            for m in kb.muscles
            if m.region in regions and not is_structure(m)
        ]
        pool = [(m, text) for m, text in pool if text]
        rng.shuffle(pool)
        used: set[str] = set()
        for n in range(1, per_area + 1):
            group = _matching_group(kb, [p for p in pool if p[0].slug not in used], fact)
            if group is None:
                break
            used |= {m.slug for m, _ in group}
            specs.append(_matching_spec(group, fact, area, label, n, seed))
    return specs


def _matching_group(kb: KnowledgeBase, pool, fact: str, size: int = 4):
    group = []
    for muscle, text in pool:
        clash = any(
            attachment_is_also_true(kb, text, other, fact, owner=muscle)
            or attachment_is_also_true(kb, other_text, muscle, fact, owner=other)
            for other, other_text in group
        )
        if not clash:
            group.append((muscle, text))
        if len(group) == size:
            return group
    return None


def _matching_spec(group, fact: str, area: str, label: str, n: int, seed: int) -> QuestionSpec:
    options = [OptionSpec(m.name, True, text) for m, text in group]
    _order(options, seed, f"match-{fact}:{area}:{n}")
    explanation = " ".join(f"{m.name}: {_sentence(getattr(m, fact))}" for m, _ in group)
    return QuestionSpec(
        key=f"match-{fact}:{area}:{n}",
        kind="matching",
        topic="attachments",
        stem=f"Match each muscle of {label} to its {FACT_NOUN[fact]}.",
        explanation=explanation,
        difficulty=2,
        options=options,
        about_muscles=tuple(m.slug for m, _ in group),
        tags=("generated", fact, "matching"),
    )


# ---------------------------------------------------------------- actions


def _clean_action(text: str) -> str:
    # "(with iliacus)", ", together with psoas major" would give the muscle away as a distractor.
    text = re.sub(r"\s*\((with|and) [^)]*\)", "", text)
    text = re.sub(r",\s*(together )?with [^,;.]*$", "", text.strip().rstrip("."))
    return " ".join(text.split()).rstrip(".")


def _names_a_muscle(text: str, kb: KnowledgeBase) -> bool:
    """'With gluteus medius and TFL, steadies the pelvis' reads as borrowed from another muscle."""
    return any(
        _mentions(text, m) or any(_mentions_name(text, a.lower()) for a in m.aliases if len(a) > 2)
        for m in kb.muscles
    )


# "The long head ...", "Middle fibres ...": as a distractor this names a part the asked muscle may
# not have, which gives the answer away.
PART_QUALIFIER = re.compile(
    r"^(the\s+)?((long|short)\s+head|[a-z]+\s+part\b|(upper|middle|lower|front|back|anterior|posterior|deep|"
    r"superficial)(\s+and\s+\w+)?\s+fib(re|er)s)",
    re.IGNORECASE,
)


def _usable_actions(muscle: MuscleFacts) -> list[str]:
    """Actions fit to be shown: certain, and specific enough to be checked against others."""
    parts = frozenset(p for a in muscle.actions for p in action_parts(a))
    return [_clean_action(a) for a in muscle.actions if not is_hedged(a) and action_keys(a, parts)]


def _action_distractors(muscle: MuscleFacts, kb: KnowledgeBase, rng: random.Random, count: int):
    own_keys = muscle_action_keys(list(muscle.actions))
    own_texts = {normalise(_clean_action(a)) for a in muscle.actions}
    candidates = []
    for other in _by_proximity(muscle, kb.muscles, rng):
        if ("action", other.slug) in SKIPPED_FACTS:
            continue
        parts = frozenset(p for a in other.actions for p in action_parts(a))
        for action in other.actions:
            if is_hedged(action) or PART_QUALIFIER.search(action):
                continue
            keys = expand_action_keys(action_keys(action, parts))
            text = _clean_action(action)
            if (
                keys
                and not keys & own_keys
                and normalise(text) not in own_texts
                and not _names_a_muscle(text, kb)
            ):
                candidates.append((other, text, keys))
    picked, seen_keys = [], set()
    for other, text, keys in candidates:
        if keys & seen_keys:  # two distractors saying the same thing would halve the choice
            continue
        seen_keys |= keys
        picked.append((other, text))
        if len(picked) == count:
            break
    return picked


def action_question(kb: KnowledgeBase, muscle: MuscleFacts, seed: int) -> QuestionSpec | None:
    key = f"action:{muscle.slug}"
    if ("action", muscle.slug) in SKIPPED_FACTS:
        return None
    usable = _usable_actions(muscle)
    if not usable:
        return None
    rng = _rng(seed, key)
    correct = rng.choice(usable)
    distractors = _action_distractors(muscle, kb, rng, 3)
    if len(distractors) < 2:
        return None
    options = [OptionSpec(correct, True)] + [OptionSpec(text) for _, text in distractors]
    _order(options, seed, key)
    explanation = (
        f"{muscle.name}: {'; '.join(_clean_action(a) for a in muscle.actions)}. "
        f"The other choices belong to other muscles: "
        + "; ".join(f"{_name_lower(text)} ({_name_lower(m.name)})" for m, text in distractors)
        + "."
    )
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="attachments",
        stem=f"Which of these is an action of {_subject(muscle)}?",
        explanation=explanation,
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
    rng = _rng(seed, key)
    correct = rng.sample(usable, 3 if len(usable) >= 4 else 2)
    distractors = _action_distractors(muscle, kb, rng, 2)
    if len(distractors) < 2:
        return None
    options = [OptionSpec(text, True) for text in correct] + [OptionSpec(text) for _, text in distractors]
    _order(options, seed, key)
    explanation = (
        f"{muscle.name}: {'; '.join(_clean_action(a) for a in muscle.actions)}. Not its actions: "
        + "; ".join(f"{_name_lower(text)} ({_name_lower(m.name)})" for m, text in distractors)
        + "."
    )
    return QuestionSpec(
        key=key,
        kind="multiple_response",
        topic="attachments",
        stem=f"Which of these are actions of {_subject(muscle)}? Select all that apply.",
        explanation=explanation,
        difficulty=2,
        options=options,
        muscle=muscle.slug,
        about_muscles=(muscle.slug,),
        tags=("generated", "action"),
    )


# ---------------------------------------------------------------- referred pain


def body_map_question(kb: KnowledgeBase, muscle: MuscleFacts, seed: int) -> QuestionSpec | None:
    if not muscle.zones:
        return None
    names = {z.code: z.name for z in kb.zones}
    listed = ", ".join(_lower_first(names.get(code, code)) for code in muscle.zones)
    explanation = f"Pain referred from {_name_lower(muscle.name)} trigger points: {listed}. "
    if muscle.referred_pain:
        explanation += _sentence(muscle.referred_pain)
    return QuestionSpec(
        key=f"referral:{muscle.slug}",
        kind="body_map",
        topic="referred_pain",
        stem=f"Select the zones where trigger points in {_subject(muscle)} typically refer pain.",
        explanation=explanation,
        difficulty=3 if len(muscle.zones) > 4 else 2,
        zones=muscle.zones,
        muscle=muscle.slug,
        about_muscles=(muscle.slug,),
        tags=("generated", "body-map"),
    )


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
    lowered = _lower_first(name)
    if re.match(r"^(around|along|between|behind|above|below|over|under)\b", lowered):
        return lowered
    return "the " + lowered


def referral_zone_question(kb: KnowledgeBase, zone: ZoneFacts, seed: int) -> QuestionSpec | None:
    """'Trigger points in which muscle refer pain to <zone>?': distractors refer nowhere near it."""
    key = f"referral-zone:{zone.code}"
    referring = [m for m in kb.muscles if zone.code in m.zones]
    if not referring:
        return None
    rng = _rng(seed, key)
    correct = rng.choice(referring)
    distractors = [
        m
        for m in _by_proximity(correct, kb.muscles, rng)
        if m.zones and not any(zones_near(zone.code, c) for c in m.zones)
    ][:3]
    if len(distractors) < 2:
        return None
    options = [OptionSpec(correct.name, True)] + [OptionSpec(m.name) for m in distractors]
    _order(options, seed, key)
    names = {z.code: z.name for z in kb.zones}
    explanation = (
        f"{correct.name} refers pain to {_zone_phrase(zone.name)}. "
        + (_sentence(correct.referred_pain) + " " if correct.referred_pain else "")
        + "The others refer elsewhere: "
        + "; ".join(
            f"{_name_lower(m.name)} to {', '.join(_lower_first(names.get(c, c)) for c in m.zones)}"
            for m in distractors
        )
        + "."
    )
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="referred_pain",
        stem=f"Trigger points in which of these muscles typically refer pain to {_zone_phrase(zone.name)}?",
        explanation=explanation,
        difficulty=2,
        options=options,
        muscle=correct.slug,
        about_muscles=(correct.slug,),
        tags=("generated", "referral"),
    )


# ---------------------------------------------------------------- red flags


def red_flag_action_question(flag: FlagFacts) -> QuestionSpec | None:
    if flag.level not in ACTION_LEVEL_TEXT:
        return None
    options = [OptionSpec(text, level == flag.level) for level, text in ACTION_LEVEL_TEXT.items()]
    explanation = f"This can point to {_lower_first(flag.condition)}. {_sentence(flag.action)}"
    if flag.why:
        explanation += " " + _sentence(flag.why)
    return QuestionSpec(
        key=f"red-flag-action:{flag.slug}",
        kind="single_choice",
        topic="red_flags",
        stem=f"A client with back pain tells you, or you notice: {_lower_first(_sentence(flag.sign))} "
        f"What is the right action?",
        explanation=explanation,
        difficulty=FLAG_DIFFICULTY.get(flag.level, 2),
        options=options,
        red_flag=flag.slug,
        critical=flag.level in CRITICAL_LEVELS,
        about_flags=(flag.slug,),
        tags=("generated", "action-level"),
    )


def condition_keys(text: str) -> frozenset[str]:
    lowered = (text or "").lower()
    return frozenset(k for k, pattern in CONDITION_KEYS.items() if re.search(pattern, lowered))


NOT_A_CONDITION = re.compile(r"chance|probability|likelihood|missed|review|re-?assess", re.IGNORECASE)


def _names_a_condition(flag: FlagFacts) -> bool:
    """'Higher chance of serious disease' or 'missed pathology' are reasons to refer, not diagnoses."""
    text = _condition_text(flag)
    return bool(condition_keys(text)) and not NOT_A_CONDITION.search(flag.condition)


def _condition_text(flag: FlagFacts) -> str:
    """The condition without its asides: 'Spinal infection (osteomyelitis, ...)' -> 'Spinal infection'."""
    return short_fact(re.sub(r"\s*\([^)]*\)", "", flag.condition), limit=90)


def red_flag_condition_question(kb: KnowledgeBase, flag: FlagFacts, seed: int) -> QuestionSpec | None:
    """'What could this sign point to?': distractor conditions share nothing with the right one."""
    key = f"red-flag-condition:{flag.slug}"
    own = condition_keys(flag.condition)  # the full text, asides included: the cautious side
    if not _names_a_condition(flag):
        return None  # "missed pathology", "higher prior probability": not a condition to name
    rng = _rng(seed, key)
    others = [f for f in kb.flags if f.slug != flag.slug]
    rng.shuffle(others)
    candidates = [f for f in others if _names_a_condition(f) and not condition_keys(f.condition) & own]
    distractors = _pick(
        _disjoint_first(candidates, lambda f: condition_keys(_condition_text(f))),
        3,
        distinct=lambda f: condition_keys(_condition_text(f)),
    )
    if len(distractors) < 2:
        return None
    options = [OptionSpec(_condition_text(flag), True)] + [
        OptionSpec(_condition_text(f)) for f in distractors
    ]
    _order(options, seed, key)
    explanation = f"{_sentence(flag.sign)} The concern is {_lower_first(_sentence(flag.condition))} {_sentence(flag.action)}"
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="red_flags",
        stem=f"Which condition should this warning sign make you think of? {_sentence(flag.sign)}",
        explanation=explanation,
        difficulty=2,
        options=options,
        red_flag=flag.slug,
        critical=False,
        about_flags=(flag.slug,),
        tags=("generated", "condition"),
    )


# ---------------------------------------------------------------- hand-written


def vignettes_load(path: Path = DATA_DIR / "vignettes.yaml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def manual_questions_load(path: Path = DATA_DIR / "manual_questions.yaml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def vignette_spec(vignette: dict) -> QuestionSpec:
    answer = vignette["answer"]
    if answer not in ACTION_LEVEL_TEXT:
        raise ValueError(f"vignette {vignette['slug']}: unknown answer {answer!r}")
    flags = tuple(vignette.get("red_flags") or ())
    story = " ".join(vignette["story"].split())
    return QuestionSpec(
        key=f"vignette:{vignette['slug']}",
        kind="case_vignette",
        topic="red_flags",
        stem=story,  # the quiz page asks "What should you do?" under every vignette
        explanation=" ".join(vignette["explanation"].split()),
        difficulty=int(vignette.get("difficulty", 2)),
        options=[OptionSpec(text, level == answer) for level, text in ACTION_LEVEL_TEXT.items()],
        red_flag=flags[0] if flags else None,
        critical=answer in CRITICAL_LEVELS,
        about_flags=flags,
        tags=("vignette",),
    )


def manual_spec(item: dict) -> QuestionSpec:
    kind = item["kind"]
    if kind == "true_false":
        answer = bool(item["answer"])
        options = [OptionSpec("True", answer), OptionSpec("False", not answer)]
    elif kind == "ordering":
        options = [OptionSpec(str(text)) for text in item["items"]]
    else:
        raise ValueError(f"manual question {item['slug']}: unsupported kind {kind!r}")
    return QuestionSpec(
        key=f"manual:{item['slug']}",
        kind=kind,
        topic=item["topic"],
        stem=" ".join(item["stem"].split()),
        explanation=" ".join(item["explanation"].split()),
        difficulty=int(item.get("difficulty", 2)),
        options=options,
        muscle=item.get("muscle"),
        red_flag=item.get("red_flag"),
        critical=bool(item.get("critical", False)),
        about_muscles=(item["muscle"],) if item.get("muscle") else (),
        about_flags=(item["red_flag"],) if item.get("red_flag") else (),
        tags=("handwritten",),
    )


# ---------------------------------------------------------------- all together


def questions_build(kb: KnowledgeBase, seed: int = DEFAULT_SEED) -> list[QuestionSpec]:
    """Every question, generated and hand-written, in a stable order. Pure: no database access
    except the region labels used in matching stems."""
    specs: list[QuestionSpec | None] = []
    for muscle in kb.muscles:
        specs += [
            attachment_question(kb, muscle, "origin", seed),
            attachment_question(kb, muscle, "insertion", seed),
            inserts_on_question(kb, muscle, seed),
            action_question(kb, muscle, seed),
            actions_multiple_question(kb, muscle, seed),
            body_map_question(kb, muscle, seed),
        ]
    specs += matching_questions(kb, "insertion", seed)
    specs += matching_questions(kb, "origin", seed)
    specs += [referral_zone_question(kb, zone, seed) for zone in kb.zones]
    for flag in kb.flags:
        specs += [red_flag_action_question(flag), red_flag_condition_question(kb, flag, seed)]
    specs += [vignette_spec(v) for v in vignettes_load()]
    specs += [manual_spec(item) for item in manual_questions_load()]
    built = [spec for spec in specs if spec is not None]
    duplicates = [key for key, n in Counter(s.key for s in built).items() if n > 1]
    if duplicates:
        raise ValueError(f"duplicate question keys: {duplicates}")
    return built


# ---------------------------------------------------------------- where each question is taught


@dataclass
class ModuleIndex:
    """For one course: which module (and section) teaches each muscle and red flag."""

    muscle_cards: dict = field(default_factory=dict)  # muscle slug -> (module_id, anchor)
    flag_cards: dict = field(default_factory=dict)  # flag slug -> (module_id, anchor)
    mentions: list = field(default_factory=list)  # [(module_id, [(anchor, lowercase text)])]
    red_flag_module: tuple | None = None  # the module with the most red-flag callouts

    def for_muscle(self, muscle: MuscleFacts | None) -> tuple | None:
        if muscle is None:
            return None
        if muscle.slug in self.muscle_cards:
            return self.muscle_cards[muscle.slug]
        names, aliases = _mention_terms(muscle)
        return self._most_mentions(names) or self._most_mentions(aliases)

    def _most_mentions(self, terms: list[str]) -> tuple | None:
        """The module that names the terms most often (the first on a tie), at its first mention."""
        patterns = [re.compile(rf"\b{re.escape(term.lower())}\b") for term in terms]
        best, best_count = None, 0
        for module_id, sections in self.mentions:
            count, first_anchor = 0, None
            for anchor, text in sections:
                found = sum(len(p.findall(text)) for p in patterns)
                if found and first_anchor is None:
                    first_anchor = anchor
                count += found
            if count > best_count:
                best, best_count = (module_id, first_anchor), count
        return best

    def for_flag(self, slug: str | None) -> tuple | None:
        return self.flag_cards.get(slug) if slug else None


def _mention_terms(muscle: MuscleFacts) -> tuple[list[str], list[str]]:
    """(names, aliases). Aliases are shared ("hamstrings", "inner thigh") and would send every
    member of a group to one place, so they only count where the name itself never appears."""
    names = [t for t in dict.fromkeys([muscle.name, re.sub(r"\s*\(.*\)$", "", muscle.name)]) if len(t) > 3]
    aliases = [a for a in muscle.aliases if len(a) > 3 and "(" not in a and "group" not in a.lower()]
    return names, aliases


def _raw_text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(_raw_text(v) for k, v in value.items() if k not in {"id", "type"})
    if isinstance(value, list):
        return " ".join(_raw_text(v) for v in value)
    return ""


def module_index_build(course) -> ModuleIndex:
    """Scan the raw StreamField data of the course's modules (no per-block queries)."""
    from content.models import Muscle, RedFlag
    from courses.models import ModulePage

    index = ModuleIndex()
    if course is None:
        return index
    muscle_slugs = dict(Muscle.objects.values_list("pk", "slug"))
    flag_slugs = dict(RedFlag.objects.values_list("pk", "slug"))
    best_flag_count = 0
    for module in ModulePage.objects.child_of(course).order_by("path"):
        anchor, sections, flag_count = "", [], 0
        for block in module.body.raw_data:
            kind, value = block.get("type"), block.get("value") or {}
            if kind == "heading" and isinstance(value, dict):
                anchor = (value.get("anchor") or "").strip()
            elif kind == "muscle_card" and isinstance(value, dict):
                slug = muscle_slugs.get(value.get("muscle"))
                if slug:
                    index.muscle_cards.setdefault(slug, (module.pk, anchor))
            elif kind == "red_flag" and isinstance(value, dict):
                slug = flag_slugs.get(value.get("red_flag"))
                flag_count += 1
                if slug:
                    index.flag_cards.setdefault(slug, (module.pk, anchor))
            text = re.sub(r"<[^>]+>", " ", _raw_text(value)).lower()
            sections.append((anchor, text))
        index.mentions.append((module.pk, sections))
        if flag_count > best_flag_count:
            best_flag_count, index.red_flag_module = flag_count, (module.pk, "")
    return index


def specs_link(specs: list[QuestionSpec], kb: KnowledgeBase, index: ModuleIndex) -> None:
    """Set module and section of each spec from what it is about (first muscle or flag that is taught)."""
    muscles = {m.slug: m for m in kb.muscles}
    for spec in specs:
        place = None
        for slug in spec.about_flags:
            place = place or index.for_flag(slug)
        for slug in spec.about_muscles:
            place = place or index.for_muscle(muscles.get(slug))
        if place is None and spec.topic == "red_flags":
            place = index.red_flag_module
        spec.module_id, spec.section_anchor = place if place else (None, "")


# ---------------------------------------------------------------- sync


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_edited: int = 0
    invalid: list = field(default_factory=list)
    stale: list = field(default_factory=list)
    by_topic: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"kept (edited by an instructor) {self.kept_edited}",
            "by topic: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_topic.items())),
            "by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())),
        ]
        if self.invalid:
            out.append(f"skipped as invalid: {', '.join(self.invalid)}")
        if self.stale:
            out.append(
                f"no longer generated (retired unless an instructor edited them): {', '.join(self.stale)}"
            )
        return out


def stored_content(question) -> dict:
    """The canonical content of a saved question (expects options and zones prefetched)."""
    options = sorted(question.options.all(), key=lambda o: (o.sort_order or 0, o.pk or 0))
    return question_content(
        kind=question.kind,
        stem=question.stem,
        explanation=question.explanation,
        topic=question.topic,
        difficulty=question.difficulty,
        critical=question.critical,
        muscle=question.muscle.slug if question.muscle_id else None,
        red_flag=question.red_flag.slug if question.red_flag_id else None,
        module_id=question.module_id,
        section_anchor=question.section_anchor,
        options=[(o.text, o.is_correct, o.match_text) for o in options],
        zones=[z.code for z in question.correct_zones.all()],
    )


def question_is_edited(question) -> bool:
    return content_checksum(stored_content(question)) != question.generator_checksum


def _spec_apply(question, spec: QuestionSpec, refs: dict) -> None:
    from .models import QuestionOption

    question.kind, question.topic, question.stem = spec.kind, spec.topic, spec.stem
    question.explanation, question.difficulty, question.critical = (
        spec.explanation,
        spec.difficulty,
        spec.critical,
    )
    question.muscle = refs["muscles"].get(spec.muscle)
    question.red_flag = refs["flags"].get(spec.red_flag)
    question.module_id, question.section_anchor = spec.module_id, spec.section_anchor
    question.options = [
        QuestionOption(text=o.text, is_correct=o.is_correct, match_text=o.match_text, sort_order=n)
        for n, o in enumerate(spec.options)
    ]
    question.correct_zones = [refs["zones"][code] for code in spec.zones if code in refs["zones"]]
    question.generator_key = spec.key
    question.generator_checksum = spec.checksum


def _spec_errors(spec: QuestionSpec) -> dict:
    from .models import question_errors

    options = [{"text": o.text, "is_correct": o.is_correct, "match_text": o.match_text} for o in spec.options]
    return question_errors(spec.kind, options, len(spec.zones))


def specs_sync(specs: list[QuestionSpec], *, user=None) -> SyncReport:
    """Write specs to the question bank; idempotent, instructors' edits kept."""
    from content.models import BodyZone, Muscle, RedFlag

    from .models import Question

    report = SyncReport()
    refs = {
        "muscles": {m.slug: m for m in Muscle.objects.all()},
        "flags": {f.slug: f for f in RedFlag.objects.all()},
        "zones": {z.code: z for z in BodyZone.objects.all()},
    }
    for spec in specs:  # names that are not (yet) in the knowledge base are left empty
        if spec.muscle not in refs["muscles"]:
            spec.muscle = None
        if spec.red_flag not in refs["flags"]:
            spec.red_flag = None
    existing = {
        q.generator_key: q
        for q in Question.objects.filter(generator_key__isnull=False)
        .select_related("muscle", "red_flag")
        .prefetch_related("options", "correct_zones", "tagged_items__tag")
    }
    saved = []
    with transaction.atomic():
        for spec in specs:
            errors = _spec_errors(spec)
            if errors:
                logger.warning("Question %s not saved: %s", spec.key, errors)
                report.invalid.append(spec.key)
                continue
            question = existing.get(spec.key)
            if question is None:
                question = Question()
                _spec_apply(question, spec, refs)
                question.tags.add(*spec.tags)
                report.created += 1
            elif question_is_edited(question):
                report.kept_edited += 1
                _count(report, question)
                continue
            elif question.generator_checksum == spec.checksum:
                report.unchanged += 1
                _count(report, question)
                _stale_revive(question)
                continue
            else:
                _spec_apply(question, spec, refs)
                _stale_revive(question, save=False)
                report.updated += 1
            question.save()
            saved.append(question)
            _count(report, question)
        produced = {spec.key for spec in specs}
        for key in sorted(set(existing) - produced):
            _stale_retire(existing[key], report)
        _revisions_record(saved, user)
    return report


STALE_TAG = "no-longer-generated"


def _stale_revive(question, *, save: bool = True) -> None:
    """Put back a question an earlier run retired as stale, now that it is generated again."""
    if STALE_TAG not in {item.tag.name for item in question.tagged_items.all()}:
        return
    question.retired = False
    question.tags.remove(STALE_TAG)
    if save:
        question.save()


def _stale_retire(question, report: SyncReport) -> None:
    """A generated question the generator no longer produces (its muscle left the knowledge base,
    or its distractors are no longer safe) is retired, unless an instructor has made it their own."""
    if question.retired:
        return  # retired earlier (by a run like this or by an instructor): nothing new to report
    report.stale.append(question.generator_key)
    if question_is_edited(question):
        return
    question.retired = True
    question.tags.add(STALE_TAG)
    question.save()


def _revisions_record(questions: list, user) -> None:
    """One revision per created or updated question, so its history shows what the generator wrote.

    What `save_revision()` does for a model without drafts, in two bulk queries: calling it per
    question saves (and re-indexes) every question a second time."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Revision

    from .models import Question

    if not questions:
        return
    content_type = ContentType.objects.get_for_model(Question)
    base_content_type = questions[0].get_base_content_type()
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        [
            Revision(
                content_type=content_type,
                base_content_type=base_content_type,
                object_id=str(q.pk),
                user=user,
                content=q.serializable_data(),
                object_str=str(q),
                created_at=now,
            )
            for q in questions
        ]
    )
    for question, revision in zip(questions, revisions):
        question.latest_revision = revision
    Question.objects.bulk_update(questions, ["latest_revision"], batch_size=200)


def _count(report: SyncReport, question) -> None:
    report.by_topic[question.topic] += 1
    report.by_kind[question.kind] += 1


def course_find(slug: str | None = None):
    from courses.models import CoursePage

    if slug:
        return CoursePage.objects.filter(slug=slug).first()
    return (
        CoursePage.objects.filter(slug=DEFAULT_COURSE_SLUG).first()
        or CoursePage.objects.order_by("path").first()
    )


def question_bank_generate(*, seed: int = DEFAULT_SEED, course=None, user=None) -> SyncReport:
    """Build every question from the knowledge base and the data files, link each to the module
    of `course` that teaches it, and write them to the question bank."""
    kb = knowledge_base_read()
    specs = questions_build(kb, seed)
    specs_link(specs, kb, module_index_build(course))
    return specs_sync(specs, user=user)
