"""Learner pages cost the same number of queries for 2 modules as for 8, each with its quiz and questions.

The bounds are today's counts (SQLite, the test settings): a new query on a learner page fails here.
Where they come from (courses/selectors.py and courses/routing.py say the same):
- every page a learner sees: the session (1 here; production keeps sessions in the cache), the user
  (1), the user's and their groups' permissions (2, loaded once for `reads_every_module`, the
  navbar's admin link and Wagtail's user bar);
- every Wagtail page: the site (1), the home page as its type (1), one typed query per level below it
  (catalogue, course, module: courses/routing.py), the view restrictions of the page and its
  ancestors (2);
- course page: the live modules (1), the enrollment with its certificate and evaluation (1), its
  progress rows (1), the post-test and module quizzes (1) and this learner's attempts at them (1),
  the time of their graded attempts (1, seat time), whether their e-mail is verified (1);
- module page: the live modules, the enrollment, its progress (3), the module's quiz and this
  learner's attempts at it (2), the post-test and whether it is passed (1) and the attempts' time
  (1) for "minutes of study left", and the visit on the study clock (4: a savepoint, the enrollment's
  last activity read under lock, its update, the release; the progress row is known);
- dashboard (not a Wagtail page): the enrollments with course, provider and certificate (1), the live
  modules of those courses (1), the progress rows with their seconds (1), the attempts' time (1), the
  post-tests with whether each is passed (1), the evaluations (1) (courses/journey.course_states: the
  next step of every course), the site (1, for `{% pageurl %}`);
- catalogue: the live courses (1), their live modules (1), the learner's enrollments (1) and
  completed modules (1).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.services import enrollment_create, module_complete
from quizzes.services import attempt_start, attempt_submit
from tests.quizzes import factories as qf

# Parameters are not called `page`: that is pytest-playwright's fixture, and borrowing its name drags
# these tests into the browser group, ahead of the transactional e2e flush.
MAX_QUERIES = {"course": 17, "module": 22, "dashboard": 11, "catalogue": 13}
MAX_RESULT_PAGE_QUERIES = 15  # session, user, attempt, its responses, the gate and the next step (enrollment, modules, progress, post-test, attempts time, evaluation, certificate), permissions, site


@pytest.fixture
def learner_halfway(learner, course_with_modules):
    """A learner enrolled in a course of `n` modules, each with a quiz of two questions, and a post-test:
    they passed the first module's quiz, completed that module, and failed the second module's quiz."""

    def build(n):
        course, modules = course_with_modules(n, slug=f"course-of-{n}")
        quizzes = []
        for module in modules:
            qf.single_choice(module)
            qf.true_false(module)
            quizzes.append(qf.quiz_create(course, module, pass_mark=100))
        qf.quiz_create(course, title="Post-test")
        enrollment_create(user=learner, course=course)
        attempt = attempt_start(user=learner, quiz=quizzes[0])
        attempt_submit(attempt=attempt, answers=qf.key_answers(attempt))
        module_complete(user=learner, module=modules[0])
        attempt = attempt_start(user=learner, quiz=quizzes[1])
        attempt_submit(attempt=attempt, answers=qf.wrong_answers(attempt))
        return course, modules

    return build


def page_urls(course, modules, catalogue):
    return {
        "course": course.url,
        "module": modules[1].url,
        "dashboard": reverse("dashboard"),
        "catalogue": catalogue.url,
    }


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page_name", ["course", "module", "dashboard", "catalogue"])
def test_queries_are_bounded_and_do_not_grow_with_modules(
    client, learner, learner_halfway, catalogue, django_assert_max_num_queries, page_name
):
    client.force_login(learner)
    counts = []
    for n in (2, 8):
        course, modules = learner_halfway(n)
        url = page_urls(course, modules, catalogue)[page_name]
        client.get(url)  # warm per-process caches (site root paths, content types, the lesson fragment)
        with django_assert_max_num_queries(MAX_QUERIES[page_name]):
            counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts


def test_the_pages_show_the_quiz_state_they_were_counted_with(client, learner, learner_halfway):
    """The counts above are of pages that really show quizzes, attempts and progress."""
    course, modules = learner_halfway(2)
    client.force_login(learner)
    course_html = client.get(course.url).content.decode()
    assert "1 of 2 modules complete" in course_html
    assert "1 of 2 passed" in course_html  # the module quizzes, from the same query as the post-test
    assert "The post-test opens once every module is complete (1 of 2 complete so far)" in course_html
    module_html = client.get(modules[1].url).content.decode()
    assert "Try the quiz again" in module_html and "Your best so far: 0%" in module_html


def test_the_result_page_with_its_next_step_does_not_grow_with_modules(
    client, learner, learner_halfway, django_assert_max_num_queries
):
    """The quiz result page (the engine's result, the course's gate on its feedback and the next step)."""
    from quizzes.models import Attempt

    client.force_login(learner)
    counts = []
    for n in (2, 8):
        course, modules = learner_halfway(n)
        failed = Attempt.objects.get(quiz__module=modules[1], user=learner)
        url = reverse("quizzes:attempt_result", args=[failed.pk])
        client.get(url)
        with django_assert_max_num_queries(MAX_RESULT_PAGE_QUERIES):
            counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts
