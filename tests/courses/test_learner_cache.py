"""A logged-in learner's module page, course page and dashboard: only the lesson body is shared
(courses/caching.py); what the page says about the learner is read on every request, so each change to
their own records shows at once and never another learner's. No logged-in page is stored whole."""

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from courses.completion import evaluation_submit
from courses.models import Certificate
from courses.services import enrollment_create, module_complete
from quizzes.models import Quiz
from tests.courses.certify import RATINGS, course_finish, quiz_pass, small_course
from tests.factories import UserFactory
from tests.quizzes import factories as qf

# Parameters are not called `page` (pytest-playwright's fixture name).


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def warm(client, *urls):
    """Each page twice: the second is the one the cache answers."""
    for url in urls:
        text(client.get(url))
        text(client.get(url))


def test_completing_a_module_shows_at_once_on_the_module_course_and_dashboard(client, learner, catalogue):
    course, pages = small_course(catalogue, modules=3, module_quiz=False, post_test=False)
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    dashboard = reverse("dashboard")
    warm(client, pages[0].url, course.url, dashboard)
    assert "Mark complete" in text(client.get(pages[0].url))
    assert "0 of 3 modules complete" in text(client.get(pages[0].url))
    assert "is-locked" in text(client.get(pages[0].url))  # later modules locked until this one is done

    response = client.post(reverse("courses:module_complete", args=[pages[0].pk]))
    assert response.status_code == 302

    module_html = text(client.get(pages[0].url))
    assert "Module complete" in module_html and "Mark complete" not in module_html
    assert "1 of 3 modules complete" in module_html
    assert "33%" in text(client.get(course.url))
    assert "Mark complete" in text(client.get(pages[1].url))  # the next module opened
    assert "33%" in text(client.get(dashboard)) or "1 of 3" in text(client.get(dashboard))


def test_a_first_visit_is_recorded_even_when_the_page_was_cached_before_enrolling(client, learner, catalogue):
    course, pages = small_course(catalogue, modules=2, module_quiz=False, post_test=False)
    client.force_login(learner)
    assert "Enroll to read this module" in text(client.get(pages[0].url))
    assert "Enroll to read this module" in text(client.get(pages[0].url))
    enrollment = enrollment_create(user=learner, course=course)
    assert "Mark complete" in text(client.get(pages[0].url))
    assert enrollment.module_progress.filter(module=pages[0]).exists()  # the clock started


def test_a_passed_quiz_shows_at_once(client, learner, catalogue):
    course, pages = small_course(catalogue, modules=2, post_test=False)
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    warm(client, pages[0].url)
    html = text(client.get(pages[0].url))
    assert "Take the quiz" in html and "Passed" not in html

    quiz_pass(learner, Quiz.objects.get(module=pages[0]))

    html = text(client.get(pages[0].url))
    assert "Passed" in html and "See your results" in html
    assert "You completed this module" in html and "Mark complete" not in html  # the pass completed it


def test_evaluation_and_certificate_status_show_at_once(client, learner, catalogue):
    course, pages = small_course(catalogue, modules=1)
    client.force_login(learner)
    enrollment = course_finish(learner, course, pages, evaluate=False)
    dashboard = reverse("dashboard")
    warm(client, course.url, dashboard)
    assert "Evaluate the course" in text(client.get(course.url))
    assert "Being prepared" not in text(client.get(dashboard))

    evaluation_submit(enrollment=enrollment, ratings=RATINGS)

    course_html = text(client.get(course.url))
    assert "Evaluate the course" not in course_html
    assert "being prepared" in course_html  # completed: the certificate is pending
    assert "Being prepared" in text(client.get(dashboard))

    certificate = Certificate.objects.get(enrollment=enrollment)
    certificate.status = Certificate.Status.ISSUED
    certificate.save()
    download = reverse("courses:certificate_download", args=[certificate.code])
    assert download in text(client.get(course.url))
    assert download in text(client.get(dashboard))

    certificate.status = Certificate.Status.REVOKED
    certificate.save()
    assert "was revoked" in text(client.get(course.url))
    assert download not in text(client.get(dashboard))


def test_learners_never_see_each_others_cached_state(client, learner, catalogue):
    course, pages = small_course(catalogue, modules=2, post_test=False)
    other = UserFactory(first_name="Other", last_name="Learner")
    enrollment_create(user=learner, course=course)
    quiz_pass(learner, Quiz.objects.get(module=pages[0]))
    module_complete(user=learner, module=pages[0])
    client.force_login(learner)
    warm(client, pages[0].url, course.url, reverse("dashboard"))
    assert "Module complete" in text(client.get(pages[0].url))

    client.force_login(other)
    html = text(client.get(pages[0].url))
    assert "Enroll to read this module" in html
    assert "Module complete" not in html and "Passed" not in html and "lesson-body" not in html
    assert "Your progress" not in text(client.get(course.url))
    assert course.title not in text(client.get(reverse("dashboard")))

    enrollment_create(user=other, course=course)
    html = text(client.get(pages[0].url))
    assert "Take the quiz" in html and "Passed" not in html and "Module complete" not in html


def test_answer_keys_never_reach_a_cached_page(client, learner, catalogue):
    course, pages = small_course(catalogue, modules=1)
    question = qf.single_choice(pages[0], right="The secret right answer", wrong=("Decoy",))
    Quiz.objects.get(module=pages[0]).save()
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    warm(client, pages[0].url, course.url)
    for url in (pages[0].url, course.url):
        html = text(client.get(url))
        assert "The secret right answer" not in html and "Decoy" not in html
    assert question.pk


def test_becoming_staff_shows_the_admin_link_at_once(client, learner, catalogue):
    course, pages = small_course(catalogue, modules=2, module_quiz=False, post_test=False)
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    warm(client, pages[1].url)
    assert 'href="/admin/"' not in text(client.get(pages[1].url))
    assert "This module is locked" in text(client.get(pages[1].url))

    group = Group.objects.create(name="Readers")
    learner.groups.add(group)
    group.permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )

    html = text(client.get(pages[1].url))
    assert 'href="/admin/"' in html
    assert "This module is locked" not in html  # staff read every module

    group.permissions.clear()
    html = text(client.get(pages[1].url))
    assert 'href="/admin/"' not in html and "This module is locked" in html


def test_withdrawing_hides_progress_at_once(client, learner, catalogue):
    course, pages = small_course(catalogue, modules=2, module_quiz=False, post_test=False)
    enrollment = enrollment_create(user=learner, course=course)
    client.force_login(learner)
    warm(client, pages[0].url, course.url)
    enrollment.status = enrollment.Status.WITHDRAWN
    enrollment.save()
    assert "Enroll to read this module" in text(client.get(pages[0].url))
    assert "Your progress" not in text(client.get(course.url))
