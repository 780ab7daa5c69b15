"""Reads of the review deck: the learner's due cards and one card (their own, else 404), and the
retention of a course's safety-critical cards for its instructors. The learner's reads run a fixed
number of queries whatever the size of the deck."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Min, OuterRef, Q, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .review_models import ReviewCard
from .review_schedule import card_at, card_now, retrievability

DUE_LIST_LIMIT = 20
RETENTION_HORIZONS = (30, 90, 180)


def _unlocked(user_id) -> Q:
    """A course's cards open once the learner has completed that course: before then a review would show
    keys and explanations of questions its quizzes may still draw, whatever their feedback policy.

    `user_id`: the learner's id, or OuterRef("user_id") for several learners at once (due_counts), so the
    deck and the digest open the same cards by construction. A subquery, not a join on enrollments: with
    the join PostgreSQL left the (user, suspended, due) index (README, bench/review.py)."""
    # courses.Enrollment, reached through the user's reverse relation: quizzes may not import courses.
    enrollments = get_user_model()._meta.get_field("enrollments").related_model.objects
    completed = enrollments.filter(user_id=user_id, status="completed").values("course_id")
    return Q(course__isnull=True) | Q(course_id__in=completed)


def card_for_learner(*, user, card_id: int) -> ReviewCard:
    """The learner's own open card; another learner's card, or one still locked, does not exist for them
    (404)."""
    return get_object_or_404(_live(user).select_related("course").defer("reviews"), pk=card_id)


def _open_cards(user_id):
    """Cards that may be served: not suspended, their course completed (user_id as for _unlocked)."""
    return ReviewCard.objects.filter(_unlocked(user_id), suspended=False)


def _live(user):
    return _open_cards(user.pk).filter(user_id=user.pk)


def due_cards(*, user, now=None, limit: int = DUE_LIST_LIMIT) -> list[ReviewCard]:
    """The learner's due cards, most overdue first (one query on the (user, suspended, due) index)."""
    now = now or timezone.now()
    return list(
        _live(user)
        .filter(due__lte=now)
        .select_related("course")
        .only("pk", "family", "label", "source", "due", "course__title", "review_count")
        .order_by("due", "pk")[:limit]
    )


def next_due_card(*, user, now=None) -> ReviewCard | None:
    now = now or timezone.now()
    return _live(user).filter(due__lte=now).defer("reviews").order_by("due", "pk").first()


@dataclass(frozen=True)
class DeckSummary:
    total: int
    due: int
    next_due: object  # datetime of the next card due, None when the deck is empty


def deck_summary(*, user, now=None) -> DeckSummary:
    now = now or timezone.now()
    row = _live(user).aggregate(
        n=Count("pk"), n_due=Count("pk", filter=Q(due__lte=now)), first_due=Min("due")
    )
    return DeckSummary(row["n"], row["n_due"], row["first_due"])


def due_counts(*, user_ids: list[int], now=None) -> dict[int, int]:
    """{user id: cards due} for the digest (one grouped query): the cards each learner's deck counts due."""
    now = now or timezone.now()
    rows = (
        _open_cards(OuterRef("user_id"))
        .filter(user_id__in=user_ids, due__lte=now)
        .values("user_id")
        .annotate(n=Count("pk"))
    )
    return {r["user_id"]: r["n"] for r in rows}


# --- instructors: retention of a course's red-flag cards --------------------------------------------


@dataclass
class HorizonRetention:
    days: int
    learners: int = 0  # completed at least `days` ago and have red-flag cards
    retained: int = 0  # of those, every red-flag card above the target at completion + days

    @property
    def share(self) -> float | None:
        return self.retained / self.learners if self.learners else None


@dataclass
class ForgottenItem:
    label: str
    family: str
    learners: int
    forgotten: int  # reviews rated Again
    below_target_now: int


@dataclass
class CourseRetention:
    target: float
    horizons: list[HorizonRetention] = field(default_factory=list)
    forgotten: list[ForgottenItem] = field(default_factory=list)
    learners_with_cards: int = 0


def course_retention(
    *, course_id: int, completions: dict[int, object], now=None, top: int = 10
) -> CourseRetention:
    """`completions`: {learner id: completed_at} of the course's completed enrollments (from courses).

    A learner counts at a horizon (30, 90, 180 days after completion) once that day has come; they
    are retained there when every red-flag card of theirs from this course had an FSRS
    retrievability at or above the desired retention on that day, its reviews up to then replayed by
    the scheduler. Most forgotten: the course's families by reviews rated Again."""
    now = now or timezone.now()
    target = settings.REVIEW_DESIRED_RETENTION
    result = CourseRetention(target=target, horizons=[HorizonRetention(d) for d in RETENTION_HORIZONS])
    cards = ReviewCard.objects.filter(course_id=course_id, critical=True, user_id__in=list(completions)).only(
        "user_id", "card", "reviews"
    )
    by_user: dict[int, list] = {}
    for card in cards.iterator(chunk_size=2000):
        by_user.setdefault(card.user_id, []).append(card)
    result.learners_with_cards = len(by_user)
    for user_id, user_cards in by_user.items():
        for horizon in result.horizons:
            moment = completions[user_id] + timedelta(days=horizon.days)
            if moment > now:
                continue
            horizon.learners += 1
            if all(retrievability(card_at(c.card, c.reviews, moment), moment) >= target for c in user_cards):
                horizon.retained += 1
    result.forgotten = _most_forgotten(course_id, now, target, top)
    return result


def _most_forgotten(course_id: int, now, target: float, top: int) -> list[ForgottenItem]:
    rows = (
        ReviewCard.objects.filter(course_id=course_id, again_count__gt=0)
        .values("family")
        .annotate(forgotten=Sum("again_count"), learners=Count("user_id"), label=Min("label"))
        .order_by("-forgotten", "family")[:top]
    )
    items = [ForgottenItem(r["label"], r["family"], r["learners"], r["forgotten"], 0) for r in rows]
    below: Counter = Counter()
    cards = ReviewCard.objects.filter(course_id=course_id, family__in=[i.family for i in items]).only(
        "family", "card"
    )
    for card in cards:
        if retrievability(card_now(card.card), now) < target:
            below[card.family] += 1
    for item in items:
        item.below_target_now = below[item.family]
    return items
