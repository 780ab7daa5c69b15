"""Writes of the quiz engine: starting, autosaving and submitting attempts.

Time limits. An attempt with a time limit has a `deadline`. Answers (autosaves and the final
submit) are accepted until deadline + the quiz's grace seconds, which absorbs network delays and
the browser's own auto-submit. After that, nothing the browser sends is accepted: the attempt is
closed as "expired" and graded on the answers saved before the cut-off. The same happens lazily
when the learner comes back to an overdue attempt (intro, take or result page, or a new start).

Every write here runs a fixed number of queries whatever the number of questions.
"""

import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Max
from django.utils import timezone

from content.models import BodyZone

from . import grading
from .answers import validate_answers
from .blueprint import BlueprintRule, PoolItem, draw
from .errors import AnswerError, AttemptClosed, AttemptNotAllowed, QuizEmpty, QuizError
from .models import Attempt, AttemptStatus, Question, QuestionKind, Quiz, QuizAllowance, Response
from .selectors import allowance_for, attempt_open, start_refusal, time_limit_seconds
from .signals import attempt_passed
from .snapshots import item_fails_critical, question_item, zone_list

logger = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1


__all__ = [
    "AnswerError",
    "AttemptClosed",
    "AttemptNotAllowed",
    "QuizEmpty",
    "QuizError",
    "SubmitOutcome",
    "attempt_autosave",
    "attempt_close_if_overdue",
    "attempt_start",
    "attempt_submit",
    "allowance_attempts_add",
    "allowance_reset",
    "allowance_time_set",
]


def _retry_when_locked(func):
    """SQLite refuses concurrent writers instead of waiting; retry briefly (PostgreSQL waits on the row lock)."""

    def wrapper(*args, **kwargs):
        for attempt in range(8):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == 7 or transaction.get_connection().in_atomic_block:
                    raise
                time.sleep(0.05 * (attempt + 1))

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


# --- start ---------------------------------------------------------------------------------------


@_retry_when_locked
def attempt_start(*, user, quiz: Quiz, now=None) -> Attempt:
    """Resume the learner's open attempt, or draw a new one if the quiz's limits allow it."""
    now = now or timezone.now()
    open_attempt = attempt_open(user=user, quiz=quiz)
    if open_attempt is not None:
        open_attempt = attempt_close_if_overdue(attempt=open_attempt, now=now)
        if open_attempt.is_open:
            return open_attempt
    allowance = allowance_for(user=user, quiz=quiz)
    refusal = start_refusal(user=user, quiz=quiz, now=now, allowance=allowance)
    if refusal:
        raise AttemptNotAllowed(refusal)
    seed = random.SystemRandom().getrandbits(62)
    snapshot = quiz_snapshot(quiz, random.Random(seed))
    if not snapshot["questions"]:
        raise QuizEmpty("This quiz has no questions yet. Please come back later.")
    limit = time_limit_seconds(quiz, allowance)
    deadline = now + timedelta(seconds=limit) if limit else None
    try:
        return _attempt_create(user=user, quiz=quiz, now=now, seed=seed, snapshot=snapshot, deadline=deadline)
    except IntegrityError:
        # A second tab or a double click started one at the same moment: resume that one.
        open_attempt = attempt_open(user=user, quiz=quiz)
        if open_attempt is None:
            raise
        return open_attempt


@transaction.atomic
def _attempt_create(*, user, quiz, now, seed, snapshot, deadline) -> Attempt:
    last = Attempt.objects.filter(user=user, quiz=quiz).aggregate(n=Max("number"))["n"] or 0
    attempt = Attempt.objects.create(
        user=user, quiz=quiz, number=last + 1, started_at=now, deadline=deadline, seed=seed, snapshot=snapshot
    )
    Response.objects.bulk_create(
        Response(attempt=attempt, question_id=item["qid"], position=item["position"], updated_at=now)
        for item in snapshot["questions"]
    )
    return attempt


def quiz_pool(quiz: Quiz):
    """Questions a quiz may draw: its module's (module quiz) or any module's of its course (post-test)."""
    questions = Question.objects.filter(retired=False)
    if quiz.module_id:
        return questions.filter(module_id=quiz.module_id)
    course = quiz.course
    return questions.filter(module__path__startswith=course.path, module__depth=course.depth + 1)


def quiz_pool_items(quiz: Quiz, rules: list[BlueprintRule] | None = None) -> list[PoolItem]:
    """The quiz's pool as plain rows for the draw: one query, two when a rule filters by tag."""
    rows = list(quiz_pool(quiz).values_list("pk", "topic", "cognitive_level", "family"))
    tags = defaultdict(set)
    if any(rule.tag for rule in (quiz_rules(quiz) if rules is None else rules)):
        through = Question.tags.through
        for qid, name in through.objects.filter(content_object_id__in=[r[0] for r in rows]).values_list(
            "content_object_id", "tag__name"
        ):
            tags[qid].add(name.lower())
    return [PoolItem(pk, topic, level, family, frozenset(tags[pk])) for pk, topic, level, family in rows]


def quiz_rules(quiz: Quiz) -> list[BlueprintRule]:
    """The quiz's blueprint (its selection rules, in order) as plain rules."""
    return [
        BlueprintRule(count=r.count, topic=r.topic_id or "", level=r.cognitive_level, tag=r.tag.strip())
        for r in quiz.rules.all()
    ]


def quiz_draw(quiz: Quiz, rng: random.Random) -> list[int]:
    """Question ids drawn for one attempt by the quiz's blueprint (quizzes.blueprint): N per rule,
    never the same question or two of one family, rule order kept. A pool that cannot satisfy the
    blueprint still gives an attempt; the shortfall is logged (staff see it on the intro page)."""
    rules = quiz_rules(quiz)
    result = draw(quiz_pool_items(quiz, rules), rules, rng)
    for shortfall in result.shortfalls:
        logger.warning(
            "Quiz %s: blueprint rule %s drew %s as asked, %s topped up from its topic at any level, %s missing",
            quiz.pk,
            shortfall.rule,
            shortfall.drawn_as_asked,
            shortfall.topped_up,
            shortfall.missing,
        )
    return result.ids


def quiz_snapshot(quiz: Quiz, rng: random.Random) -> dict:
    ids = quiz_draw(quiz, rng)
    questions = (
        Question.objects.filter(pk__in=ids)
        .select_related("module")
        .prefetch_related("options", "correct_zones")
        .in_bulk()
    )
    items = []
    urls: dict[int, str] = {}
    for qid in ids:
        question = questions[qid]
        if question.module_id and question.module_id not in urls:
            urls[question.module_id] = question.module.get_url() or ""
        url = urls.get(question.module_id, "")
        if url and question.section_anchor:
            url = f"{url}#{question.section_anchor}"
        items.append(
            question_item(
                question, position=len(items) + 1, rng=rng, shuffle=quiz.shuffle_choices, lesson_url=url
            )
        )
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "quiz_title": quiz.title,
        "pass_mark": quiz.pass_mark,
        "questions": items,
    }
    if any(item["kind"] == QuestionKind.BODY_MAP for item in items):
        snapshot["zones"] = zone_list(BodyZone.objects.order_by("view", "sort_order", "name"))
    return snapshot


# --- allowances: what course staff grant one learner (courses records who and why) ----------------
# Each runs inside the caller's transaction, so the allowance and its audit row commit together.


def _allowance_locked(*, user, quiz: Quiz) -> QuizAllowance:
    allowance, _ = QuizAllowance.objects.get_or_create(user=user, quiz=quiz)
    return QuizAllowance.objects.select_for_update().get(pk=allowance.pk)


def allowance_attempts_add(*, user, quiz: Quiz, count: int) -> QuizAllowance:
    """`count` more attempts at `quiz` for this learner, on top of any granted before."""
    if count < 1:
        raise QuizError("Grant at least one attempt.")
    with transaction.atomic():
        allowance = _allowance_locked(user=user, quiz=quiz)
        allowance.extra_attempts += count
        allowance.save(update_fields=["extra_attempts", "updated_at"])
    return allowance


def allowance_reset(*, user, quiz: Quiz) -> QuizAllowance:
    """Take the learner's closed attempts off the count (a fresh start); the attempts stay on the record.
    An attempt in progress keeps counting (it is always the newest)."""
    with transaction.atomic():
        allowance = _allowance_locked(user=user, quiz=quiz)
        last_closed = (
            Attempt.objects.filter(user=user, quiz=quiz)
            .exclude(status=AttemptStatus.IN_PROGRESS)
            .aggregate(n=Max("number"))["n"]
            or 0
        )
        if last_closed <= allowance.attempts_reset_through:
            raise QuizError("There are no attempts to reset: none has been made since the last reset.")
        allowance.attempts_reset_through = last_closed
        allowance.save(update_fields=["attempts_reset_through", "updated_at"])
    return allowance


def allowance_time_set(*, user, quiz: Quiz, multiplier, extra_minutes: int) -> tuple[QuizAllowance, list]:
    """Set the learner's time accommodation on `quiz`; an attempt already running gets the longer
    deadline too (never a shorter one). Returns the allowance and the attempts whose deadline moved."""
    with transaction.atomic():
        allowance = _allowance_locked(user=user, quiz=quiz)
        allowance.time_multiplier, allowance.extra_minutes = multiplier, extra_minutes
        allowance.full_clean(exclude=["user", "quiz"])
        allowance.save(update_fields=["time_multiplier", "extra_minutes", "updated_at"])
        moved = []
        limit = time_limit_seconds(quiz, allowance)
        running = Attempt.objects.select_for_update().filter(
            user=user, quiz=quiz, status=AttemptStatus.IN_PROGRESS, deadline__isnull=False
        )
        for attempt in running:
            deadline = attempt.started_at + timedelta(seconds=limit)
            if deadline > attempt.deadline:
                attempt.deadline = deadline
                attempt.save(update_fields=["deadline"])
                moved.append(attempt)
    return allowance, moved


# --- autosave ------------------------------------------------------------------------------------


def _answers_close_at(attempt: Attempt):
    if attempt.deadline is None:
        return None
    return attempt.deadline + timedelta(seconds=attempt.quiz.grace_seconds)


def _is_overdue(attempt: Attempt, now) -> bool:
    closes = _answers_close_at(attempt)
    return closes is not None and now > closes


@_retry_when_locked
def attempt_autosave(*, attempt: Attempt, answers, now=None) -> int:
    """Save some or all answers of an open attempt; returns how many were saved. All or nothing."""
    now = now or timezone.now()
    normalized = validate_answers(attempt.snapshot, answers)
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().only("status", "deadline").get(pk=attempt.pk)
        if locked.status != AttemptStatus.IN_PROGRESS:
            raise AttemptClosed("This attempt is already closed; answers can no longer be changed.")
        locked.quiz = attempt.quiz
        if _is_overdue(locked, now):
            raise AttemptClosed("Time is up: answers sent after the time limit are not accepted.")
        _responses_upsert(attempt, normalized, now, graded=False)
    return len(normalized)


def _responses_upsert(attempt: Attempt, answers: dict[int, object], now, *, graded: bool, results=None):
    """One INSERT … ON CONFLICT for every answer (rows exist from the start; this also heals a missing one)."""
    by_qid = {item["qid"]: item for item in attempt.snapshot["questions"]}
    rows = []
    for qid, answer in answers.items():
        row = Response(
            attempt_id=attempt.pk,
            question_id=qid,
            position=by_qid[qid]["position"],
            answer=answer,
            updated_at=now,
        )
        if graded:
            row.score, row.is_correct = results[qid]
        rows.append(row)
    fields = ["answer", "updated_at"] + (["score", "is_correct"] if graded else [])
    Response.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["attempt", "position"], update_fields=fields
    )


# --- submit --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitOutcome:
    attempt: Attempt
    graded_now: bool  # False: it was already closed (double click, second tab): nothing changed
    late: bool  # True: the answers sent were refused (after the time limit); graded on saved answers
    correct: dict | None = None  # {question id: exactly right}, when graded now (for the review deck)


@_retry_when_locked
def attempt_submit(*, attempt: Attempt, answers=None, now=None) -> SubmitOutcome:
    """Grade an attempt once. `answers` (optional) are merged over the saved ones first.

    Concurrent or repeated submits: the row lock makes the second wait and find the attempt
    already graded, so it returns the same result without writing anything.
    """
    now = now or timezone.now()
    normalized = validate_answers(attempt.snapshot, answers) if answers is not None else {}
    with transaction.atomic():
        # The snapshot never changes after the start: the caller's copy saves reading and decoding it again.
        locked = (
            Attempt.objects.select_for_update().select_related("quiz").defer("snapshot").get(pk=attempt.pk)
        )
        locked.snapshot = attempt.snapshot
        if locked.status != AttemptStatus.IN_PROGRESS:
            return SubmitOutcome(locked, graded_now=False, late=False)
        late = _is_overdue(locked, now)
        if late:
            normalized = {}
        results = _grade_and_close(locked, normalized, now, expired=late)
    correct = {qid: ok for qid, (_, ok) in results.items()}
    return SubmitOutcome(locked, graded_now=True, late=late and answers is not None, correct=correct)


def attempt_close_if_overdue(*, attempt: Attempt, now=None) -> Attempt:
    """Close an open attempt whose time ran out, grading what was saved in time. Returns the attempt."""
    now = now or timezone.now()
    if attempt.status != AttemptStatus.IN_PROGRESS or not _is_overdue(attempt, now):
        return attempt
    return attempt_submit(attempt=attempt, answers=None, now=now).attempt


def _saved_answers(attempt: Attempt, new_answers: dict[int, object]) -> dict[int, object]:
    """{position: answer} saved before; not read when the submit carries every answer (the usual case)."""
    if all(item["qid"] in new_answers for item in attempt.snapshot["questions"]):
        return {}
    return dict(Response.objects.filter(attempt=attempt).values_list("position", "answer"))


def _grade_and_close(attempt: Attempt, new_answers: dict[int, object], now, *, expired: bool):
    saved = _saved_answers(attempt, new_answers)
    answers, results, outcome_rows = {}, {}, []
    for item in attempt.snapshot["questions"]:
        qid = item["qid"]
        answer = new_answers[qid] if qid in new_answers else saved.get(item["position"])
        score, correct = grading.grade(item["kind"], item["key"], answer)
        answers[qid] = answer
        results[qid] = (score, correct)
        outcome_rows.append((item["position"], score, correct, item_fails_critical(item, answer, correct)))
    outcome = grading.attempt_outcome(outcome_rows, attempt.snapshot.get("pass_mark", attempt.quiz.pass_mark))
    _responses_upsert(attempt, answers, now, graded=True, results=results)
    attempt.status = AttemptStatus.EXPIRED if expired else AttemptStatus.SUBMITTED
    attempt.submitted_at = now
    attempt.score = outcome.score
    attempt.passed = outcome.passed
    attempt.failed_critical = outcome.failed_critical
    attempt.fail_reason = _fail_reason(attempt, outcome)
    attempt.save(
        update_fields=["status", "submitted_at", "score", "passed", "failed_critical", "fail_reason"]
    )
    if attempt.passed:
        attempt_passed.send(sender=Attempt, attempt=attempt)
    return results


def _fail_reason(attempt: Attempt, outcome: grading.Outcome) -> str:
    if outcome.passed:
        return ""
    if outcome.failed_critical:
        numbers = ", ".join(str(p) for p in outcome.critical_positions)
        noun = "question" if len(outcome.critical_positions) == 1 else "questions"
        return (
            f"Critical safety {noun} {numbers} answered incorrectly. These questions check when massage must "
            "stop or the client must be referred; a wrong answer (on a triage question, a less urgent "
            "action than the client needs) fails the attempt whatever the score."
        )
    pass_mark = attempt.snapshot.get("pass_mark", attempt.quiz.pass_mark)
    return f"Score {outcome.score}% is below the pass mark of {pass_mark}%."
