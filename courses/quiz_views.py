"""The learner's quiz pages: thin views over the quiz engine (quizzes.services and quizzes.selectors),
behind the course's own rules (enrollment). Bad input gets a 4xx and a clear message."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from quizzes import selectors, services
from quizzes.answers import answers_from_form, json_loads_strict
from quizzes.errors import AnswerError, QuizError
from quizzes.models import Quiz

from .result_page import attempt_result_context
from .selectors import quiz_intro_context
from .services import quiz_attempt_start, quiz_attempt_submit

MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(QuizError):
    status = 413

    def __init__(self):
        super().__init__(f"The request is larger than {MAX_BODY_BYTES // 1024} KB and was refused.")


def _wants_json(request) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def learner_required(view):
    """login_required that answers scripts with a JSON 401 instead of a redirect to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "error": "Your session has ended: please log in again."}, status=401
            )
        return redirect_to_login(request.get_full_path())

    return wrapper


def _check_size(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise BodyTooLarge()


def _json_body(request) -> dict:
    _check_size(request)
    try:
        raw = request.body
    except RequestDataTooBig:
        raise BodyTooLarge() from None
    if len(raw) > MAX_BODY_BYTES:
        raise BodyTooLarge()
    payload = json_loads_strict(raw)
    if not isinstance(payload, dict) or "answers" not in payload:
        raise AnswerError('Send a JSON object like {"answers": {...}}.')
    return payload


def _error(request, error: QuizError, attempt=None):
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": error.message}, status=error.status)
    context = {"message": error.message, "attempt": attempt}
    return render(request, "quizzes/quiz_error.html", context, status=error.status)


@require_GET
@learner_required
def quiz_intro(request, quiz_id):
    quiz = get_object_or_404(Quiz.objects.select_related("course", "module"), pk=quiz_id)
    open_attempt = selectors.attempt_open(user=request.user, quiz=quiz)
    if open_attempt is not None:
        services.attempt_close_if_overdue(attempt=open_attempt)
    context = quiz_intro_context(user=request.user, quiz=quiz)
    return render(request, "quizzes/quiz_intro.html", context)


@require_POST
@learner_required
def quiz_start(request, quiz_id):
    quiz = get_object_or_404(Quiz.objects.select_related("course"), pk=quiz_id)
    try:
        attempt = quiz_attempt_start(user=request.user, quiz=quiz)
    except QuizError as error:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": error.message}, status=error.status)
        messages.error(request, error.message)
        return redirect("quizzes:quiz_intro", quiz_id=quiz.pk)
    if _wants_json(request):
        take_url = reverse("quizzes:attempt_take", args=[attempt.pk])
        return JsonResponse({"ok": True, "attempt": attempt.pk, "take_url": take_url})
    return redirect("quizzes:attempt_take", attempt_id=attempt.pk)


@require_GET
@learner_required
def attempt_take(request, attempt_id):
    attempt = selectors.attempt_for_learner(user=request.user, attempt_id=attempt_id)
    attempt = services.attempt_close_if_overdue(attempt=attempt)
    if not attempt.is_open:
        return redirect("quizzes:attempt_result", attempt_id=attempt.pk)
    context = selectors.attempt_take_context(attempt=attempt)
    return render(request, "quizzes/attempt_take.html", context)


@require_POST
@learner_required
def attempt_autosave(request, attempt_id):
    """JSON from the page's script; a plain form post ("Save and finish later") without JavaScript."""
    attempt = selectors.attempt_for_learner(user=request.user, attempt_id=attempt_id)
    as_json = request.content_type == "application/json"
    try:
        saved = services.attempt_autosave(attempt=attempt, answers=_posted_answers(request, attempt))
    except RequestDataTooBig:
        return _error(request, BodyTooLarge(), attempt)
    except QuizError as error:
        return _error(request, error, attempt)
    if as_json:
        return JsonResponse({"ok": True, "saved": saved})
    messages.success(request, "Your answers are saved. Come back to finish this attempt at any time.")
    return redirect("quizzes:quiz_intro", quiz_id=attempt.quiz_id)


@require_POST
@learner_required
def attempt_submit(request, attempt_id):
    attempt = selectors.attempt_for_learner(user=request.user, attempt_id=attempt_id)
    as_json = _wants_json(request)
    try:
        outcome = quiz_attempt_submit(attempt=attempt, answers=_posted_answers(request, attempt))
    except RequestDataTooBig:
        return _error(request, BodyTooLarge(), attempt)
    except QuizError as error:
        return _error(request, error, attempt)
    return _submitted(request, outcome, as_json)


def _posted_answers(request, attempt) -> dict:
    """The answers of a JSON body from the page's script, or of a plain form post without JavaScript."""
    if request.content_type == "application/json":
        return _json_body(request)["answers"]
    _check_size(request)
    return answers_from_form(attempt.snapshot, request.POST)


def _submitted(request, outcome: services.SubmitOutcome, as_json: bool):
    attempt = outcome.attempt
    result_url = reverse("quizzes:attempt_result", args=[attempt.pk])
    if not outcome.graded_now:
        message = "This attempt was already submitted; your answers were not changed."
    elif outcome.late:
        message = (
            "Time was up: answers sent after the time limit were not accepted. "
            "The attempt was graded on the answers saved before it."
        )
    else:
        message = ""
    if as_json:
        status = 409 if message else 200
        body = {
            "ok": not message,
            "result_url": result_url,
            "score": str(attempt.score),
            "passed": attempt.passed,
        }
        if message:
            body["error"] = message
        return JsonResponse(body, status=status)
    if message:
        messages.warning(request, message)
    return redirect(result_url)


@require_GET
@learner_required
def attempt_result(request, attempt_id):
    attempt = selectors.attempt_for_learner(user=request.user, attempt_id=attempt_id)
    attempt = services.attempt_close_if_overdue(attempt=attempt)
    if attempt.is_open:
        messages.info(request, "This attempt is still open: submit it to see your result.")
        return redirect("quizzes:attempt_take", attempt_id=attempt.pk)
    return render(
        request, "quizzes/attempt_result.html", attempt_result_context(user=request.user, attempt=attempt)
    )
