"""FSRS scheduling of review cards (the `fsrs` package), and the rating a review earns.

The rating comes from the server's grading and the server's clock, never from the browser:

- wrong (anything short of exactly right, partial credit included) → Again
- right, answered in more than REVIEW_SLOW_SECONDS (40 s) → Hard
- right within REVIEW_FAST_SECONDS (10 s) → Easy
- right otherwise → Good

Response time runs from the moment the server served the question to the moment it received the
answer. The scheduler is FSRS 6's default (parameters, learning steps 1 and 10 minutes, relearning 10
minutes) with `REVIEW_DESIRED_RETENTION` as its desired retention; all times are UTC.
"""

from datetime import UTC, datetime

from django.conf import settings
from fsrs import Card, Rating, ReviewLog, Scheduler

RATING_NAMES = {Rating.Again: "Again", Rating.Hard: "Hard", Rating.Good: "Good", Rating.Easy: "Easy"}


def scheduler() -> Scheduler:
    return Scheduler(
        desired_retention=settings.REVIEW_DESIRED_RETENTION, enable_fuzzing=settings.REVIEW_FSRS_FUZZ
    )


def rating_for(*, correct: bool, seconds: float) -> Rating:
    if not correct:
        return Rating.Again
    if seconds > settings.REVIEW_SLOW_SECONDS:
        return Rating.Hard
    if seconds <= settings.REVIEW_FAST_SECONDS:
        return Rating.Easy
    return Rating.Good


def utc(moment: datetime) -> datetime:
    """FSRS insists on UTC (`tzinfo is timezone.utc`), whatever zone Django hands us."""
    return moment.astimezone(UTC)


def new_card(*, card_id: int, now: datetime) -> dict:
    """A card new to the deck: FSRS's Learning state, due at once."""
    return Card(card_id=card_id, due=utc(now)).to_dict()


def card_review(card: dict, rating: Rating, *, now: datetime, duration_ms: int) -> tuple[dict, dict]:
    """(the card after this review, its review log) as JSON dicts."""
    reviewed, log = scheduler().review_card(
        Card.from_dict(card), rating, review_datetime=utc(now), review_duration=duration_ms
    )
    return reviewed.to_dict(), log.to_dict()


def card_at(card: dict, reviews: list[dict], moment: datetime) -> Card:
    """The card as it stood at `moment`: the reviews up to then replayed by the scheduler."""
    logs = [
        ReviewLog.from_dict(r) for r in reviews if datetime.fromisoformat(r["review_datetime"]) <= utc(moment)
    ]
    base = Card.from_dict(card)
    if not logs:
        return Card(card_id=base.card_id, due=base.due)
    return scheduler().reschedule_card(base, logs)


def card_now(card: dict) -> Card:
    return Card.from_dict(card)


def retrievability(card: Card, moment: datetime) -> float:
    return scheduler().get_card_retrievability(card, utc(moment))
