"""Issue 13 item 9: each quiz's grading scale (pass mark, the safety-critical rule, attempts, time
limit) and blueprint (topic x recall/application counts the draw takes) are published on its intro
page and in the provider's assessment export; neither costs more queries with more questions."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from quizzes.models import CognitiveLevel, QuizRule, Topic
from tests.quizzes import factories as qf


@pytest.fixture
def enrolled(learner, course):
    from courses.models import Enrollment

    Enrollment.objects.create(user=learner, course=course)
    return learner


def _bank(module, n):
    for k in range(n):
        level = CognitiveLevel.APPLICATION if k % 3 == 0 else CognitiveLevel.RECALL
        topic = Topic.RED_FLAGS if k % 2 else Topic.ATTACHMENTS
        qf.single_choice(module, topic=topic, cognitive_level=level, family=f"family-{k}")


@pytest.fixture
def final_quiz(course, modules):
    _bank(modules[0], 6)
    quiz = qf.quiz_create(course, None, title="Final post-test", time_limit_minutes=30, max_attempts=2)
    QuizRule.objects.create(
        quiz=quiz, topic_id=Topic.ATTACHMENTS, cognitive_level="recall", count=2, sort_order=0
    )
    QuizRule.objects.create(quiz=quiz, topic_id=None, cognitive_level="application", count=5, sort_order=1)
    return quiz


def _text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def test_the_intro_page_publishes_the_grading_scale_and_blueprint(client, enrolled, final_quiz):
    client.force_login(enrolled)
    text = _text(client.get(final_quiz.get_absolute_url()))
    assert "Pass mark 80%" in text and "30 minutes" in text and "0 of 2 used" in text
    assert "fails the attempt whatever the score" in text
    assert "What each attempt draws" in text
    assert "Attachments Recall 2" in text and "Any topic Application 5" in text
    assert "Total at least 5 application 7" in text
    assert "never drawn together" in text  # the family rule
    assert "Families in the pool" not in text and "cannot fill" not in text  # no pool counts for learners


def test_staff_see_where_the_pool_cannot_fill_the_blueprint(client, assigned_instructor, final_quiz):
    client.force_login(assigned_instructor)
    html = client.get(final_quiz.get_absolute_url())
    soup = BeautifulSoup(html.content, "html.parser")
    rows = soup.select("table.blueprint tbody tr")
    assert [("table-warning" in (r.get("class") or [])) for r in rows] == [False, True]
    assert "2 too few" in " ".join(rows[1].get_text(" ").split())
    assert "the pool cannot fill every rule" in html.content.decode()


def test_the_intro_page_costs_the_same_queries_for_a_small_and_a_large_pool(
    client, assigned_instructor, course, modules, django_assert_max_num_queries
):
    """Staff view (the one that also counts the pool): 6 and 30 questions cost the same."""
    counts = []
    for module, size in [(modules[0], 6), (modules[1], 30)]:
        _bank(module, size)
        quiz = qf.quiz_create(course, module, rules=[(Topic.ATTACHMENTS, "", 3)])
        client.force_login(assigned_instructor)
        client.get(quiz.get_absolute_url())  # warm the caches
        with django_assert_max_num_queries(40) as captured:
            assert client.get(quiz.get_absolute_url()).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_assessment_export_lists_every_quiz_with_its_scale_and_blueprint(
    client, assigned_instructor, course, modules, final_quiz, django_assert_max_num_queries
):
    module_quiz = qf.quiz_create(course, modules[0], title="=HYPERLINK(1)", rules=[("", "", 3)])
    client.force_login(assigned_instructor)
    url = reverse("insight_assessment_csv", args=[course.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content if response.streaming else [response.content]).decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(body)))
    header = rows[0]
    records = [dict(zip(header, row, strict=False)) for row in rows[1:] if len(row) == len(header)]
    assert [r["quiz"] for r in records] == ["'" + module_quiz.title, "Final post-test", "Final post-test"]
    final = [r for r in records if r["kind"] == "final post-test"]
    assert [(r["blueprint_topic"], r["blueprint_level"], r["questions_per_attempt"]) for r in final] == [
        ("Attachments", "Recall", "2"),
        ("Any topic", "Application", "5"),
    ]
    assert {r["attempt_total"] for r in final} == {"7"} and {r["application_at_least"] for r in final} == {
        "5"
    }
    assert final[0]["pass_mark_percent"] == "80" and "30 minutes" in final[0]["time_limit"]
    assert "whatever the score" in final[0]["safety_critical_rule"]
    assert any(row[:1] == ["question kind"] for row in rows)
