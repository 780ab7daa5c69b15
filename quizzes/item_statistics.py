"""The figures of item analysis that need no database: classical test theory from sums, the
flags a question earns, and the result records (quizzes.analysis fills them from the database)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.conf import settings

GROUP_SHARE = 0.27
TOO_HARD = 0.3
TOO_EASY = 0.95
LOW_DISCRIMINATION = 0.2
# A question is judged (flagged, or passed as fine) only on at least this many graded responses. With random
# draws from a large pool (the post-test draws from 236 questions) most questions have a handful early on, and a
# facility of 0 or 1 on two responses says nothing: such questions are listed under "not enough data yet",
# with their figures but no flag. 20 responses put a facility's 95% margin of error at about ±0.2.
# settings.ITEM_ANALYSIS_MIN_RESPONSES overrides it.
FEW_RESPONSES = 20


def min_responses() -> int:
    return max(1, int(getattr(settings, "ITEM_ANALYSIS_MIN_RESPONSES", FEW_RESPONSES)))


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
    min_responses: int = FEW_RESPONSES

    @property
    def few(self) -> bool:
        """Too few responses to judge: no flag, listed under "not enough data yet"."""
        return self.responses < self.min_responses


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
    min_responses: int = FEW_RESPONSES

    @property
    def flagged(self) -> list[QuestionStat]:
        """Questions flagged on enough responses (a question with fewer carries no flag)."""
        return [q for q in self.questions if q.flags]

    @property
    def flagged_on_enough_responses(self) -> list[QuestionStat]:
        return self.flagged

    @property
    def fine(self) -> list[QuestionStat]:
        """Enough responses and no flag."""
        return [q for q in self.questions if not q.few and not q.flags]

    @property
    def not_enough_data(self) -> list[QuestionStat]:
        return [q for q in self.questions if q.few]
