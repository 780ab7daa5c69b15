"""Reads of the quiz engine: what a learner may do, sees while answering, and sees afterwards."""

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone

from content.models import BodyZone

from . import grading
from .models import Attempt, AttemptStatus, FeedbackPolicy, Quiz, QuizAllowance, Response
from .snapshots import item_fails_critical, public_item, question_preview_item

# --- completion (called by courses) ----------------------------------------------------------------


def module_quiz_passed(user, module) -> bool:
    """True when the module has no quiz, or the learner passed it. Module quizzes are optional."""
    quiz_id = Quiz.objects.filter(module=module).values_list("pk", flat=True).first()
    if quiz_id is None:
        return True
    return _passed(user, quiz_id)


def final_quiz_passed(user, course) -> bool:
    """True only when the course has a post-test and the learner passed it (no post-test: False)."""
    quiz_id = Quiz.objects.filter(course=course, module__isnull=True).values_list("pk", flat=True).first()
    return quiz_id is not None and _passed(user, quiz_id)


def _passed(user, quiz_id) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Attempt.objects.filter(user=user, quiz_id=quiz_id, passed=True).exists()


def module_quiz(module) -> Quiz | None:
    return Quiz.objects.filter(module=module).first()


def final_quiz(course) -> Quiz | None:
    return Quiz.objects.filter(course=course, module__isnull=True).first()


def quiz_panel(user, quiz: Quiz | None) -> dict:
    """For a module or course page: the quiz, and where this learner stands (one query)."""
    if quiz is None:
        return {"quiz": None}
    return _panels(user, [quiz])[0]


def quiz_panels(user, quizzes) -> list[dict]:
    """`quiz_panel` for every quiz of the queryset `quizzes`, in two queries whatever their number."""
    return _panels(user, list(quizzes))


def _panels(user, quizzes: list[Quiz]) -> list[dict]:
    # Plain rows, tallied here: cheaper to build than counting in the database (FilteredRelation and
    # filtered aggregates cost more to compile than this whole function).
    attempts = {quiz.pk: [] for quiz in quizzes}
    if quizzes and getattr(user, "is_authenticated", False):
        rows = (
            Attempt.objects.filter(user=user, quiz__in=quizzes)
            .order_by()  # tallied: the model's ordering would only cost an ORDER BY
            .values_list("quiz_id", "status", "passed", "score")
        )
        for quiz_id, *attempt in rows:
            attempts[quiz_id].append(attempt)
    return [_panel(quiz, attempts[quiz.pk]) for quiz in quizzes]


def _panel(quiz: Quiz, attempts: list) -> dict:
    closed = [(passed, score) for status, passed, score in attempts if status != AttemptStatus.IN_PROGRESS]
    return {
        "quiz": quiz,
        "passed": any(passed for passed, _ in closed),
        "best_score": max((score for _, score in closed if score is not None), default=None),
        "in_progress": any(status == AttemptStatus.IN_PROGRESS for status, _, _ in attempts),
        "attempts_used": len(attempts),
    }


# --- starting --------------------------------------------------------------------------------------


def attempt_open(*, user, quiz) -> Attempt | None:
    return Attempt.objects.filter(user=user, quiz=quiz, status=AttemptStatus.IN_PROGRESS).first()


def cooldown_until(quiz: Quiz, last_closed: Attempt | None):
    if (
        last_closed is None
        or last_closed.passed
        or not quiz.cooldown_minutes
        or last_closed.submitted_at is None
    ):
        return None
    return last_closed.submitted_at + timedelta(minutes=quiz.cooldown_minutes)


def allowance_for(*, user, quiz: Quiz) -> QuizAllowance | None:
    """What course staff allowed this learner on this quiz beyond its rules (extra attempts, time, a reset)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return QuizAllowance.objects.filter(user=user, quiz=quiz).first()


def attempt_limit(quiz: Quiz, allowance: QuizAllowance | None) -> int | None:
    """How many attempts count before the learner is refused (None: unlimited)."""
    if quiz.max_attempts is None:
        return None
    return quiz.max_attempts + (allowance.extra_attempts if allowance else 0)


def counts_against_limit(attempt_number: int, allowance: QuizAllowance | None) -> bool:
    """False for an attempt that a reset took off the count (it stays on the record)."""
    return allowance is None or attempt_number > allowance.attempts_reset_through


def time_limit_seconds(quiz: Quiz, allowance: QuizAllowance | None) -> int | None:
    """The learner's time limit: the quiz's, times their accommodation's multiplier, plus its extra minutes."""
    if not quiz.time_limit_minutes:
        return None
    seconds = quiz.time_limit_minutes * 60
    if allowance is not None:
        seconds = int(seconds * allowance.time_multiplier) + allowance.extra_minutes * 60
    return seconds


OUT_OF_ATTEMPTS = "You have used all {limit} attempts at this quiz."


def start_refusal(*, user, quiz: Quiz, now=None, allowance: QuizAllowance | None | bool = False) -> str:
    """Why the quiz's own limits (attempts, cool-down) refuse a new attempt now, or "" when they allow it.
    Who may take the quiz at all (enrollment) is the course's rule: courses checks it first.
    `allowance`: the learner's QuizAllowance when the caller has it (None: none), else it is read here."""
    now = now or timezone.now()
    if allowance is False:
        allowance = allowance_for(user=user, quiz=quiz)
    reset_through = allowance.attempts_reset_through if allowance else 0
    counted = Attempt.objects.filter(user=user, quiz=quiz, number__gt=reset_through)
    limit = attempt_limit(quiz, allowance)
    if limit is not None and counted.count() >= limit:
        return OUT_OF_ATTEMPTS.format(limit=limit)
    last_closed = counted.exclude(status=AttemptStatus.IN_PROGRESS).order_by("-number").first()
    until = cooldown_until(quiz, last_closed)
    if until and now < until:
        minutes = max(1, round((until - now).total_seconds() / 60))
        return f"Please review the lesson first: you can try again in about {minutes} minute(s)."
    return ""


def out_of_attempts(*, user, quiz: Quiz) -> bool:
    """True when the learner has used every attempt they are allowed and has not passed (they need help)."""
    if quiz.max_attempts is None or not getattr(user, "is_authenticated", False):
        return False
    allowance = allowance_for(user=user, quiz=quiz)
    rows = list(Attempt.objects.filter(user=user, quiz=quiz).values_list("number", "status", "passed"))
    if any(passed for _, _, passed in rows) or any(s == AttemptStatus.IN_PROGRESS for _, s, _ in rows):
        return False
    counted = sum(1 for number, _, _ in rows if counts_against_limit(number, allowance))
    return counted >= attempt_limit(quiz, allowance)


def quiz_intro(*, user, quiz: Quiz, now=None) -> dict:
    """Everything the intro page shows before the learner starts (NCBTMB: pass mark and scale up front)."""
    now = now or timezone.now()
    allowance = allowance_for(user=user, quiz=quiz)
    attempts = list(Attempt.objects.filter(user=user, quiz=quiz).order_by("number"))
    for attempt in attempts:
        attempt.counts = counts_against_limit(attempt.number, allowance)
    closed = [a for a in attempts if a.status != AttemptStatus.IN_PROGRESS]
    in_progress = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None)
    used = sum(1 for a in attempts if a.counts)
    limit = attempt_limit(quiz, allowance)
    left = None if limit is None else max(0, limit - used)
    counted_closed = [a for a in closed if a.counts]
    until = cooldown_until(quiz, counted_closed[-1] if counted_closed else None)
    refusal = "" if in_progress else start_refusal(user=user, quiz=quiz, now=now, allowance=allowance)
    passed = any(a.passed for a in closed)
    limit_seconds = time_limit_seconds(quiz, allowance)
    return {
        "quiz": quiz,
        "question_count": sum(rule.count for rule in quiz.rules.all()) or None,
        "attempts": closed,
        "attempts_used": used,
        "attempts_left": left,
        "attempt_limit": limit,
        "out_of_attempts": not passed and in_progress is None and left == 0,
        "time_limit_minutes": None if limit_seconds is None else round(limit_seconds / 60),
        "time_accommodated": bool(limit_seconds and allowance and allowance.has_time_accommodation),
        "cooldown_until": until if until and until > now else None,
        "best_score": max((a.score for a in closed if a.score is not None), default=None),
        "passed": passed,
        "in_progress": in_progress,
        "can_start": in_progress is not None or not refusal,
        "refusal": refusal,
        "grading_scale": grading.GRADING_SCALE,
        "feedback_description": FEEDBACK_DESCRIPTIONS[quiz.feedback_policy],
    }


FEEDBACK_DESCRIPTIONS = {
    FeedbackPolicy.SCORE_ONLY: "After submitting you see your score and whether you passed.",
    FeedbackPolicy.SHOW_WRONG: "After submitting you see your score and which questions you got wrong, "
    "with links back to the lesson.",
    FeedbackPolicy.FULL_EXPLANATIONS: "After submitting you see every question with the correct answer, "
    "an explanation and a link back to the lesson.",
}


# --- taking ----------------------------------------------------------------------------------------


def attempt_for_learner(*, user, attempt_id) -> Attempt:
    """The learner's own attempt, or 404 (another learner's attempt does not exist for them)."""
    return get_object_or_404(Attempt.objects.select_related("quiz"), pk=attempt_id, user=user)


def attempt_take_context(*, attempt: Attempt, now=None) -> dict:
    """The take page: questions without their keys, the learner's saved answers, time left."""
    now = now or timezone.now()
    saved = dict(Response.objects.filter(attempt=attempt).values_list("position", "answer"))
    zones = zones_with_shapes(attempt.snapshot.get("zones", []))
    questions = [
        question_widget(public_item(item), saved.get(item["position"]), zones) for item in attempt.questions
    ]
    seconds_left = None
    if attempt.deadline is not None:
        seconds_left = max(0, int((attempt.deadline - now).total_seconds()))
    return {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "questions": questions,
        "answered": sum(1 for q in questions if q["answered"]),
        "total": len(questions),
        "seconds_left": seconds_left,
        "has_body_map": bool(zones),
    }


def zones_with_shapes(zones: list[dict]) -> list[dict]:
    if not zones:
        return []

    shapes = dict(BodyZone.objects.filter(code__in=[z["code"] for z in zones]).values_list("code", "shape"))
    return [{**z, "shape": (shapes.get(z["code"]) or "").strip()} for z in zones]


def question_widget(item: dict, answer, zones: list[dict]) -> dict:
    """Template-ready data for one question with the learner's answer filled in (no key in it)."""
    kind = item["kind"]
    name = f"q{item['qid']}"
    widget = {**item, "name": name, "answered": answer not in (None, "", [], {})}
    if kind in grading.SINGLE_KINDS:
        widget["choices"] = [{**o, "checked": o["id"] == answer} for o in item["options"]]
    elif kind == "multiple_response":
        picked = set(answer or [])
        widget["choices"] = [{**o, "checked": o["id"] in picked} for o in item["options"]]
    elif kind == "matching":
        pairs = answer or {}
        widget["lefts"] = [
            {**o, "name": f"{name}-{o['id']}", "selected": pairs.get(o["id"], "")} for o in item["options"]
        ]
    elif kind == "ordering":
        positions = answer or {}
        widget["positions"] = list(range(1, len(item["options"]) + 1))
        widget["items"] = [
            {**o, "name": f"{name}-{o['id']}", "selected": positions.get(o["id"])} for o in item["options"]
        ]
    elif kind == "body_map":
        picked = set(answer or [])
        # The number ties a zone on the figure to its row in the list (the figure shows numbers, the list names).
        in_figure_order = sorted(zones, key=lambda z: z["view"] != "front")  # front figure first, as drawn
        marked = [
            {**z, "checked": z["code"] in picked, "number": n} for n, z in enumerate(in_figure_order, start=1)
        ]
        widget["zones"] = marked
        widget["zones_selected"] = [f"{z['name']} ({z['view']})" for z in marked if z["checked"]]
        widget["views"] = [
            {"code": view, "label": label, "zones": [z for z in marked if z["view"] == view and z["shape"]]}
            for view, label in (("front", "Front"), ("back", "Back"))
        ]
        widget["has_figure"] = any(v["zones"] for v in widget["views"])
    return widget


# --- results ---------------------------------------------------------------------------------------


def result_view(*, attempt: Attempt) -> dict:
    """The result page, filtered by the quiz's feedback policy (the key only when the policy allows)."""
    quiz = attempt.quiz
    policy = quiz.feedback_policy
    key_hidden_note = ""
    if (
        policy == FeedbackPolicy.FULL_EXPLANATIONS
        and quiz.hide_key_after_fail
        and not attempt.passed
        and not Attempt.objects.filter(user_id=attempt.user_id, quiz_id=quiz.pk, passed=True).exists()
    ):
        policy = FeedbackPolicy.SHOW_WRONG
        key_hidden_note = "Correct answers and explanations are shown once you pass this quiz."
    responses = {r.position: r for r in Response.objects.filter(attempt=attempt)}
    items = []
    for item in attempt.questions:
        response = responses.get(item["position"])
        items.append(_result_item(item, response, attempt.snapshot.get("zones", []), policy))
    critical_wrong = [i for i in items if i["fails_critical"]]
    return {
        "attempt": attempt,
        "quiz": quiz,
        "policy": policy,
        "show_items": policy != FeedbackPolicy.SCORE_ONLY,
        "show_key": policy == FeedbackPolicy.FULL_EXPLANATIONS,
        "key_hidden_note": key_hidden_note,
        "items": items,
        "critical_wrong": critical_wrong,
        "wrong_count": sum(1 for i in items if not i["is_correct"]),
        "right_count": sum(1 for i in items if i["is_correct"]),
        "pass_mark": attempt.snapshot.get("pass_mark", quiz.pass_mark),
    }


def _result_item(item: dict, response, zones: list[dict], policy: str) -> dict:
    answer = response.answer if response else None
    score = response.score if response and response.score is not None else 0.0
    is_correct = bool(response and response.is_correct)
    result = {
        "position": item["position"],
        "stem": item["stem"],
        "kind": item["kind"],
        "critical": item["critical"],
        "fails_critical": item_fails_critical(item, answer, is_correct),
        "lesson_url": item.get("lesson_url", ""),
        "lesson_title": item.get("lesson_title", ""),
        "score_percent": round(score * 100),
        "is_correct": is_correct,
        "partial": 0 < score < 1,
    }
    if policy == FeedbackPolicy.FULL_EXPLANATIONS:
        result["your_answer"] = describe_answer(item, answer, zones)
        result["correct_answer"] = describe_answer(item, item["key"], zones)
        result["explanation"] = item.get("explanation", "")
        # A critical triage question answered with a more urgent action: wrong, but not a critical fail.
        result["over_triage"] = item["critical"] and not is_correct and not result["fails_critical"]
    return result


def describe_answer(item: dict, answer, zones: list[dict]) -> list[str]:
    """An answer (or a key) as readable lines."""
    if answer in (None, "", [], {}):
        return []
    texts = {o["id"]: o["text"] for o in item["options"]}
    kind = item["kind"]
    if kind in grading.SINGLE_KINDS:
        return [texts.get(answer, "?")]
    if kind == "multiple_response":
        return [texts.get(a, "?") for a in answer]
    if kind == "body_map":
        names = {z["code"]: z["name"] for z in zones}
        return [names.get(code, code) for code in answer]
    if kind == "matching":
        rights = {r["id"]: r["text"] for r in item.get("right", [])}
        return [f"{texts.get(left, '?')} → {rights.get(right, '?')}" for left, right in answer.items()]
    if kind == "ordering":
        ordered = sorted(answer.items(), key=lambda pair: pair[1])
        return [f"{position}. {texts.get(oid, '?')}" for oid, position in ordered]
    return []


def question_preview_context(question, *, show_key: bool) -> dict:
    """Admin preview of a (possibly unsaved) question, rendered with the learner's widgets."""
    item = question_preview_item(question)
    zones = zones_with_shapes(item.pop("zones", []))
    return {
        "item": item,
        "widget": question_widget(public_item(item), None, zones),
        "show_key": show_key,
        "key_lines": describe_answer(item, item.get("key"), zones) if show_key else [],
    }
