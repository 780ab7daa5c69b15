"""Questions on origins and insertions: 'Where does X arise / insert?', 'Which muscle inserts on Y?'
and matching four muscles to their attachments. A distractor is never also (part of) the right answer."""

import logging
from functools import lru_cache

from .drawing import by_proximity, options_order, rng_for, shuffled_options
from .fact_keys import landmark_keys, normalise, short_fact
from .facts import SKIPPED_FACTS, KnowledgeBase, MuscleFacts, is_structure
from .kinesiology import overlapping
from .muscle_mentions import mentions
from .specs import OptionSpec, QuestionSpec
from .wording import and_list, is_plural, landmark_phrase, sentence, subject

logger = logging.getLogger(__name__)

# Matching draws four muscles from one area. Muscles of a single region share too many landmarks
# (three gluteals on the greater trochanter, three adductors on the linea aspera) for four
# unambiguous pairs, so neighbouring regions are pooled.
MATCHING_AREAS = {
    "hip-thigh": ("the hip and thigh", ["hip", "thigh"]),
    "trunk-neck": ("the back, abdomen and neck", ["lumbar", "abdomen", "neck_shoulder"]),
}


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
    if mentions(shown, muscle) or any(mentions(shown, m) for m in kb.muscles if _related(m, muscle)):
        return True
    return owner is not None and _related(owner, muscle)


@lru_cache(maxsize=4096)
def _related(a: MuscleFacts, b: MuscleFacts) -> bool:
    """One names the other in its origin or insertion ("a tendon shared with iliacus", "splits into
    iliocostalis, longissimus and spinalis")."""
    if a.slug == b.slug:
        return False
    if overlapping(a.slug, b.slug):
        return True
    return any(mentions(getattr(a, f), b) or mentions(getattr(b, f), a) for f in ("origin", "insertion"))


def fact_landmarks(kb: KnowledgeBase, muscle: MuscleFacts, fact: str) -> frozenset[str]:
    """Landmarks of a muscle's origin/insertion, plus those of any muscle its text names: iliocostalis
    arises 'from the common erector spinae tendon', so erector spinae's origin is its origin too."""
    text = getattr(muscle, fact)
    keys = set(landmark_keys(text))
    for other in kb.muscles:
        if other.slug != muscle.slug and mentions(text, other):
            keys |= landmark_keys(getattr(other, fact))
    return frozenset(keys)


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


# ---------------------------------------------------------------- where does X arise / insert?


def attachment_question(kb: KnowledgeBase, muscle: MuscleFacts, fact: str, seed: int) -> QuestionSpec | None:
    """'Where does X arise / insert?': the key is X's fact, distractors the same fact of nearby muscles."""
    key = f"{fact}:{muscle.slug}"
    correct = attachment_text(kb, muscle, fact)
    if not correct:
        return None
    distractors = _varied(_attachment_candidates(kb, muscle, fact, correct, rng_for(seed, key)), 3)
    options = shuffled_options([correct], [shown for _, shown in distractors], seed, key)
    if options is None:
        return None
    explanation = (
        f"{fact.capitalize()} of {subject(muscle)}: {sentence(getattr(muscle, fact))} "
        f"The other choices are the {fact}s of {and_list([subject(m) for m, _ in distractors])}."
    )
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="attachments",
        stem=_attachment_stem(muscle, fact),
        explanation=explanation,
        difficulty=3 if fact == "origin" else 2,
        options=options,
        muscle=muscle.slug,
        about_muscles=(muscle.slug,),
        tags=("generated", fact),
    )


def _attachment_candidates(kb: KnowledgeBase, muscle: MuscleFacts, fact: str, correct: str, rng):
    candidates = []
    for other in by_proximity(muscle, kb.muscles, rng):
        shown = attachment_text(kb, other, fact)
        if (
            shown
            and not attachment_is_also_true(kb, shown, muscle, fact, owner=other)
            and normalise(shown) != normalise(correct)
        ):
            candidates.append((other, shown))
    return candidates


def _attachment_stem(muscle: MuscleFacts, fact: str) -> str:
    if is_structure(muscle):
        return f"Where is {subject(muscle)} attached {'above' if fact == 'origin' else 'below'}?"
    verb, possessive = ("do", "their") if is_plural(muscle.name) else ("does", "its")
    if fact == "origin":
        return f"Where {verb} {subject(muscle)} arise ({possessive} origin)?"
    return f"Where {verb} {subject(muscle)} insert?"


# ---------------------------------------------------------------- which muscle inserts on Y?


def inserts_on_question(kb: KnowledgeBase, muscle: MuscleFacts, seed: int) -> QuestionSpec | None:
    """'Which muscle inserts on <X's insertion>?': muscles sharing any part of it are never offered."""
    key = f"inserts-on:{muscle.slug}"
    shown = attachment_text(kb, muscle, "insertion")
    if not shown or is_structure(muscle):
        return None
    others = [
        other
        for other in by_proximity(muscle, kb.muscles, rng_for(seed, key))
        if ("insertion", other.slug) not in SKIPPED_FACTS
        and not is_structure(other)
        and not attachment_is_also_true(kb, shown, other, "insertion", owner=muscle)
    ]
    distractors = others[:3]
    options = shuffled_options([muscle.name], [m.name for m in distractors], seed, key)
    if options is None:
        return None
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="attachments",
        stem=f"Which muscle inserts on {landmark_phrase(shown)}?",
        explanation=_inserts_on_explanation(kb, muscle, distractors),
        difficulty=2,
        options=options,
        muscle=muscle.slug,
        about_muscles=(muscle.slug,),
        tags=("generated", "insertion"),
    )


def _inserts_on_explanation(kb: KnowledgeBase, muscle: MuscleFacts, distractors: list[MuscleFacts]) -> str:
    elsewhere = "; ".join(
        f"{subject(m)} on {landmark_phrase(attachment_text(kb, m, 'insertion') or short_fact(m.insertion))}"
        for m in distractors
    )
    return f"Insertion of {subject(muscle)}: {sentence(muscle.insertion)} The others insert elsewhere: {elsewhere}."


# ---------------------------------------------------------------- matching


def matching_questions(kb: KnowledgeBase, fact: str, seed: int, per_area: int = 2) -> list[QuestionSpec]:
    """Match four muscles of one area to their origins (or insertions). Every shown text must be
    true of its own muscle only, so no two pairs can be swapped."""
    specs = []
    for area, (label, regions) in MATCHING_AREAS.items():
        pool = _matching_pool(kb, fact, regions, rng_for(seed, f"match-{fact}:{area}"))
        used: set[str] = set()
        for n in range(1, per_area + 1):
            group = _matching_group(kb, [p for p in pool if p[0].slug not in used], fact)
            if group is None:
                break
            used |= {m.slug for m, _ in group}
            specs.append(_matching_spec(group, fact, area, label, n, seed))
    return specs


def _matching_pool(kb: KnowledgeBase, fact: str, regions: list[str], rng) -> list[tuple[MuscleFacts, str]]:
    pool = [
        (m, attachment_text(kb, m, fact)) for m in kb.muscles if m.region in regions and not is_structure(m)
    ]
    pool = [(m, text) for m, text in pool if text]
    rng.shuffle(pool)
    return pool


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
    options_order(options, seed, f"match-{fact}:{area}:{n}")
    explanation = " ".join(f"{m.name}: {sentence(getattr(m, fact))}" for m, _ in group)
    return QuestionSpec(
        key=f"match-{fact}:{area}:{n}",
        kind="matching",
        topic="attachments",
        stem=f"Match each muscle of {label} to its {fact}.",
        explanation=explanation,
        difficulty=2,
        options=options,
        about_muscles=tuple(m.slug for m, _ in group),
        tags=("generated", fact, "matching"),
    )
