"""Item analysis of a quiz: classical test theory figures, computed by the database.

Definitions (every figure uses the closed attempts only: submitted or expired, so graded):

- item score x: the Response's score, 0..1 (partial credit for multiple response, matching,
  ordering and body map). A question is *dichotomous* when every score is 0 or 1.
- facility: the mean item score. For a dichotomous question this is the share of learners who
  answered correctly (is_correct); for a partial-credit question the share of the marks earned.
  "Fully correct" (is_correct) is shown beside it.
- total score t: the attempt's score (percent). Every attempt of a quiz has the same number of
  questions k, so the raw total is t·k/100 and correlations do not depend on the scale.
- discrimination index D: mean item score in the upper group minus that in the lower group. The
  groups are the 27% of attempts with the highest and with the lowest totals (k = round(0.27 n),
  at least 1, at most n // 2; ties at the cut-off are broken by attempt id, so both groups hold
  exactly k attempts). With random draws, a question counts only the attempts that drew it.
- point-biserial r: Pearson's correlation between the item score and the total score, over the
  attempts that drew the question (point-biserial for a dichotomous item). Uncorrected: the total
  includes the item itself.
- reliability: Cronbach's alpha = k/(k-1) · (1 − Σ var(item) / var(total)), population variances.
  With dichotomous items var(item) = p·q and alpha is KR-20. With random draws the sum of item
  variances is the expected sum over one attempt's questions, Σ n_i·var_i / N (exactly Σ var_i
  when every attempt answers every question): an estimate, labelled as such.

Everything per question comes from one GROUP BY (question, answer) over the responses: sums of
x, x², t, t², x·t and the upper/lower counts per distinct answer, which give the per-choice
table as they are and the question's figures once added up. Python only loops over questions
and distinct answers, never over attempts.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Aggregate, Avg, Count, FloatField, Max, Min, Q, StdDev, Value, Variance
from django.db.models.functions import Cast, Floor, Least

from content.models import BodyZone

from .models import Attempt, AttemptStatus, Question, QuestionKind, QuestionOption, Response

CLOSED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)
GROUP_SHARE = 0.27
TOO_HARD = 0.3
TOO_EASY = 0.95
LOW_DISCRIMINATION = 0.2
FEW_RESPONSES = 20  # below this, figures are shown but marked as unreliable
HISTOGRAM_BINS = 10

CHOICE_KINDS = {
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.TRUE_FALSE,
    QuestionKind.CASE_VIGNETTE,
    QuestionKind.MULTIPLE_RESPONSE,
}
# Matching answers pair items with right-hand tokens drawn afresh for every attempt: grouping them
# would give one group per attempt, so matching questions have no per-choice table.
GROUPED_ANSWER_KINDS = CHOICE_KINDS | {QuestionKind.ORDERING, QuestionKind.BODY_MAP}


# --- pure statistics -------------------------------------------------------------------------------


def group_size(n: int) -> int:
    """Attempts in each of the upper and lower groups."""
    if n < 2:
        return 0
    return min(n // 2, max(1, round(GROUP_SHARE * n)))


def pearson_from_sums(n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float) -> float | None:
    """Pearson's r from running sums; None when either variable does not vary."""
    if n < 2:
        return None
    cov = n * sxy - sx * sy
    vx = n * sxx - sx * sx
    vy = n * syy - sy * sy
    if vx <= 1e-12 * max(1.0, n * sxx) or vy <= 1e-12 * max(1.0, n * syy):
        return None
    return max(-1.0, min(1.0, cov / math.sqrt(vx * vy)))


def variance_from_sums(n: int, sx: float, sxx: float) -> float:
    """Population variance (divides by n)."""
    if n == 0:
        return 0.0
    mean = sx / n
    return max(0.0, sxx / n - mean * mean)


def cronbach_alpha(k: float, item_variance_sum: float, total_variance: float) -> float | None:
    """k/(k-1)·(1 − Σ item variances / total variance); KR-20 when items are dichotomous."""
    if k <= 1 or total_variance <= 0:
        return None
    return k / (k - 1) * (1 - item_variance_sum / total_variance)


def median_of_sorted(values: list[float]) -> float | None:
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def item_flags(facility: float | None, discrimination: float | None, misleading: bool) -> list[str]:
    flags = []
    if facility is not None and facility < TOO_HARD:
        flags.append("too hard")
    if facility is not None and facility > TOO_EASY:
        flags.append("too easy")
    if discrimination is not None and discrimination < LOW_DISCRIMINATION:
        flags.append("low discrimination")
    if misleading:
        flags.append("misleading")
    return flags


# --- results -----------------------------------------------------------------------------------------


@dataclass
class ChoiceStat:
    label: str
    is_correct: bool
    picked: int
    share: float  # of the question's responses
    upper_share: float | None
    lower_share: float | None
    note: str = ""

    @property
    def discrimination(self) -> float | None:
        if self.upper_share is None or self.lower_share is None:
            return None
        return self.upper_share - self.lower_share

    @property
    def attracts_upper(self) -> bool:
        """A wrong choice picked more often by the strongest learners than by the weakest."""
        d = self.discrimination
        return not self.is_correct and d is not None and d > 0 and (self.upper_share or 0) >= 0.1


@dataclass
class QuestionStat:
    question_id: int
    stem: str
    kind: str
    kind_label: str
    topic: str
    critical: bool
    responses: int
    omitted: int
    facility: float | None
    fully_correct: float | None
    discrimination: float | None
    point_biserial: float | None
    variance: float
    dichotomous: bool
    upper_n: int
    lower_n: int
    choices: list[ChoiceStat] = field(default_factory=list)
    choices_note: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def few(self) -> bool:
        return self.responses < FEW_RESPONSES


@dataclass
class QuizSummary:
    attempts: int
    learners: int
    mean: float | None
    median: float | None
    sd: float | None
    minimum: float | None
    maximum: float | None
    passed: int
    histogram: list[int]
    questions_per_attempt: float
    reliability: float | None
    reliability_label: str
    reliability_exact: bool

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.attempts if self.attempts else None


@dataclass
class ItemAnalysis:
    quiz: object
    summary: QuizSummary
    questions: list[QuestionStat]
    group_size: int

    @property
    def flagged(self) -> list[QuestionStat]:
        return [q for q in self.questions if q.flags]

    @property
    def flagged_on_enough_responses(self) -> list[QuestionStat]:
        """The flags to act on first: with random draws most questions have few responses early on."""
        return [q for q in self.flagged if not q.few]


# --- database queries ----------------------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate: PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY expr)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, percentile: float, **extra):
        super().__init__(expression, percentile=float(percentile), **extra)


def closed_attempts(quiz):
    # A closed attempt always has a score; an open one never does (status stays in the filter for clarity).
    return Attempt.objects.filter(quiz=quiz, status__in=CLOSED, score__isnull=False)


def _score():
    return Cast("score", FloatField())


def score_median(attempts, n: int) -> float | None:
    if n == 0:
        return None
    if connection.vendor == "postgresql":
        return attempts.aggregate(m=PercentileCont(_score(), 0.5))["m"]
    # Elsewhere: read only the one or two middle rows, in score order.
    lo = (n - 1) // 2
    middle = list(attempts.order_by("score").values_list("score", flat=True)[lo : n // 2 + 1])
    return median_of_sorted([float(v) for v in middle])


def score_histogram(attempts) -> list[int]:
    """Counts of attempts per 10-point band: [0,10), [10,20) … [90,100] (100 in the last)."""
    bins = [0] * HISTOGRAM_BINS
    rows = (
        attempts.annotate(
            band=Least(Floor(_score() / 10.0), Value(float(HISTOGRAM_BINS - 1)), output_field=FloatField())
        )
        .values("band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        band = int(row["band"])
        bins[max(0, min(HISTOGRAM_BINS - 1, band))] += row["n"]
    return bins


@dataclass(frozen=True)
class Cutoffs:
    """The k-th best and k-th worst attempts as (score, id): attempts at or beyond them form the groups."""

    high: object = None
    high_id: int = 0
    low: object = None
    low_id: int = 0

    def params(self) -> dict:
        if self.high is None:  # no groups: bands nobody falls in
            return {"high": 101, "high_id": 0, "low": -1, "low_id": 0}
        return {"high": self.high, "high_id": self.high_id, "low": self.low, "low_id": self.low_id}


def cutoffs(attempts, k: int) -> Cutoffs:
    """The upper and lower groups: the k best and k worst attempts (ties split by attempt id)."""
    if k == 0:
        return Cutoffs()
    low, low_id = attempts.order_by("score", "pk").values_list("score", "pk")[k - 1]
    high, high_id = attempts.order_by("-score", "-pk").values_list("score", "pk")[k - 1]
    return Cutoffs(high=high, high_id=high_id, low=low, low_id=low_id)


SUM_FIELDS = ("n", "sx", "sxx", "st", "stt", "sxt", "correct", "upper_n", "upper_sx", "lower_n", "lower_sx")
MATCHING_ANSWERED = "(answered)"


RESPONSE_GROUPS_SQL = """
SELECT r.question_id,
       CASE WHEN r.answer IS NOT NULL AND r.question_id IN ({matching}) THEN {answered} ELSE r.answer END AS answer_key,
       COUNT(*), SUM(r.score), SUM(r.score * r.score), SUM(a.t), SUM(a.t * a.t), SUM(r.score * a.t),
       SUM(CASE WHEN r.is_correct THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.band = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN a.band = 1 THEN r.score ELSE 0 END),
       SUM(CASE WHEN a.band = -1 THEN 1 ELSE 0 END), SUM(CASE WHEN a.band = -1 THEN r.score ELSE 0 END)
FROM {response} r
JOIN (
    SELECT id, CAST(score AS {float}) AS t,
           CASE WHEN score > %(high)s OR (score = %(high)s AND id >= %(high_id)s) THEN 1
                WHEN score < %(low)s OR (score = %(low)s AND id <= %(low_id)s) THEN -1
                ELSE 0 END AS band
    FROM {attempt}
    WHERE quiz_id = %(quiz)s AND score IS NOT NULL AND status IN (%(submitted)s, %(expired)s)
    {fence}
) a ON a.id = r.attempt_id
WHERE r.question_id IS NOT NULL AND r.score IS NOT NULL
GROUP BY 1, 2
"""


def response_groups(quiz, cutoffs: Cutoffs) -> list[dict]:
    """Sums per (question, answer), in one pass over the responses (one query).

    Grouping by the answer gives the per-choice counts; adding a question's groups up gives its
    sums. Matching answers hold tokens drawn afresh for each attempt: they are only told apart as
    answered or blank (grouping them would make one group per attempt).

    Hand-written SQL for one reason, measured on 100,000 attempts (2 million responses): the total
    score (as a float) and the upper/lower band are computed once per attempt in a derived table,
    not once per response as a join written with the ORM does, which made this query about a
    third slower. "OFFSET 0" keeps PostgreSQL from folding the derived table back into the join.
    """
    postgres = connection.vendor == "postgresql"
    sql = RESPONSE_GROUPS_SQL.format(
        response=connection.ops.quote_name(Response._meta.db_table),
        attempt=connection.ops.quote_name(Attempt._meta.db_table),
        matching=f"SELECT id FROM {connection.ops.quote_name(Question._meta.db_table)} WHERE kind = %(matching)s",
        answered="CAST(%(answered)s AS jsonb)" if postgres else "%(answered)s",
        float="double precision" if postgres else "REAL",
        fence="OFFSET 0" if postgres else "",
    )
    params = {
        "quiz": quiz.pk,
        "submitted": AttemptStatus.SUBMITTED,
        "expired": AttemptStatus.EXPIRED,
        "matching": QuestionKind.MATCHING,
        "answered": json.dumps(MATCHING_ANSWERED),
        **cutoffs.params(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = (
        "question_id",
        "answer_key",
        "n",
        "sx",
        "sxx",
        "st",
        "stt",
        "sxt",
        "correct",
        "upper_n",
        "upper_sx",
        "lower_n",
        "lower_sx",
    )
    groups = [dict(zip(names, row)) for row in rows]
    for group in groups:
        group["answer_key"] = _json_value(group["answer_key"])
    return groups


def _json_value(value):
    """Django's connections hand JSON back as text (psycopg's jsonb loader is set to text too)."""
    if isinstance(value, (str, bytes, bytearray)):
        return json.loads(value)
    return value


def question_sums(groups: list[dict]) -> list[dict]:
    """Add each question's answer groups up: one row of sums per question."""
    totals: dict[int, dict] = {}
    for group in groups:
        row = totals.setdefault(
            group["question_id"],
            {"question_id": group["question_id"], "omitted": 0, **dict.fromkeys(SUM_FIELDS, 0)},
        )
        for name in SUM_FIELDS:
            row[name] += group[name] or 0
        if group["answer_key"] is None:
            row["omitted"] += group["n"]
    return list(totals.values())


def answer_counts(groups: list[dict]) -> dict[int, list[dict]]:
    """{question id: [{answer, n, upper, lower}]} from the groups."""
    grouped = defaultdict(list)
    for group in groups:
        grouped[group["question_id"]].append(
            {
                "answer": group["answer_key"],
                "n": group["n"],
                "upper": group["upper_n"],
                "lower": group["lower_n"],
            }
        )
    return grouped


def quiz_summary(quiz, *, attempts=None) -> dict:
    attempts = attempts if attempts is not None else closed_attempts(quiz)
    agg = attempts.aggregate(
        n=Count("pk"),
        learners=Count("user", distinct=True),
        mean=Avg(_score()),
        sd=StdDev(_score()),
        var=Variance(_score()),
        low=Min(_score()),
        high=Max(_score()),
        passed=Count("pk", filter=Q(passed=True)),
    )
    agg["median"] = score_median(attempts, agg["n"])
    agg["histogram"] = score_histogram(attempts) if agg["n"] else [0] * HISTOGRAM_BINS
    return agg


def item_analysis(quiz) -> ItemAnalysis:
    """Everything the item-analysis page shows, in a fixed number of queries (about eight)."""
    attempts = closed_attempts(quiz)
    agg = quiz_summary(quiz, attempts=attempts)
    n = agg["n"]
    k = group_size(n)
    groups = response_groups(quiz, cutoffs(attempts, k)) if n else []
    sums = question_sums(groups)
    questions = Question.objects.in_bulk([row["question_id"] for row in sums])
    stats = [_question_stat(row, questions.get(row["question_id"])) for row in sums]
    stats = [s for s in stats if s is not None]
    _choices_attach(stats, answer_counts(groups))
    for stat in stats:
        misleading = (stat.discrimination is not None and stat.discrimination < 0) or any(
            c.attracts_upper for c in stat.choices
        )
        stat.flags = item_flags(stat.facility, stat.discrimination, misleading)
    stats.sort(key=lambda s: (questions[s.question_id].topic, s.question_id))  # the question bank's order
    summary = _summary(agg, stats)
    return ItemAnalysis(quiz=quiz, summary=summary, questions=stats, group_size=k)


def _question_stat(row: dict, question) -> QuestionStat | None:
    if question is None:
        return None
    n = row["n"]
    sx, sxx = row["sx"] or 0.0, row["sxx"] or 0.0
    upper = row["upper_sx"] / row["upper_n"] if row["upper_n"] else None
    lower = row["lower_sx"] / row["lower_n"] if row["lower_n"] else None
    return QuestionStat(
        question_id=question.pk,
        stem=question.stem,
        kind=question.kind,
        kind_label=question.get_kind_display(),
        topic=question.get_topic_display(),
        critical=question.critical,
        responses=n,
        omitted=row["omitted"],
        facility=sx / n if n else None,
        fully_correct=row["correct"] / n if n else None,
        discrimination=upper - lower if upper is not None and lower is not None else None,
        point_biserial=pearson_from_sums(n, sx, row["st"] or 0.0, sxx, row["stt"] or 0.0, row["sxt"] or 0.0),
        variance=variance_from_sums(n, sx, sxx),
        dichotomous=abs(sxx - sx) < 1e-9,
        upper_n=row["upper_n"],
        lower_n=row["lower_n"],
    )


def _summary(agg: dict, stats: list[QuestionStat]) -> QuizSummary:
    n = agg["n"]
    total_responses = sum(s.responses for s in stats)
    k = total_responses / n if n else 0.0
    item_variance_sum = sum(s.responses * s.variance for s in stats) / n if n else 0.0
    # Variance (population, Django's default) of the raw total t·k/100.
    total_variance = (agg["var"] or 0.0) * (k / 100) ** 2
    dichotomous = bool(stats) and all(s.dichotomous for s in stats)
    return QuizSummary(
        attempts=n,
        learners=agg["learners"],
        mean=agg["mean"],
        median=agg["median"],
        sd=agg["sd"],
        minimum=agg["low"],
        maximum=agg["high"],
        passed=agg["passed"],
        histogram=agg["histogram"],
        questions_per_attempt=k,
        reliability=cronbach_alpha(k, item_variance_sum, total_variance),
        reliability_label="KR-20" if dichotomous else "Cronbach's alpha",
        reliability_exact=bool(stats) and all(s.responses == n for s in stats),
    )


# --- per-choice (distractor) analysis -------------------------------------------------------------


def _choices_attach(stats, counts):
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
