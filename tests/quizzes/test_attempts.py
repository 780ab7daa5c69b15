"""Starting and resuming attempts: draws, snapshots, attempt limits and cooldowns."""

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from courses.services import quiz_attempt_start
from quizzes import services
from quizzes.errors import AttemptNotAllowed, QuizEmpty
from quizzes.models import Attempt, AttemptStatus, Question, QuestionOption, Response, Topic
from tests.quizzes import factories as qf


@pytest.fixture
def bank(module, zones):
    """12 questions in module 1: 5 attachments (2 tagged psoas), 4 red flags, 3 general."""
    questions = [
        qf.single_choice(module, topic=Topic.ATTACHMENTS, tags=["psoas"] if n < 2 else []) for n in range(5)
    ]
    questions += [qf.vignette(module, critical=False) for _ in range(4)]
    questions += [qf.true_false(module) for _ in range(3)]
    return questions


def test_draws_n_per_rule_without_repeats(course, module, bank, enrolled):
    quiz = qf.quiz_create(
        course, module, rules=[(Topic.ATTACHMENTS, "", 3), (Topic.RED_FLAGS, "", 2), ("", "", 2)]
    )
    attempt = services.attempt_start(user=enrolled, quiz=quiz)
    topics = Counter(item["topic"] for item in attempt.questions)
    assert len(attempt.questions) == 7
    assert topics[Topic.ATTACHMENTS] >= 3 and topics[Topic.RED_FLAGS] >= 2
    assert len({item["qid"] for item in attempt.questions}) == 7
    assert [item["position"] for item in attempt.questions] == list(range(1, 8))
    assert Response.objects.filter(attempt=attempt).count() == 7


def test_tag_rule_and_short_pool(course, module, bank, enrolled):
    quiz = qf.quiz_create(course, module, rules=[("", "PSOAS", 5)])
    attempt = services.attempt_start(user=enrolled, quiz=quiz)
    assert len(attempt.questions) == 2  # only two tagged questions exist: it draws what there is


def test_draws_differ_between_attempts(course, module, bank, enrolled):
    quiz = qf.quiz_create(course, module, rules=[("", "", 4)])
    draws = set()
    for _ in range(6):
        attempt = services.attempt_start(user=enrolled, quiz=quiz)
        draws.add(tuple(item["qid"] for item in attempt.questions))
        services.attempt_submit(attempt=attempt)
    assert len(draws) > 1


def test_choices_are_shuffled_per_attempt_but_vignette_actions_keep_their_order(course, module, enrolled):
    qf.single_choice(module, wrong=[f"Wrong {n}" for n in range(7)])
    qf.vignette(module)
    quiz = qf.quiz_create(course, module)
    orders, vignette_orders = set(), set()
    for _ in range(6):
        attempt = services.attempt_start(user=enrolled, quiz=quiz)
        by_kind = {item["kind"]: item for item in attempt.questions}
        orders.add(tuple(o["text"] for o in by_kind["single_choice"]["options"]))
        vignette_orders.add(tuple(o["text"] for o in by_kind["case_vignette"]["options"]))
        services.attempt_submit(attempt=attempt)
    assert len(orders) > 1
    assert len(vignette_orders) == 1


def test_ordering_items_are_never_shown_in_the_correct_order(course, module, enrolled):
    qf.ordering(module, items=["one", "two", "three"])
    quiz = qf.quiz_create(course, module, shuffle_choices=False)
    for _ in range(8):
        attempt = services.attempt_start(user=enrolled, quiz=quiz)
        item = attempt.questions[0]
        assert [o["text"] for o in item["options"]] != ["one", "two", "three"]
        services.attempt_submit(attempt=attempt)


def test_resume_returns_the_open_attempt(all_kinds_quiz, enrolled):
    first = services.attempt_start(user=enrolled, quiz=all_kinds_quiz)
    again = services.attempt_start(user=enrolled, quiz=all_kinds_quiz)
    assert again.pk == first.pk
    assert Attempt.objects.filter(user=enrolled).count() == 1


def test_final_quiz_draws_from_every_module_of_the_course(course, modules, enrolled):
    for module in modules:
        qf.single_choice(module)
    qf.single_choice(None)  # in no module: not in any pool
    final = qf.quiz_create(course, None, title="Post-test")
    module_quiz = qf.quiz_create(course, modules[0])
    assert len(services.attempt_start(user=enrolled, quiz=final).questions) == 3
    assert len(services.attempt_start(user=enrolled, quiz=module_quiz).questions) == 1


def test_retired_questions_are_not_drawn(course, module, enrolled):
    qf.single_choice(module)
    qf.single_choice(module, retired=True)
    quiz = qf.quiz_create(course, module)
    assert len(services.attempt_start(user=enrolled, quiz=quiz).questions) == 1


def test_empty_quiz_refuses_to_start(course, module, enrolled):
    quiz = qf.quiz_create(course, module)
    with pytest.raises(QuizEmpty):
        services.attempt_start(user=enrolled, quiz=quiz)
    assert not Attempt.objects.exists()


def test_learner_must_be_enrolled(all_kinds_quiz, learner, other_learner):
    # enrollment is the course's rule, checked before the quiz engine's own limits
    with pytest.raises(AttemptNotAllowed, match="Enroll"):
        quiz_attempt_start(user=other_learner, quiz=all_kinds_quiz)
    assert not Attempt.objects.filter(user=other_learner).exists()


def test_snapshot_keeps_the_question_as_it_was(all_kinds_quiz, enrolled):
    attempt = services.attempt_start(user=enrolled, quiz=all_kinds_quiz)
    item = next(i for i in attempt.questions if i["kind"] == "single_choice")
    question = Question.objects.get(pk=item["qid"])
    question.stem = "Edited later"
    question.options.all().delete()
    question.save()
    answers = qf.key_answers(attempt)
    outcome = services.attempt_submit(attempt=attempt, answers=answers)
    attempt.refresh_from_db()
    assert (
        attempt.questions[[i["qid"] for i in attempt.questions].index(item["qid"])]["stem"] != "Edited later"
    )
    assert outcome.attempt.score == 100
    assert item["revision_id"] is None or isinstance(item["revision_id"], int)


def test_deleting_a_question_keeps_graded_attempts(all_kinds_quiz, enrolled):
    attempt = services.attempt_start(user=enrolled, quiz=all_kinds_quiz)
    services.attempt_submit(attempt=attempt, answers=qf.key_answers(attempt))
    Question.objects.filter(pk=attempt.questions[0]["qid"]).delete()
    assert Response.objects.filter(attempt=attempt).count() == 7
    assert Response.objects.get(attempt=attempt, position=1).question_id is None


def test_max_attempts(course, module, enrolled):
    qf.true_false(module)
    quiz = qf.quiz_create(course, module, max_attempts=2)
    for _ in range(2):
        services.attempt_submit(attempt=services.attempt_start(user=enrolled, quiz=quiz), answers={})
    with pytest.raises(AttemptNotAllowed, match="all 2 attempts"):
        services.attempt_start(user=enrolled, quiz=quiz)
    assert Attempt.objects.filter(user=enrolled).count() == 2


def test_cooldown_after_a_failed_attempt_only(course, module, enrolled):
    qf.true_false(module)
    quiz = qf.quiz_create(course, module, cooldown_minutes=30)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt = services.attempt_start(user=enrolled, quiz=quiz)
        services.attempt_submit(attempt=attempt, answers=qf.wrong_answers(attempt))
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        with pytest.raises(AttemptNotAllowed, match="try again in about 1 minute"):
            services.attempt_start(user=enrolled, quiz=quiz)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        attempt = services.attempt_start(user=enrolled, quiz=quiz)
        services.attempt_submit(attempt=attempt, answers=qf.key_answers(attempt))
        assert attempt.number == 2
        # after a pass there is no wait
        assert services.attempt_start(user=enrolled, quiz=quiz).number == 3


def test_attempt_numbers_and_one_open_attempt_constraint(all_kinds_quiz, enrolled):
    from django.db import IntegrityError, transaction

    attempt = services.attempt_start(user=enrolled, quiz=all_kinds_quiz)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(user=enrolled, quiz=all_kinds_quiz, number=2, started_at=timezone.now())
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_matching_right_hand_side_is_listed_once(course, module, enrolled):
    qf.matching(module)
    attempt = services.attempt_start(user=enrolled, quiz=qf.quiz_create(course, module))
    item = attempt.questions[0]
    texts = [r["text"] for r in item["right"]]
    assert len(texts) == len(set(texts)) == 4  # 3 distinct insertions + 1 distractor
    assert len(item["options"]) == 4
    assert len(set(item["key"].values())) == 3


def test_option_without_text_is_not_a_choice(course, module, enrolled):
    question = qf.single_choice(module)
    QuestionOption.objects.create(question=question, text="", sort_order=9)
    attempt = services.attempt_start(user=enrolled, quiz=qf.quiz_create(course, module))
    assert len(attempt.questions[0]["options"]) == 4
