"""Grading: pure Python, no database. The same rules are printed on every quiz's intro page.

Every question is worth 1 point; a question scores between 0 and 1:

- single choice, true/false, case vignette: 1 for the correct option, else 0.
- multiple response and body map (zones): (correct picks − wrong picks) ÷ number of correct
  options, never below 0. Ticking every box therefore scores 0 unless every box is correct;
  a question is "correct" only when the picks are exactly the key.
- matching: the share of left-hand items paired with their right-hand side. Each distinct
  right-hand side is listed once and may be picked for several items (two muscles can share an
  insertion); each item is scored on its own, so repeating a guess earns nothing extra.
- ordering: the share of items placed in their correct position.
- an empty or unreadable answer scores 0.

The attempt score is the mean of the question scores × 100 (two decimals). The attempt passes
when the score reaches the pass mark and no critical question was failed: a wrong answer to a
critical (red-flag safety) question fails the attempt whatever the score. On a critical triage
question (the four action levels as options) only under-triage fails it: a level less urgent than
the key, or no level at all. A more urgent level is a wrong answer (no point) but not a critical fail.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SINGLE_KINDS = {"single_choice", "true_false", "case_vignette"}
SET_KINDS = {"multiple_response", "body_map"}

GRADING_SCALE = [
    ("Single choice, true/false, case vignette", "1 point for the correct answer, otherwise 0."),
    (
        "Multiple response, body map",
        "Correct picks minus wrong picks, divided by the number of correct answers (never below 0).",
    ),
    (
        "Matching",
        "The share of items matched correctly (the same right-hand side may be used more than once).",
    ),
    ("Ordering", "The share of items placed in their correct position."),
    (
        "Critical safety questions",
        "A wrong answer fails the attempt whatever the score; on a triage question (which action the "
        "client needs), only a less urgent action than the correct one does.",
    ),
]


def grade(kind: str, key, answer) -> tuple[float, bool]:
    """Score one answer against its key: (score between 0 and 1, exactly right)."""
    if kind in SINGLE_KINDS:
        return _grade_single(key, answer)
    if kind in SET_KINDS:
        return _grade_set(key, answer)
    if kind == "matching":
        return _grade_pairs(key, answer)
    if kind == "ordering":
        return _grade_pairs(key, answer)
    raise ValueError(f"Unknown question kind {kind!r}")


def _grade_single(key, answer) -> tuple[float, bool]:
    right = isinstance(answer, str) and answer == key
    return (1.0, True) if right else (0.0, False)


def _grade_set(key, answer) -> tuple[float, bool]:
    if not isinstance(answer, list) or not key:
        return 0.0, False
    wanted = set(key)
    picked = {a for a in answer if isinstance(a, str)}
    right = len(picked & wanted)
    wrong = len(picked - wanted)
    return max(0.0, (right - wrong) / len(wanted)), picked == wanted


def _grade_pairs(key: dict, answer) -> tuple[float, bool]:
    """Matching ({left: right token}) and ordering ({item: position}): share of items right."""
    if not isinstance(answer, dict) or not key:
        return 0.0, False
    right = sum(1 for item, expected in key.items() if _same(answer.get(item), expected))
    return right / len(key), right == len(key)


def _same(given, expected) -> bool:
    # bool is an int in Python: True must never stand for position 1.
    return type(given) is type(expected) and given == expected


def fails_critical(*, critical: bool, correct: bool, key, answer, urgency: dict | None = None) -> bool:
    """Whether this answer to a question fails the attempt by the critical rule.

    `urgency` ({option id: rank, 0 = most urgent}) is given for a triage question (the four action
    levels as options): then only under-triage fails, i.e. a level less urgent than the key's, or no
    level. Sending a client up a level (over-triage) is scored wrong but is not the unsafe error.
    """
    if not critical or correct:
        return False
    if urgency is None or key not in urgency:
        return True
    if not isinstance(answer, str) or answer not in urgency:
        return True
    return urgency[answer] > urgency[key]


class TriageError:
    """Which way a wrong answer to a triage question missed (see triage_error)."""

    MISSED_REFERRAL = (
        "missed_referral"  # under-triage: no referral (the least urgent level, or none) where one is due
    )
    REFERRED_TOO_LATE = "referred_too_late"  # under-triage: a referral, but less urgent than the key's
    REFERRED_TOO_URGENTLY = "referred_too_urgently"  # over-triage: more urgent than the key's referral
    NEEDLESS_REFERRAL = "needless_referral"  # over-triage: a referral where the key is to treat
    UNDER = {MISSED_REFERRAL, REFERRED_TOO_LATE}


def triage_error(*, correct: bool, key, answer, urgency: dict | None) -> str | None:
    """On a wrong answer to a triage question (`urgency` as for fails_critical; its least urgent level is
    "treat", i.e. no referral), which way it missed: a TriageError value. None when the answer is right,
    the question is not a triage one, or the key is to treat and nothing was chosen (no direction)."""
    if correct or urgency is None or key not in urgency:
        return None
    no_referral = max(urgency.values())
    rank = urgency.get(answer) if isinstance(answer, str) else None
    if urgency[key] == no_referral:
        return TriageError.NEEDLESS_REFERRAL if rank is not None and rank < no_referral else None
    if rank is None or rank == no_referral:
        return TriageError.MISSED_REFERRAL
    if rank > urgency[key]:
        return TriageError.REFERRED_TOO_LATE
    return TriageError.REFERRED_TOO_URGENTLY if rank < urgency[key] else None


@dataclass(frozen=True)
class Outcome:
    score: Decimal
    passed: bool
    failed_critical: bool
    critical_positions: tuple[int, ...]


def attempt_outcome(results: list[tuple[int, float, bool, bool]], pass_mark: int) -> Outcome:
    """results: (position, score 0..1, is_correct, fails_critical) per question; the last is True
    when the answer fails the critical rule (see fails_critical; a plain `critical` flag also works
    for non-triage questions, since a correct answer never fails it)."""
    if results:
        mean = Decimal(str(sum(score for _, score, _, _ in results))) / len(results)
    else:
        mean = Decimal(0)
    percent = (mean * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    critical_wrong = tuple(pos for pos, _, correct, critical in results if critical and not correct)
    passed = percent >= pass_mark and not critical_wrong
    return Outcome(percent, passed, bool(critical_wrong), critical_wrong)
