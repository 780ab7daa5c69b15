"""The fair critical rule: on a safety-critical triage question (the four action levels as options)
only under-triage fails the attempt; over-triage is an ordinary wrong answer. Other critical
questions keep the plain rule (any wrong answer fails)."""

import pytest

from content.models import ActionLevel, RedFlag
from quizzes import selectors, services
from quizzes.grading import TriageError, fails_critical, triage_error
from quizzes.models import VIGNETTE_ACTION_TEXT, FeedbackPolicy
from quizzes.policy import CRITICAL_RULE
from tests.quizzes import factories as qf

URGENCY = {"e": 0, "u": 1, "r": 2, "t": 3}  # option id -> rank, 0 = most urgent


@pytest.mark.parametrize(
    "key, answer, fails",
    [
        ("u", "e", False),  # over-triage: wrong, not a critical fail
        ("r", "e", False),
        ("r", "u", False),
        ("u", "r", True),  # under-triage
        ("u", "t", True),
        ("e", "u", True),  # for an emergency key, anything else is under-triage
        ("u", None, True),  # no level chosen
        ("u", "zz", True),  # not one of the options
    ],
)
def test_only_under_triage_fails_a_triage_question(key, answer, fails):
    assert fails_critical(critical=True, correct=False, key=key, answer=answer, urgency=URGENCY) is fails


def test_a_correct_or_non_critical_answer_never_fails():
    assert not fails_critical(critical=True, correct=True, key="u", answer="u", urgency=URGENCY)
    assert not fails_critical(critical=False, correct=False, key="u", answer="t", urgency=URGENCY)


def test_a_non_triage_critical_question_keeps_the_plain_rule():
    assert fails_critical(critical=True, correct=False, key="a", answer="b")
    assert fails_critical(critical=True, correct=False, key="a", answer=None)


@pytest.mark.parametrize(
    "key, answer, error",
    [
        ("e", "t", TriageError.MISSED_REFERRAL),  # treated: no referral at all
        ("u", None, TriageError.MISSED_REFERRAL),  # nothing chosen: no referral either
        ("u", "zz", TriageError.MISSED_REFERRAL),
        ("e", "r", TriageError.REFERRED_TOO_LATE),
        ("u", "r", TriageError.REFERRED_TOO_LATE),
        ("u", "e", TriageError.REFERRED_TOO_URGENTLY),
        ("r", "u", TriageError.REFERRED_TOO_URGENTLY),
        ("t", "r", TriageError.NEEDLESS_REFERRAL),
        ("t", "e", TriageError.NEEDLESS_REFERRAL),
        ("t", None, None),  # no direction to tell
        ("u", "u", None),
    ],
)
def test_a_wrong_triage_answer_says_which_way_it_missed(key, answer, error):
    assert triage_error(correct=answer == key, key=key, answer=answer, urgency=URGENCY) == error
    if error is not None:  # under-triage is exactly what fails a critical triage question
        fails = fails_critical(critical=True, correct=False, key=key, answer=answer, urgency=URGENCY)
        assert (error in TriageError.UNDER) is fails


def test_no_direction_without_the_triage_scale():
    assert triage_error(correct=False, key="a", answer="b", urgency=None) is None
    assert triage_error(correct=True, key="u", answer="u", urgency=URGENCY) is None


def test_the_published_scale_states_the_rule():
    assert "less urgent" in CRITICAL_RULE and "more urgent" in CRITICAL_RULE


def _flag(level):
    return RedFlag.objects.get_or_create(
        slug=f"test-flag-{level}",
        defaults={"sign": "A sign", "suspected_condition": "Test", "action_level": level, "action": "Act."},
    )[0]


def _submit_level(user, quiz, level):
    """Submit the key for every question except the triage one, which gets `level`."""
    attempt = services.attempt_start(user=user, quiz=quiz)
    answers = qf.key_answers(attempt)
    for item in attempt.questions:
        texts = {o["text"]: o["id"] for o in item["options"]}
        if VIGNETTE_ACTION_TEXT[level] in texts:
            answers[str(item["qid"])] = texts[VIGNETTE_ACTION_TEXT[level]]
    return services.attempt_submit(attempt=attempt, answers=answers).attempt


def _vignette_quiz(course, module):
    qf.single_choice(module)
    qf.true_false(module)
    qf.vignette(module, action=ActionLevel.REFER_URGENT)
    return qf.quiz_create(course, module, pass_mark=50, feedback_policy=FeedbackPolicy.FULL_EXPLANATIONS)


def _action_question_quiz(course, module):
    """A single-choice red-flag action question whose options are the four levels."""
    qf.single_choice(module)
    qf.true_false(module)
    right = VIGNETTE_ACTION_TEXT[ActionLevel.REFER_URGENT]
    qf.single_choice(
        module,
        right=right,
        wrong=[text for text in VIGNETTE_ACTION_TEXT.values() if text != right],
        critical=True,
        red_flag=_flag(ActionLevel.REFER_URGENT),
    )
    return qf.quiz_create(course, module, pass_mark=50, feedback_policy=FeedbackPolicy.FULL_EXPLANATIONS)


@pytest.mark.parametrize("build", [_vignette_quiz, _action_question_quiz])
def test_over_triage_is_wrong_but_not_a_critical_fail(course, module, enrolled, client, build):
    attempt = _submit_level(enrolled, build(course, module), ActionLevel.EMERGENCY)
    assert attempt.score < 100  # no mark for the wrong level
    assert attempt.passed and not attempt.failed_critical
    client.force_login(enrolled)
    html = client.get(f"/attempts/{attempt.pk}/result/").content.decode()
    assert "Safety-critical question missed" not in html
    assert "more urgent action than this client needs" in html


@pytest.mark.parametrize("level", [ActionLevel.REFER_ROUTINE, ActionLevel.TREAT])
@pytest.mark.parametrize("build", [_vignette_quiz, _action_question_quiz])
def test_under_triage_fails_the_attempt(course, module, enrolled, client, build, level):
    attempt = _submit_level(enrolled, build(course, module), level)
    assert attempt.score > 50
    assert not attempt.passed and attempt.failed_critical
    assert "less urgent action" in attempt.fail_reason
    view = selectors.result_view(attempt=attempt)
    assert [item["position"] for item in view["critical_wrong"]] == [
        item["position"] for item in view["items"] if item["critical"]
    ]


def test_a_non_triage_critical_question_still_fails_on_any_wrong_answer(course, module, enrolled):
    qf.true_false(module)
    qf.single_choice(module, critical=True, red_flag=_flag(ActionLevel.EMERGENCY))
    quiz = qf.quiz_create(course, module, pass_mark=50)
    attempt = services.attempt_start(user=enrolled, quiz=quiz)
    answers = qf.key_answers(attempt)
    critical = next(i for i in attempt.questions if i["critical"])
    answers[str(critical["qid"])] = qf.wrong_answers(attempt)[str(critical["qid"])]
    attempt = services.attempt_submit(attempt=attempt, answers=answers).attempt
    assert attempt.score == 50
    assert not attempt.passed and attempt.failed_critical
