"""Red-flag questions: the right action for a warning sign (triage), and the condition it points to."""

import re

from ..models import VIGNETTE_ACTION_TEXT
from .drawing import disjoint_first, pick_distinct, rng_for, shuffled_options
from .fact_keys import short_fact
from .facts import FlagFacts, KnowledgeBase
from .specs import OptionSpec, QuestionSpec
from .wording import lower_first, sentence

# Every triage question (red-flag action, case vignette) offers the four levels of the one scale
# (content.ActionLevel), most urgent first; the quiz never shuffles them (quizzes.snapshots).
ACTION_LEVEL_TEXT = VIGNETTE_ACTION_TEXT
CRITICAL_LEVELS = {"emergency", "refer_urgent"}
# Flags whose reference timing falls between two levels of the scale: their action question is still
# keyed and scored, but is not safety-critical, because a learner who reads the flag's own timing
# could defend the neighbouring level (issue 13: critical only when the key follows without ambiguity).
BETWEEN_LEVELS = {
    # "Urgent referral (same week; same day if febrile or very unwell)": the urgent level says same day.
    "unexplained-weight-loss",
}
FLAG_DIFFICULTY = {"emergency": 1, "refer_urgent": 2, "refer_routine": 3}
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
NOT_A_CONDITION = re.compile(r"chance|probability|likelihood|missed|review|re-?assess", re.IGNORECASE)
# Signs only the client can report: a massage therapist neither examines for them nor could notice them.
CLIENT_REPORTED = {"saddle-anaesthesia", "bladder-disturbance", "bowel-incontinence"}


def action_options(answer: str) -> list[OptionSpec]:
    return [OptionSpec(text, level == answer) for level, text in ACTION_LEVEL_TEXT.items()]


def red_flag_action_question(flag: FlagFacts) -> QuestionSpec | None:
    if flag.level not in ACTION_LEVEL_TEXT:
        return None
    explanation = flag_action_quote(flag) + f" This sign can point to {lower_first(sentence(flag.condition))}"
    if flag.why:
        explanation += " " + sentence(flag.why)
    return QuestionSpec(
        key=f"red-flag-action:{flag.slug}",
        kind="single_choice",
        topic="red_flags",
        stem=f"{_action_stem_opening(flag)} {lower_first(sentence(flag.sign))} What is the right action?",
        explanation=explanation,
        difficulty=FLAG_DIFFICULTY.get(flag.level, 2),
        options=action_options(flag.level),
        red_flag=flag.slug,
        critical=flag.level in CRITICAL_LEVELS and flag.slug not in BETWEEN_LEVELS,
        about_flags=(flag.slug,),
        tags=("generated", "action-level"),
    )


def _action_stem_opening(flag: FlagFacts) -> str:
    """'A client with back pain tells you, or you notice:', without saying 'back pain' twice, and
    'tells you' alone for a sign only the client can report."""
    who = "A client" if re.search(r"\bback pain\b", flag.sign, re.IGNORECASE) else "A client with back pain"
    how = "tells you" if flag.slug in CLIENT_REPORTED else "tells you, or you notice"
    return f"{who} {how}:"


def flag_action_quote(flag: FlagFacts) -> str:
    """The red flag's level and its action, word for word: what a critical item's explanation quotes."""
    return f'{VIGNETTE_ACTION_TEXT[flag.level]}. The red-flag card says: "{sentence(flag.action)}"'


def critical_explanations_quote(specs: list[QuestionSpec], kb: KnowledgeBase) -> None:
    """Every safety-critical question's explanation ends by quoting the action of the flag it rests on."""
    flags = {f.slug: f for f in kb.flags}
    for spec in specs:
        flag = flags.get(spec.red_flag) if spec.critical else None
        if flag is not None and sentence(flag.action) not in spec.explanation:
            spec.explanation = f"{spec.explanation} {flag_action_quote(flag)}".strip()


def condition_keys(text: str) -> frozenset[str]:
    lowered = (text or "").lower()
    return frozenset(k for k, pattern in CONDITION_KEYS.items() if re.search(pattern, lowered))


def _names_a_condition(flag: FlagFacts) -> bool:
    """'Higher chance of serious disease' or 'missed pathology' are reasons to refer, not diagnoses."""
    text = _condition_text(flag)
    return bool(condition_keys(text)) and not NOT_A_CONDITION.search(flag.condition)


def _condition_text(flag: FlagFacts) -> str:
    """The condition without its asides: 'Spinal infection (osteomyelitis, ...)' -> 'Spinal infection'."""
    return short_fact(re.sub(r"\s*\([^)]*\)", "", flag.condition), limit=90)


def _condition_distractors(kb: KnowledgeBase, flag: FlagFacts, rng) -> list[FlagFacts]:
    own = condition_keys(flag.condition)  # the full text, asides included: the cautious side
    others = [f for f in kb.flags if f.slug != flag.slug]
    rng.shuffle(others)
    candidates = [f for f in others if _names_a_condition(f) and not condition_keys(f.condition) & own]

    def keys_of(f):
        return condition_keys(_condition_text(f))

    return pick_distinct(disjoint_first(candidates, keys_of), 3, distinct=keys_of)


def red_flag_condition_question(kb: KnowledgeBase, flag: FlagFacts, seed: int) -> QuestionSpec | None:
    """'What could this sign point to?': distractor conditions share nothing with the right one."""
    key = f"red-flag-condition:{flag.slug}"
    if not _names_a_condition(flag):
        return None  # "missed pathology", "higher prior probability": not a condition to name
    distractors = _condition_distractors(kb, flag, rng_for(seed, key))
    options = shuffled_options([_condition_text(flag)], [_condition_text(f) for f in distractors], seed, key)
    if options is None:
        return None
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="red_flags",
        stem=f"Which condition should this warning sign make you think of? {sentence(flag.sign)}",
        explanation=f"{sentence(flag.sign)} The concern is {lower_first(sentence(flag.condition))} "
        f"{sentence(flag.action)}",
        difficulty=2,
        options=options,
        red_flag=flag.slug,
        critical=False,
        about_flags=(flag.slug,),
        tags=("generated", "condition"),
    )
