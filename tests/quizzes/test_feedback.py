"""Result pages per feedback policy, hide_key_after_fail, critical fails."""

import pytest

from quizzes import selectors, services
from quizzes.models import FeedbackPolicy
from tests.quizzes import factories as qf


def _quiz(course, module, zones, **fields):
    questions = qf.every_kind(module, zones)
    return qf.quiz_create(course, module, **fields), questions


def _submit(user, quiz, answers_of):
    attempt = services.attempt_start(user=user, quiz=quiz)
    return services.attempt_submit(attempt=attempt, answers=answers_of(attempt)).attempt


def _explanations(attempt):
    return [item["explanation"] for item in attempt.questions]


def test_score_only_shows_no_questions(course, module, zones, enrolled, client):
    quiz, _ = _quiz(course, module, zones, feedback_policy=FeedbackPolicy.SCORE_ONLY)
    attempt = _submit(enrolled, quiz, qf.wrong_answers)
    view = selectors.result_view(attempt=attempt)
    assert not view["show_items"] and not view["show_key"]
    client.force_login(enrolled)
    html = client.get(f"/attempts/{attempt.pk}/result/").content.decode()
    assert "Question by question" not in html
    assert "0%" in html and "Not passed" in html
    assert not any(text in html for text in _explanations(attempt))


def test_show_wrong_marks_questions_without_the_key(course, module, zones, enrolled, client):
    quiz, _ = _quiz(course, module, zones, feedback_policy=FeedbackPolicy.SHOW_WRONG)
    attempt = _submit(enrolled, quiz, qf.wrong_answers)
    view = selectors.result_view(attempt=attempt)
    assert view["show_items"] and not view["show_key"]
    assert all("correct_answer" not in item for item in view["items"])
    client.force_login(enrolled)
    html = client.get(f"/attempts/{attempt.pk}/result/").content.decode()
    assert html.count("Incorrect</span>") == 7
    assert "Correct answer" not in html
    assert not any(text in html for text in _explanations(attempt))


def test_full_explanations_show_answers_and_lesson_links(course, module, zones, enrolled, client):
    quiz, questions = _quiz(course, module, zones, feedback_policy=FeedbackPolicy.FULL_EXPLANATIONS)
    for question in questions:
        question.section_anchor = "psoas-attachments"
        question.save()
    attempt = _submit(enrolled, quiz, qf.wrong_answers)
    client.force_login(enrolled)
    html = client.get(f"/attempts/{attempt.pk}/result/").content.decode()
    assert all(text in html for text in _explanations(attempt))
    assert html.count("Correct answer</dt>") == 7
    assert f"{module.slug}/#psoas-attachments" in html
    assert "Upper buttock" in html  # the body-map key, named


def test_hide_key_after_fail_downgrades_to_show_wrong_until_passed(course, module, zones, enrolled):
    quiz, _ = _quiz(
        course, module, zones, feedback_policy=FeedbackPolicy.FULL_EXPLANATIONS, hide_key_after_fail=True
    )
    failed = _submit(enrolled, quiz, qf.wrong_answers)
    view = selectors.result_view(attempt=failed)
    assert view["policy"] == FeedbackPolicy.SHOW_WRONG and not view["show_key"]
    assert "once you pass" in view["key_hidden_note"]
    passed = _submit(enrolled, quiz, qf.key_answers)
    assert selectors.result_view(attempt=passed)["show_key"]
    # once passed, the earlier failed attempt may show its key too
    assert selectors.result_view(attempt=failed)["show_key"]


def test_critical_fail_says_which_question_and_why(course, module, zones, enrolled, client):
    quiz, _ = _quiz(course, module, zones, pass_mark=50)
    attempt = services.attempt_start(user=enrolled, quiz=quiz)
    answers = qf.key_answers(attempt)
    vignette = next(i for i in attempt.questions if i["kind"] == "case_vignette")
    answers[str(vignette["qid"])] = qf.wrong_answers(attempt)[str(vignette["qid"])]
    attempt = services.attempt_submit(attempt=attempt, answers=answers).attempt
    assert attempt.score > 80
    assert not attempt.passed and attempt.failed_critical
    assert f"question {vignette['position']} answered incorrectly" in attempt.fail_reason
    client.force_login(enrolled)
    html = client.get(f"/attempts/{attempt.pk}/result/").content.decode()
    assert "Safety-critical question missed" in html
    assert f"Question {vignette['position']}: A client reports new numbness" in html


@pytest.mark.parametrize("policy", list(FeedbackPolicy))
def test_critical_reason_is_shown_under_every_policy(course, module, zones, enrolled, client, policy):
    quiz, _ = _quiz(course, module, zones, feedback_policy=policy)
    attempt = _submit(enrolled, quiz, qf.wrong_answers)
    client.force_login(enrolled)
    html = client.get(f"/attempts/{attempt.pk}/result/").content.decode()
    assert "Critical safety question" in html
    assert "Safety-critical question missed" in html


def test_partial_credit_is_reported(course, module, enrolled):
    qf.multiple_response(module, right=("A", "B"), wrong=("C",))
    quiz = qf.quiz_create(course, module, pass_mark=40)
    attempt = services.attempt_start(user=enrolled, quiz=quiz)
    item = attempt.questions[0]
    a_id = next(o["id"] for o in item["options"] if o["text"] == "A")
    attempt = services.attempt_submit(attempt=attempt, answers={str(item["qid"]): [a_id]}).attempt
    assert attempt.score == 50 and attempt.passed
    view = selectors.result_view(attempt=attempt)
    assert view["items"][0]["partial"] and view["items"][0]["score_percent"] == 50
