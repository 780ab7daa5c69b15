"""A learner downloads all their own data as JSON from /accounts/profile/export/."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.data_export import learner_data
from courses.models import Certificate, CourseEvaluation, Enrollment, ModuleProgress
from quizzes.models import FeedbackPolicy
from quizzes.services import attempt_start, attempt_submit
from tests.quizzes import factories as qf

EXPORT = "/accounts/profile/export/"


@pytest.fixture
def zones(db):
    return qf.zones_create()


@pytest.fixture
def history(learner, other_learner, course, modules, zones):
    """The learner: enrolled, two modules done, a graded attempt at a quiz of every kind, an open
    attempt at a second quiz, an evaluation and a certificate. Another learner has data too."""
    learner.legal_name = "Zoë Ångström-李"
    learner.save()
    enrollment = Enrollment.objects.create(
        user=learner, course=course, status=Enrollment.Status.COMPLETED, completed_at=timezone.now()
    )
    for module in modules[:2]:
        ModuleProgress.objects.create(
            enrollment=enrollment, module=module, completed_at=timezone.now(), seconds_spent=600
        )
    qf.every_kind(modules[0], zones)
    quiz = qf.quiz_create(course, modules[0], title="Every kind quiz")
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_submit(attempt=attempt, answers=qf.wrong_answers(attempt))
    qf.single_choice(modules[1], stem="Which nerve innervates psoas major?")
    second = qf.quiz_create(course, modules[1], title="Open quiz", feedback_policy=FeedbackPolicy.SCORE_ONLY)
    attempt_start(user=learner, quiz=second)
    CourseEvaluation.objects.create(
        enrollment=enrollment,
        objectives_met=5,
        content_relevant=4,
        materials_quality=4,
        instructor_quality=5,
        would_recommend=3,
        comments="Très utile.",
    )
    Certificate.objects.create(
        enrollment=enrollment,
        code="ZOE12-34567",
        status=Certificate.Status.ISSUED,
        issued_at=timezone.now(),
        snapshot={"learner_name": "Zoë Ångström-李"},
    )
    Enrollment.objects.create(user=other_learner, course=course)
    return {"enrollment": enrollment, "quiz": quiz, "second": second}


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(EXPORT)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_url_name(db):
    assert reverse("profile_export") == EXPORT


def test_learner_downloads_their_data(client, learner, other_learner, history, course):
    client.force_login(learner)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="bodywork-ce-data-')
    assert response["Cache-Control"] == "private, no-store"
    text = response.content.decode("utf-8")
    assert "Zoë Ångström-李" in text  # not \u-escaped
    data = json.loads(text)
    assert data["format"] == "bodywork-ce-learner-data/1"
    assert data["profile"]["username"] == learner.username
    assert data["profile"]["license_number"] == learner.license_number
    assert data["profile"]["license_state_name"] == "North Carolina"
    [enrollment] = data["enrollments"]
    assert enrollment["course"] == course.title and enrollment["status"] == "completed"
    assert enrollment["modules_completed"] == 2 and len(enrollment["modules"]) == 2
    assert enrollment["modules"][0]["seconds_spent"] == 600
    assert (
        enrollment["evaluation"]["objectives_met"] == 5
        and enrollment["evaluation"]["comments"] == "Très utile."
    )
    assert (
        enrollment["certificate"]["code"] == "ZOE12-34567" and enrollment["certificate"]["status"] == "issued"
    )
    attempts = {a["quiz"]: a for a in data["quiz_attempts"]}
    graded, open_attempt = attempts["Every kind quiz"], attempts["Open quiz"]
    assert graded["status"] == "submitted" and graded["score"] == "0.00" and graded["passed"] is False
    assert len(graded["questions"]) == 7
    for question in graded["questions"]:
        assert question["your_answer"], question["kind"]  # every wrong answer is spelt out
        assert question["score"] == 0 and question["correct"] is False
    assert open_attempt["status"] == "in_progress" and open_attempt["score"] is None
    assert "score" not in open_attempt["questions"][0]
    # Another learner's data and every answer key or explanation stay out.
    assert other_learner.username not in text
    assert '"key"' not in text and "Explanation number" not in text and '"explanation"' not in text


def test_score_only_quizzes_export_no_per_question_results(client, learner, course, modules):
    Enrollment.objects.create(user=learner, course=course)
    qf.true_false(modules[0], stem="The psoas major attaches to the lesser trochanter.")
    quiz = qf.quiz_create(course, modules[0], title="Score only", feedback_policy=FeedbackPolicy.SCORE_ONLY)
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_submit(attempt=attempt, answers=qf.key_answers(attempt))
    [exported] = learner_data(learner)["quiz_attempts"]
    assert exported["score"] == attempt.__class__.objects.get(pk=attempt.pk).score
    assert exported["questions"][0]["your_answer"] == ["True"]
    assert "correct" not in exported["questions"][0] and "score" not in exported["questions"][0]


def test_export_query_count_is_fixed(learner, history, course, modules, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        first = learner_data(learner)
    for _ in range(3):
        qf.single_choice(modules[2])
    quiz = qf.quiz_create(course, modules[2], title="More")
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_submit(attempt=attempt, answers=qf.key_answers(attempt))
    with django_assert_max_num_queries(9):
        second = learner_data(learner)
    assert len(second["quiz_attempts"]) == len(first["quiz_attempts"]) + 1


def test_export_is_get_only(client, learner, db):
    client.force_login(learner)
    assert client.post(EXPORT).status_code == 405


def test_learner_without_records(client, learner):
    client.force_login(learner)
    data = client.get(EXPORT).json()
    assert data["enrollments"] == [] and data["quiz_attempts"] == []
    assert data["profile"]["is_active"] is True


def test_review_cards_and_renewal_records_are_exported_without_questions(learner, other_learner, course):
    import fsrs

    from courses.renewal_models import Credential
    from quizzes.review_models import CardSource, ReviewCard, ReviewPreference

    now = timezone.now()
    card, log = fsrs.Scheduler().review_card(fsrs.Card(), fsrs.Rating.Hard, now)
    served = {"question_id": 1, "stem": "SERVED STEM", "key": ["SECRET KEY"]}
    for user in (learner, other_learner):
        ReviewCard.objects.create(
            user=user,
            family=f"red-flag-action:saddle-anaesthesia:{user.pk}",
            course=course,
            source=CardSource.RED_FLAG,
            label="Saddle numbness: what to do",
            critical=True,
            card=card.to_dict(),
            due=card.due,
            reviews=[log.to_dict()],
            review_count=1,
            served=served,
            created_at=now,
        )
    ReviewPreference.objects.create(user=learner, digest=True)
    Credential.objects.create(user=learner, kind="FL", license_number="MA12345", renewal_date="2027-08-31")

    data = learner_data(learner)
    [exported] = data["review"]["cards"]
    assert exported["about"] == "Saddle numbness: what to do" and exported["safety_critical"] is True
    assert [r["rating"] for r in exported["reviews"]] == ["Hard"]
    assert data["review"]["digest_emails"] is True
    [credential] = data["renewals"]["credentials"]
    assert credential["kind"] == "FL" and credential["license_number"] == "MA12345"
    text = json.dumps(data, default=str)
    assert "SERVED STEM" not in text and "SECRET KEY" not in text and "family" not in text
