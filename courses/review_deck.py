"""Building learners' review decks from their course records (the deck itself is quizzes'; see
quizzes/review_services.py). Called by the services that grade an attempt and complete a module, and
by `manage.py review_deck_backfill` for records made before the deck existed; never from a signal."""

from quizzes import review_services
from quizzes.models import Attempt, AttemptStatus, ReviewCard

from .models import ModuleProgress


def _completed_module_ids(*, user_id: int, course_id: int) -> list[int]:
    return list(
        ModuleProgress.objects.filter(
            enrollment__user_id=user_id, enrollment__course_id=course_id, completed_at__isnull=False
        ).values_list("module_id", flat=True)
    )


def review_deck_add_attempt(attempt: Attempt, correct: dict[int, bool] | None = None, now=None) -> int:
    """After grading: the attempt's missed and safety-critical items (`correct`, {question id: exactly
    right}, as the submit returned it; read from the responses when not given), and the muscles of the
    course's modules completed so far (a pass may have just completed one)."""
    course_id = attempt.quiz.course_id
    if correct is None:
        correct = review_services.attempt_correct(attempt)
    module_ids = _completed_module_ids(user_id=attempt.user_id, course_id=course_id)
    entries = review_services.deck_entries(correct=correct, module_ids=module_ids)
    return review_services.deck_add(user_id=attempt.user_id, course_id=course_id, entries=entries, now=now)


def review_deck_add_module(*, user_id: int, course_id: int, module_id: int, now=None) -> int:
    entries = review_services.deck_entries(module_ids=[module_id])
    return review_services.deck_add(user_id=user_id, course_id=course_id, entries=entries, now=now)


def review_deck_backfill(*, now=None) -> int:
    """Every graded attempt and completed module so far, into its learner's deck (idempotent).
    Returns how many cards were new."""
    before = ReviewCard.objects.count()
    graded = (
        Attempt.objects.exclude(status=AttemptStatus.IN_PROGRESS)
        .select_related("quiz")
        .only("pk", "user_id", "submitted_at", "quiz__course_id")
    )
    for attempt in graded.iterator(chunk_size=500):
        review_deck_add_attempt(attempt, now=now)
    done = ModuleProgress.objects.filter(completed_at__isnull=False).values_list(
        "enrollment__user_id", "enrollment__course_id", "module_id"
    )
    for user_id, course_id, module_id in done.iterator(chunk_size=2000):
        review_deck_add_module(user_id=user_id, course_id=course_id, module_id=module_id, now=now)
    return ReviewCard.objects.count() - before
