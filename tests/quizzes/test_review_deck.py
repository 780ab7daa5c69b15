"""The review deck (issue 16): what enters it, and FSRS scheduling through the real services."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler

from courses.review_deck import review_deck_backfill
from quizzes.models import CardSource, ReviewCard
from quizzes.review_schedule import rating_for
from quizzes.review_services import ReviewError, review_answer, review_serve
from tests.quizzes import factories as qf
from tests.quizzes.review_world import form_answer, review_world, take_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(catalogue, provider):
    return review_world(catalogue, provider)


def _families(user) -> dict[str, ReviewCard]:
    return {c.family: c for c in ReviewCard.objects.filter(user=user)}


def test_a_missed_item_enters_the_deck_and_a_right_one_does_not(world, learner):
    def loner_wrong(attempt):
        answers = qf.key_answers(attempt)
        wrong = qf.wrong_answers(attempt)
        answers[str(world.loner.pk)] = wrong[str(world.loner.pk)]
        return answers

    attempt = take_quiz(learner, world, answers_for=loner_wrong)
    assert attempt.passed is False
    cards = _families(learner)
    loner = f"question-{world.loner.pk}"
    assert cards[loner].source == CardSource.MISSED
    assert cards[loner].course_id == world.course.pk
    # The red flag was answered right, yet a safety-critical item met always enters, marked critical.
    assert cards["saddle-numbness"].source == CardSource.RED_FLAG and cards["saddle-numbness"].critical
    # Answered right, not critical, module not completed (the attempt failed): not in the deck.
    assert "psoas-insertion" not in cards
    assert cards[loner].due <= datetime.now(UTC)  # a new card is due at once


def test_a_passed_module_adds_its_muscles_once(world, learner):
    take_quiz(learner, world, answers_for=qf.key_answers)
    cards = _families(learner)
    assert cards["psoas-insertion"].source == CardSource.MODULE
    assert cards["psoas-insertion"].label == "Psoas major: Attachments"
    assert set(cards) == {"psoas-insertion", "saddle-numbness"}
    # A second attempt and the backfill add nothing twice.
    review_deck_backfill()
    assert ReviewCard.objects.filter(user=learner).count() == 2


def test_backfill_builds_decks_from_records_made_before_the_deck(world, learner):
    take_quiz(learner, world, answers_for=qf.wrong_answers)
    ReviewCard.objects.all().delete()
    assert review_deck_backfill() == 3
    assert set(_families(learner)) == {"psoas-insertion", "saddle-numbness", f"question-{world.loner.pk}"}


@pytest.mark.parametrize(
    ("correct", "seconds", "rating"),
    [
        (False, 3, Rating.Again),
        (False, 300, Rating.Again),
        (True, 5, Rating.Easy),
        (True, 10, Rating.Easy),
        (True, 11, Rating.Good),
        (True, 40, Rating.Good),
        (True, 41, Rating.Hard),
    ],
)
def test_rating_from_correctness_and_time(correct, seconds, rating):
    assert rating_for(correct=correct, seconds=seconds) == rating


def test_the_schedule_follows_fsrs(world, learner, settings):
    """Answers given through the real services produce exactly the library's own schedule for the
    same rating sequence at the same moments."""
    settings.REVIEW_FSRS_FUZZ = False
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    take_quiz(learner, world, answers_for=qf.wrong_answers, now=start)
    card = ReviewCard.objects.get(user=learner, family="psoas-insertion")
    # (right?, seconds taken, the rating it must give, days after the previous review)
    plan = [(False, 20, Rating.Again, 0), (True, 20, Rating.Good, 1), (True, 60, Rating.Hard, 3)]
    plan += [(True, 4, Rating.Easy, 9), (False, 8, Rating.Again, 30), (True, 15, Rating.Good, 2)]
    library = Scheduler(desired_retention=0.9, enable_fuzzing=False)
    expected = Card(card_id=card.card["card_id"], due=start)
    moment = start
    stems = []
    for right, seconds, rating, days in plan:
        moment += timedelta(days=days, minutes=1)
        card = ReviewCard.objects.get(pk=card.pk)
        served = review_serve(card=card, now=moment, rng=random.Random(days))
        stems.append(served["item"]["qid"])
        answered = moment + timedelta(seconds=seconds)
        outcome = review_answer(
            card=card, token=served["token"], form_data=form_answer(served, right=right), now=answered
        )
        assert outcome.rating == rating and outcome.correct == right
        expected, _ = library.review_card(expected, rating, review_datetime=answered)
        assert outcome.card.card == expected.to_dict()
        assert outcome.card.due == expected.due
    card.refresh_from_db()
    assert [r["rating"] for r in card.reviews] == [int(p[2]) for p in plan]
    assert card.again_count == 2 and card.review_count == len(plan)
    # The family has two stems: each review serves the other one.
    assert all(a != b for a, b in zip(stems, stems[1:], strict=False))
    assert set(stems) == {q.pk for q in world.fact}


def test_an_answer_is_graded_once(world, learner):
    take_quiz(learner, world, answers_for=qf.wrong_answers)
    card = ReviewCard.objects.get(user=learner, family="saddle-numbness")
    served = review_serve(card=card)
    assert (
        review_serve(card=ReviewCard.objects.get(pk=card.pk)) == served
    )  # a reload: same question and clock
    review_answer(card=card, token=served["token"], form_data=form_answer(served, right=True))
    with pytest.raises(ReviewError):
        review_answer(card=card, token=served["token"], form_data=form_answer(served, right=True))
    assert ReviewCard.objects.get(pk=card.pk).review_count == 1


def test_a_family_with_every_question_retired_leaves_the_deck(world, learner):
    take_quiz(learner, world, answers_for=qf.wrong_answers)
    card = ReviewCard.objects.get(user=learner, family=f"question-{world.loner.pk}")
    world.loner.retired = True
    world.loner.save()
    with pytest.raises(ReviewError):
        review_serve(card=card)
    assert ReviewCard.objects.get(pk=card.pk).suspended
