"""Question topics are data (issue 14): instructors add them in the admin, quiz rules draw by them, a
topic in use cannot be deleted, and the migration turned the four fixed values into rows without
losing any question's topic."""

import random

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from quizzes.models import Question, QuizRule, Topic
from quizzes.permissions import instructor_quiz_permissions_grant
from quizzes.services import quiz_draw
from tests.factories import UserFactory
from tests.quizzes import factories as qf

BEFORE, AFTER = ("quizzes", "0007_critical_help_text"), ("quizzes", "0010_topic_references")


@pytest.fixture
def staff(client, assigned_instructor):
    instructor_quiz_permissions_grant()
    client.force_login(assigned_instructor)
    return client


def test_an_instructor_adds_a_topic_that_questions_and_rules_then_use(staff, course, module):
    response = staff.post(
        reverse("wagtailsnippets_quizzes_topic:add"), {"name": "Palpation", "description": ""}
    )
    assert response.status_code == 302
    topic = Topic.objects.get(name="Palpation")
    assert topic.slug == "palpation"
    add_form = staff.get(reverse("wagtailsnippets_quizzes_question:add")).content.decode()
    assert '<option value="palpation">Palpation</option>' in add_form
    palpation = [qf.single_choice(module, topic="palpation", family=f"p{n}") for n in range(3)]
    qf.single_choice(module, topic="attachments")
    quiz = qf.quiz_create(course, module, rules=[("palpation", "", 2)])
    assert (
        '<option value="palpation" selected>Palpation</option>'
        in staff.get(reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])).content.decode()
    )
    for seed in range(20):
        assert set(quiz_draw(quiz, random.Random(seed))) < {q.pk for q in palpation}


def test_a_name_that_makes_an_existing_slug_is_refused(staff):
    response = staff.post(reverse("wagtailsnippets_quizzes_topic:add"), {"name": "Red-flags"})
    assert response.status_code == 200 and "already exists" in response.content.decode()
    assert Topic.objects.filter(slug="red_flags").count() == 1


def test_a_topic_in_use_is_not_deleted(client, module):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, groups=[]))
    qf.single_choice(module, topic="referred_pain")
    used = Topic.objects.get(slug="referred_pain")
    spare = Topic.objects.create(name="Spare")
    response = client.post(reverse("wagtailsnippets_quizzes_topic:delete", args=[used.pk]), follow=True)
    assert "move them to another topic first" in response.content.decode()
    assert Topic.objects.filter(pk=used.pk).exists()
    client.post(reverse("wagtailsnippets_quizzes_topic:delete", args=[spare.pk]))
    assert not Topic.objects.filter(pk=spare.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_questions_topic():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    Quiz, Course = old.get_model("quizzes", "Quiz"), old.get_model("courses", "CoursePage")
    OldQuestion, OldRule = old.get_model("quizzes", "Question"), old.get_model("quizzes", "QuizRule")
    values = ["attachments", "referred_pain", "red_flags", "general", "attachments", "palpation"]
    for n, value in enumerate(values):
        OldQuestion.objects.create(kind="single_choice", stem=f"Q{n}", topic=value)
    course = Course.objects.first()
    rules = []
    if course is not None:  # a site tree exists: a quiz with an any-topic rule and a topic rule
        quiz = Quiz.objects.create(title="Old quiz", course=course)
        rules = [
            OldRule.objects.create(quiz=quiz, topic=t, count=1, sort_order=n)
            for n, t in enumerate(["", "red_flags"])
        ]

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    try:
        after = dict(Question.objects.filter(stem__startswith="Q").values_list("stem", "topic_id"))
        assert after == {f"Q{n}": value for n, value in enumerate(values)}
        assert set(Topic.objects.values_list("slug", "name")) >= {
            ("attachments", "Attachments"),
            ("referred_pain", "Referred pain"),
            ("red_flags", "Red flags"),
            ("general", "General"),
            ("palpation", "Palpation"),
        }
        assert [r.topic_id for r in QuizRule.objects.filter(pk__in=[r.pk for r in rules])] == [
            None,
            "red_flags",
        ][: len(rules)]
        assert Question.objects.get(stem="Q0").topic.name == "Attachments"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
