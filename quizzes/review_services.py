"""Writes of the review deck: cards entering it, a question served for review, an answer graded.

Deck building is called by the course layer when an attempt is submitted or a module is completed
(courses/review_deck.py), never from a signal, and by `review_deck_backfill` for past records. Adding
is idempotent (one card per learner and family: INSERT … ON CONFLICT DO NOTHING).

Serving and grading each run a fixed number of queries whatever the size of the deck.
"""

import random
import zlib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from content.models import BodyZone

from . import grading
from .answers import answers_from_form, validate_answers
from .errors import AnswerError, QuizError
from .models import Question, QuestionKind, Response
from .review_models import CardSource, ReviewCard
from .review_schedule import card_review, new_card, rating_for
from .snapshots import question_item, zone_list

SOURCE_RANK = {CardSource.RED_FLAG: 0, CardSource.MISSED: 1, CardSource.MODULE: 2}


class ReviewError(QuizError):
    status = 409


@dataclass(frozen=True)
class DeckEntry:
    family: str
    source: str
    critical: bool
    label: str


def family_key(question_id: int, family: str) -> str:
    """A question's family, or a family of its own when it has none (quizzes.Question.family)."""
    return family or f"question-{question_id}"


def _family_filter(family: str) -> dict:
    if family.startswith("question-") and family[9:].isdigit():
        return {"pk": int(family[9:])}
    return {"family": family}


def _label(question: Question) -> str:
    if question.red_flag_id:
        return question.red_flag.sign[:200]
    if question.muscle_id:
        return f"{question.muscle.name}: {question.topic.name}"[:200]
    stem = question.stem.strip()
    return stem if len(stem) <= 120 else stem[:117] + "…"


def _entries(questions, source_of) -> list[DeckEntry]:
    entries: dict[str, DeckEntry] = {}
    for question in questions:
        source = source_of(question)
        if source is None:
            continue
        key = family_key(question.pk, question.family)
        entry = DeckEntry(key, source, question.critical, _label(question))
        known = entries.get(key)
        if known is None or SOURCE_RANK[source] < SOURCE_RANK[known.source]:
            entries[key] = entry
    return list(entries.values())


def attempt_correct(attempt) -> dict[int, bool]:
    """{question id: exactly right} of a graded attempt, from its responses."""
    if attempt.submitted_at is None:
        return {}
    rows = Response.objects.filter(attempt_id=attempt.pk).values_list("question_id", "is_correct")
    return {qid: bool(ok) for qid, ok in rows if qid is not None}


def deck_entries(*, correct: dict[int, bool] | None = None, module_ids=()) -> list[DeckEntry]:
    """What a graded attempt ({question id: exactly right}, see attempt_correct; the submit returns
    it) and completed modules bring into the deck, in one query: every question of the attempt that
    was missed, every safety-critical one met, and every live question family about a muscle that
    the completed modules teach."""
    correct = correct or {}
    met = Q(pk__in=list(correct))
    taught = Q(module_id__in=list(module_ids), muscle__isnull=False, retired=False)
    if not correct and not module_ids:
        return []

    def source_of(question):
        if question.critical:
            return CardSource.RED_FLAG
        if question.pk in correct and not correct[question.pk]:
            return CardSource.MISSED
        if question.module_id in module_ids and question.muscle_id and not question.retired:
            return CardSource.MODULE
        return None

    questions = Question.objects.filter(met | taught).select_related("red_flag", "muscle", "topic")
    return _entries(questions, source_of)


def deck_add(*, user_id: int, course_id: int | None, entries: list[DeckEntry], now=None) -> int:
    """Add the families not yet in the learner's deck, due at once (one INSERT … ON CONFLICT DO
    NOTHING: a family already there keeps its card and schedule). Returns how many were offered."""
    if not entries:
        return 0
    now = now or timezone.now()
    rows = [
        ReviewCard(
            user_id=user_id,
            family=e.family,
            course_id=course_id,
            source=e.source,
            critical=e.critical,
            label=e.label,
            card=new_card(card_id=zlib.crc32(f"{user_id}:{e.family}".encode()), now=now),
            due=now,
            created_at=now,
        )
        for e in entries
    ]
    ReviewCard.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- a review ------------------------------------------------------------------------------------


def _family_questions(family: str, course=None):
    """The family's live questions, within the card's course when it has one (families are site-wide;
    another course's stems could be questions its learner has yet to meet in a quiz)."""
    within = {"module__path__startswith": course.path, "module__live": True} if course else {}
    return list(
        Question.objects.filter(retired=False, **_family_filter(family), **within)
        .select_related("module")
        .prefetch_related("options", "correct_zones")
    )


def review_serve(*, card: ReviewCard, now=None, rng: random.Random | None = None) -> dict:
    """The question to show for this card (frozen in `card.served`, key included; the caller shows
    only quizzes.snapshots.public_item of it). A card already served and not answered keeps its
    question and clock, so a reload changes nothing. Another stem of the family than the last one
    is chosen when the family has one. Raises ReviewError when no live question is left."""
    if card.served:
        return card.served
    now = now or timezone.now()
    rng = rng or random.Random()
    questions = _family_questions(card.family, card.course)
    if not questions:
        ReviewCard.objects.filter(pk=card.pk).update(suspended=True)
        raise ReviewError("This card's questions have all been retired; it has left your deck.")
    fresh = [q for q in questions if q.pk != card.last_question_id] or questions
    question = rng.choice(fresh)
    item = question_item(question, position=1, rng=rng, shuffle=True, lesson_url=question.lesson_url)
    served = {"item": item, "served_at": now.isoformat(), "token": get_random_string(16)}
    if question.kind == QuestionKind.BODY_MAP:
        served["zones"] = zone_list(BodyZone.objects.order_by("view", "sort_order", "name"))
    card.served, card.last_question_id = served, question.pk
    ReviewCard.objects.filter(pk=card.pk).update(served=served, last_question_id=question.pk)
    return served


@dataclass(frozen=True)
class ReviewOutcome:
    card: ReviewCard
    item: dict  # the question answered, key included (shown after the answer)
    zones: list
    answer: object
    correct: bool
    seconds: float
    rating: int


def served_snapshot(served: dict) -> dict:
    """The served question in an attempt snapshot's shape, for quizzes.answers."""
    return {"questions": [served["item"]], "zones": served.get("zones", [])}


def review_answer(*, card: ReviewCard, token: str, form_data, now: datetime | None = None) -> ReviewOutcome:
    """Grade the answer to the served question as quizzes grade it, rate it from correctness and the
    server's response time (quizzes/review_schedule.py) and reschedule the card with FSRS. An answer
    to a question no longer served (a second tab, a double click) changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = ReviewCard.objects.select_for_update().get(pk=card.pk)
        served = locked.served
        if not served or served.get("token") != token:
            raise ReviewError("This card was already answered. Go on to the next one.")
        snapshot = served_snapshot(served)
        answer = validate_answers(snapshot, answers_from_form(snapshot, form_data)).get(served["item"]["qid"])
        item = served["item"]
        _, correct = grading.grade(item["kind"], item["key"], answer)
        seconds = max(0.0, (now - datetime.fromisoformat(served["served_at"])).total_seconds())
        rating = rating_for(correct=correct, seconds=seconds)
        locked.card, log = card_review(locked.card, rating, now=now, duration_ms=int(seconds * 1000))
        locked.due = datetime.fromisoformat(locked.card["due"])
        locked.reviews = [*locked.reviews, log]
        locked.review_count += 1
        locked.again_count += int(rating == 1)
        locked.served = None
        locked.save(update_fields=["card", "due", "reviews", "review_count", "again_count", "served"])
    return ReviewOutcome(locked, item, served.get("zones", []), answer, correct, seconds, int(rating))


__all__ = ["AnswerError", "ReviewError", "deck_add", "review_answer", "review_serve"]
