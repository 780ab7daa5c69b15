"""Learner data for the native stack smoke test (tests/cms/test_native_stack.py).

Run as `python -m tests.cms.native_stack_prepare` in the stack's own environment (production settings,
its database, after migrate and setup_demo), before gunicorn, the worker and beat start. It prints one
JSON line. It does through the services what would take a learner an hour in the browser:

- the demo learner passes every module quiz, completes every module and passes the post-test; only the
  course evaluation is left, which the test submits over HTTP (so gunicorn's request creates the
  certificate and queues it on commit, and the real worker renders it);
- a second learner finishes the whole course while the message to the broker is lost (as in a Redis
  outage at commit): the certificate stays pending, and is backdated past the sweep's 5 minutes so that
  only beat's sweep can get it issued.
"""

import json
import os
import sys
from datetime import timedelta


def _quiz_pass(user, quiz):
    from quizzes.services import attempt_start, attempt_submit

    attempt = attempt_start(user=user, quiz=quiz)
    answers = {
        str(item["qid"]): item["key"] for item in attempt.snapshot["questions"]
    }  # the key, from the snapshot
    outcome = attempt_submit(attempt=attempt, answers=answers)
    assert outcome.attempt.passed, f"{quiz} not passed with its own key"


def _course_work(user, course):
    """Everything but the evaluation: modules (with their quizzes) in order, then the post-test."""
    from courses.models import ModuleProgress
    from courses.services import enrollment_create, module_complete
    from quizzes.selectors import final_quiz, module_quiz

    enrollment = enrollment_create(user=user, course=course)
    for module in course.live_modules():
        quiz = module_quiz(module)
        if quiz is not None:
            _quiz_pass(user, quiz)
        module_complete(user=user, module=module)
    if course.seat_time_minutes:  # the study time (CE hours x 50 minutes) a real learner would have spent
        first = ModuleProgress.objects.filter(enrollment=enrollment).order_by("pk").first()
        ModuleProgress.objects.filter(pk=first.pk).update(seconds_spent=course.seat_time_minutes * 60)
    final = final_quiz(course)
    if final is not None:
        _quiz_pass(user, final)
    return enrollment


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    import courses.completion
    from cms.services import email_mark_verified
    from courses.completion import evaluation_submit
    from courses.models import Certificate, CourseEvaluation, CoursePage

    course = CoursePage.objects.live().get(slug="massage-for-low-back-pain")
    User = get_user_model()

    learner = User.objects.get(username="learner")
    _course_work(learner, course)
    assert not Certificate.objects.filter(enrollment__user=learner).exists()

    sweep = User.objects.create_user(
        username="sweep-learner",
        email="sweep@example.com",
        password=os.environ["DEMO_PASSWORD"],
        legal_name="Lena Sweep-Test",
        license_number="SW-1234",
        license_state="OR",
    )
    email_mark_verified(sweep)  # certificates wait for a verified address (the demo users' are verified)
    enrollment = _course_work(sweep, course)
    courses.completion.certificate_queue = lambda certificate_id: False  # the message never reaches Redis
    ratings = dict.fromkeys(CourseEvaluation.RATING_FIELDS, 5)
    evaluation_submit(enrollment=enrollment, ratings=ratings, comments="Prepared for the native stack test.")
    lost = Certificate.objects.get(enrollment=enrollment)
    assert lost.status == Certificate.Status.PENDING
    Certificate.objects.filter(pk=lost.pk).update(updated_at=timezone.now() - timedelta(minutes=10))

    json.dump(
        {
            "course_id": course.pk,
            "rating_fields": list(CourseEvaluation.RATING_FIELDS),
            "lost_code": lost.code,
            "learner_name": learner.legal_name,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


def restrict(password: str) -> None:
    """Put a password on the course catalogue (and so on every course page below it)."""
    import django

    django.setup()
    from wagtail.models import PageViewRestriction

    from courses.models import CourseIndexPage

    catalogue = CourseIndexPage.objects.get()
    PageViewRestriction.objects.create(
        page=catalogue, restriction_type=PageViewRestriction.PASSWORD, password=password
    )
    print(json.dumps({"path": catalogue.url}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["restrict"]:
        restrict(sys.argv[2])
    else:
        main()
