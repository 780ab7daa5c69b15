"""Every CSV the project writes defuses formulas (OWASP CSV injection): a learner named
=HYPERLINK("http://x") with the evaluation comment +1, a question whose stem and quiz title start
with @ and -, a muscle and a red flag named like formulas. No cell of any download may start with
=, +, -, @, a tab or a carriage return unless it is a number."""

import csv
import io

import pytest
from django.urls import reverse

from content.spreadsheets import FORMULA_STARTS
from courses.completion import evaluation_submit
from quizzes.models import Quiz
from tests.courses.certify import RATINGS, course_finish, small_course
from tests.factories import MuscleFactory, RedFlagFactory, UserFactory
from tests.quizzes import factories as qf

LEGAL_NAME = '=HYPERLINK("http://x")'
COMMENT = "+1"


@pytest.fixture
def hostile_records(catalogue, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    learner = UserFactory(legal_name=LEGAL_NAME, license_number="-MT-1", license_state="NC")
    course, modules = small_course(catalogue, title="@Course title")
    Quiz.objects.filter(course=course).update(title="-Quiz title")
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(learner, course, modules, evaluate=False)
        evaluation_submit(enrollment=enrollment, ratings=RATINGS, comments=COMMENT)
    MuscleFactory(name="=cmd|' /C calc'!A0", slug="formula-muscle", origin="@SUM(1)")
    RedFlagFactory(sign="+1 warning", action="-2 steps")
    qf.true_false(modules[0], stem="=1+1 is two", explanation="@mention")
    return {"learner": learner, "course": course, "quiz": Quiz.objects.get(module=modules[0])}


def _cells(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _formulas(cells) -> list[str]:
    return [c for c in cells if c.startswith(FORMULA_STARTS) and not _is_number(c)]


def _assert_defused(response, *expected):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    cells = _cells(response)
    assert not _formulas(cells), _formulas(cells)
    for text in expected:
        assert "'" + text in cells, f"{text!r} missing (defused) from {cells}"


def _superuser(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True, groups=[]))
    return client


def test_transcript_csv(client, hostile_records):
    client.force_login(hostile_records["learner"])
    _assert_defused(client.get(reverse("courses:transcript_csv")), LEGAL_NAME, "@Course title")


def test_roster_csv(client, hostile_records):
    url = reverse("insight_roster_csv", args=[hostile_records["course"].pk])
    _assert_defused(_superuser(client).get(url), LEGAL_NAME)


def test_evaluations_csv(client, hostile_records):
    url = reverse("insight_evaluations_csv", args=[hostile_records["course"].pk])
    _assert_defused(_superuser(client).get(url), COMMENT)


def test_item_analysis_csv(client, hostile_records):
    url = reverse("insight_item_analysis_csv", args=[hostile_records["quiz"].pk])
    _assert_defused(_superuser(client).get(url), "-Quiz title")


@pytest.mark.parametrize(
    "listing, expected",
    [
        ("wagtailsnippets_content_muscle:list", ["=cmd|' /C calc'!A0", "@SUM(1)"]),
        ("wagtailsnippets_content_redflag:list", ["+1 warning", "-2 steps"]),
        ("wagtailsnippets_quizzes_question:list", ["=1+1 is two", "@mention"]),
    ],
)
def test_admin_snippet_exports(client, hostile_records, listing, expected):
    _assert_defused(_superuser(client).get(reverse(listing) + "?export=csv"), *expected)
