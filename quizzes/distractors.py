"""Per-choice (distractor) tables of item analysis: how often each option, order or zone was
chosen, by the upper and lower scoring groups (quizzes.analysis builds the groups)."""

from __future__ import annotations

from collections import Counter, defaultdict

from content.models import BodyZone

from .item_statistics import ChoiceStat
from .models import Question, QuestionKind, QuestionOption

CHOICE_KINDS = {
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.TRUE_FALSE,
    QuestionKind.CASE_VIGNETTE,
    QuestionKind.MULTIPLE_RESPONSE,
}
# Matching answers pair items with right-hand tokens drawn afresh for every attempt: grouping them
# would give one group per attempt, so matching questions have no per-choice table.
GROUPED_ANSWER_KINDS = CHOICE_KINDS | {QuestionKind.ORDERING, QuestionKind.BODY_MAP}

# --- per-choice (distractor) analysis -------------------------------------------------------------


def choices_attach(stats, counts):
    grouped_ids = [s.question_id for s in stats if s.kind in GROUPED_ANSWER_KINDS]
    options = defaultdict(list)
    for option in QuestionOption.objects.filter(question_id__in=grouped_ids).order_by("sort_order", "pk"):
        options[option.question_id].append(option)
    zone_ids = [s.question_id for s in stats if s.kind == QuestionKind.BODY_MAP]
    zones = _zone_keys(zone_ids)
    for stat in stats:
        rows = counts.get(stat.question_id, [])
        if stat.kind in CHOICE_KINDS:
            stat.choices = choice_table(options[stat.question_id], rows, stat)
        elif stat.kind == QuestionKind.ORDERING:
            stat.choices = ordering_table(options[stat.question_id], rows, stat)
        elif stat.kind == QuestionKind.BODY_MAP:
            stat.choices = zone_table(zones.get(stat.question_id, ({}, set())), rows, stat)
        else:
            stat.choices_note = (
                "No per-choice table: right-hand sides are shuffled tokens, new in every attempt."
            )


def _zone_keys(question_ids) -> dict[int, tuple[dict, set]]:
    """{question id: ({zone code: name}, {correct codes})} for body-map questions (two queries)."""
    if not question_ids:
        return {}

    names = dict(BodyZone.objects.values_list("code", "name"))
    through = Question.correct_zones.through
    correct = defaultdict(set)
    for qid, code in through.objects.filter(question_id__in=question_ids).values_list(
        "question_id", "bodyzone__code"
    ):
        correct[qid].add(code)
    return {qid: (names, correct[qid]) for qid in question_ids}


def _tally(rows, picks) -> tuple[Counter, Counter, Counter]:
    """Count, per choice key, how many responses (all, upper, lower) picked it; picks(answer) -> keys."""
    total, up, low = Counter(), Counter(), Counter()
    for row in rows:
        for key in picks(row["answer"]):
            total[key] += row["n"]
            up[key] += row["upper"]
            low[key] += row["lower"]
    return total, up, low


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _choice(label, correct, key, tallies, stat, note="") -> ChoiceStat:
    total, up, low = tallies
    return ChoiceStat(
        label=label,
        is_correct=correct,
        picked=total[key],
        share=_share(total[key], stat.responses) or 0.0,
        upper_share=_share(up[key], stat.upper_n),
        lower_share=_share(low[key], stat.lower_n),
        note=note,
    )


def _ids(answer) -> list[str]:
    if isinstance(answer, str):
        return [answer]
    if isinstance(answer, list):
        return [a for a in answer if isinstance(a, str)]
    return []


def choice_table(options, rows, stat) -> list[ChoiceStat]:
    tallies = _tally(rows, lambda answer: _ids(answer) or [None])
    known = {o.public_id for o in options}
    table = [_choice(o.text, o.is_correct, o.public_id, tallies, stat) for o in options if o.text]
    removed = sum(n for key, n in tallies[0].items() if key is not None and key not in known)
    if removed:
        table.append(
            ChoiceStat("(options since removed)", False, removed, removed / stat.responses, None, None)
        )
    table.append(_choice("(no answer)", False, None, tallies, stat))
    return table


def ordering_table(options, rows, stat) -> list[ChoiceStat]:
    """Per item: how often it was placed in its correct position (the key is the option order)."""
    items = [o for o in options if o.text]
    position = {o.public_id: n for n, o in enumerate(items, start=1)}

    def placed(answer):
        if not isinstance(answer, dict):
            return []
        return [oid for oid, pos in answer.items() if position.get(oid) == pos and type(pos) is int]

    tallies = _tally(rows, placed)
    return [
        _choice(
            f"{position[o.public_id]}. {o.text}", True, o.public_id, tallies, stat, note="placed correctly"
        )
        for o in items
    ]


def zone_table(zone_key, rows, stat) -> list[ChoiceStat]:
    names, correct = zone_key
    tallies = _tally(rows, _ids)
    picked_codes = set(tallies[0]) | correct
    codes = sorted(picked_codes, key=lambda c: (c not in correct, names.get(c, c)))
    return [_choice(names.get(code, code), code in correct, code, tallies, stat) for code in codes]
