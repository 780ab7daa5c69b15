"""The question bank in the Wagtail admin: instructors list, filter, create every kind, edit and
preview questions and manage quizzes; learners get none of it."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, querydict_from_html

from content.models import ActionLevel
from courses import question_generation_views as admin_views
from quizzes.generators import SyncReport
from quizzes.models import Question, QuestionKind, Quiz
from quizzes.permissions import INSTRUCTOR_QUIZ_PERMISSIONS, instructor_quiz_permissions_grant
from tests.factories import RedFlagFactory

LIST = "wagtailsnippets_quizzes_question:list"
ADD = "wagtailsnippets_quizzes_question:add"
EDIT = "wagtailsnippets_quizzes_question:edit"
PREVIEW = "wagtailsnippets_quizzes_question:preview_on_edit"

VIGNETTE = [label for _, label in ActionLevel.choices]  # the one triage scale, most urgent first
OPTIONS_BY_KIND = {
    QuestionKind.SINGLE_CHOICE: [
        ("Lesser trochanter", True, ""),
        ("Greater trochanter", False, ""),
        ("Linea aspera", False, ""),
    ],
    QuestionKind.MULTIPLE_RESPONSE: [
        ("Flexes the hip", True, ""),
        ("Side-bends the lumbar spine", True, ""),
        ("Abducts the hip", False, ""),
    ],
    QuestionKind.TRUE_FALSE: [("True", False, ""), ("False", True, "")],
    QuestionKind.MATCHING: [
        ("Psoas major", False, "Lesser trochanter"),
        ("Piriformis", False, "Greater trochanter"),
        ("Biceps femoris", False, "Head of the fibula"),
    ],
    QuestionKind.ORDERING: [("T12", False, ""), ("L3", False, ""), ("Sacrum", False, "")],
    QuestionKind.CASE_VIGNETTE: [(text, text.startswith("Emergency"), "") for text in VIGNETTE],
    QuestionKind.BODY_MAP: [],
}


def _form(kind, *, stem="Where does psoas major insert?", options=None, zones=(), **extra):
    rows = OPTIONS_BY_KIND[kind] if options is None else options
    items = []
    for text, correct, match in rows:
        item = {"text": text, "match_text": match}
        if correct:
            item["is_correct"] = "on"
        items.append(item)
    data = nested_form_data(
        {
            "kind": kind,
            "stem": stem,
            "explanation": "Because the reference says so.",
            "topic": "attachments",
            "difficulty": "2",
            "cognitive_level": "recall",
            "section_anchor": "",
            "tags": "",
            "options": inline_formset(items),
            **extra,
        }
    )
    if zones:
        data["correct_zones"] = [z.code for z in zones]  # the body map posts zone codes
    return data


@pytest.fixture
def staff(client, assigned_instructor):
    instructor_quiz_permissions_grant()
    client.force_login(assigned_instructor)
    return client


@pytest.fixture
def question(module):
    return _single_choice(module)


def _single_choice(module):
    from quizzes.models import QuestionOption

    question = Question(
        kind=QuestionKind.SINGLE_CHOICE,
        stem="Where does piriformis insert?",
        explanation="On the greater trochanter.",
        topic_id="attachments",
        module=module,
    )
    question.options = [
        QuestionOption(text="Greater trochanter", is_correct=True, sort_order=0),
        QuestionOption(text="Lesser trochanter", sort_order=1),
    ]
    question.save()
    question.save_revision()
    return question


def test_the_grant_is_idempotent_and_gives_exactly_add_change_view(db):
    from django.contrib.auth.models import Group

    assert instructor_quiz_permissions_grant() == len(INSTRUCTOR_QUIZ_PERMISSIONS)
    assert instructor_quiz_permissions_grant() == len(INSTRUCTOR_QUIZ_PERMISSIONS)
    codenames = set(
        Group.objects.get(name="Instructors")
        .permissions.filter(content_type__app_label="quizzes")
        .values_list("codename", flat=True)
    )
    assert codenames == {
        "add_question",
        "change_question",
        "view_question",
        "add_quiz",
        "change_quiz",
        "view_quiz",
        "add_topic",
        "change_topic",
        "view_topic",
    }


def test_the_grant_runs_inside_a_data_migration(db):
    """The lead calls it from a RunPython migration, with the historical app registry."""
    from django.contrib.auth.models import Group, Permission
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    Permission.objects.filter(content_type__app_label="quizzes").delete()
    state_apps = MigrationExecutor(connection).loader.project_state().apps
    assert instructor_quiz_permissions_grant(state_apps) == len(INSTRUCTOR_QUIZ_PERMISSIONS)
    assert Group.objects.get(name="Instructors").permissions.filter(codename="change_question").exists()


def test_an_instructor_lists_searches_and_filters_the_question_bank(staff, question):
    other = _single_choice(question.module)
    Question.objects.filter(pk=other.pk).update(
        stem="Which muscle inserts on the head of the fibula?", topic="red_flags", critical=True
    )
    response = staff.get(reverse(LIST))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Where does piriformis insert?" in page and "Quizzes" in page

    filtered = staff.get(reverse(LIST), {"topic": "red_flags", "critical": "true"}).content.decode()
    assert "head of the fibula" in filtered and "Where does piriformis insert?" not in filtered
    searched = staff.get(reverse(LIST), {"q": "fibula"}).content.decode()
    assert "head of the fibula" in searched and "Where does piriformis insert?" not in searched
    by_kind = staff.get(reverse(LIST), {"kind": "matching"}).content.decode()
    assert "Where does piriformis insert?" not in by_kind
    assert "Where does piriformis insert?" in staff.get(reverse(LIST), {"difficulty": "2"}).content.decode()


def test_the_add_form_offers_every_kind(staff):
    response = staff.get(reverse(ADD))
    assert response.status_code == 200
    page = response.content.decode()
    for kind in QuestionKind:
        assert f'value="{kind.value}"' in page
    assert "options-TOTAL_FORMS" in page and "correct_zones" in page


def test_new_questions_are_not_autosaved_but_edits_are(staff, question, settings):
    # An autosave in flight when Save is clicked would create the question twice.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 500  # Wagtail's default; the test settings turn autosave off
    assert staff.get(reverse(ADD)).context["autosave_enabled"] is False
    assert staff.get(reverse(EDIT, args=[question.pk])).context["autosave_enabled"] is True


@pytest.mark.parametrize("kind", [k.value for k in QuestionKind])
def test_an_instructor_creates_a_question_of_each_kind(staff, kind, zones):
    picked = zones[:2] if kind == QuestionKind.BODY_MAP else ()
    response = staff.post(reverse(ADD), _form(kind, stem=f"A {kind} question", zones=picked))
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get(stem=f"A {kind} question")
    assert question.kind == kind
    saved = [(o.text, o.is_correct, o.match_text) for o in question.options.order_by("sort_order")]
    assert saved == list(OPTIONS_BY_KIND[kind])
    if kind == QuestionKind.BODY_MAP:
        assert set(question.correct_zones.all()) == set(picked)
    assert question.latest_revision is not None


@pytest.mark.parametrize(
    "kind, options, message",
    [
        (QuestionKind.SINGLE_CHOICE, [("A", False, ""), ("B", False, "")], "exactly one correct"),
        (
            QuestionKind.MATCHING,
            [("Psoas", False, "Lesser trochanter"), ("Piriformis", False, "")],
            "match text",
        ),
        (QuestionKind.ORDERING, [("L1", False, ""), ("L2", False, "")], "at least three"),
        (QuestionKind.BODY_MAP, [], "at least one correct zone"),
    ],
)
def test_a_malformed_question_is_refused_with_a_message_and_nothing_saved(staff, kind, options, message):
    response = staff.post(reverse(ADD), _form(kind, stem="Broken question", options=options))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.filter(stem="Broken question").exists()


@pytest.mark.parametrize(
    "flag_level, link, message",
    [
        (None, False, "must be linked to the one red flag"),
        (ActionLevel.REFER_URGENT, True, "The key must be the linked red flag"),
        (ActionLevel.EMERGENCY, True, None),
    ],
)
def test_a_critical_vignette_must_rest_on_one_red_flag_at_its_key(staff, flag_level, link, message):
    """Keyed 'Emergency': the editor accepts it as critical only when linked to an emergency-level flag."""
    extra = {"critical": "on", "cognitive_level": "application"}  # another helper's new field, if present
    if link:
        flag = RedFlagFactory(slug=f"flag-{flag_level}", action_level=flag_level)
        extra["red_flag"] = str(flag.pk)
    response = staff.post(reverse(ADD), _form(QuestionKind.CASE_VIGNETTE, stem="Critical case", **extra))
    if message is None:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Question.objects.get(stem="Critical case").critical
    else:
        assert response.status_code == 200
        assert message in response.content.decode()
        assert not Question.objects.filter(stem="Critical case").exists()


def _edit_form_data(html: str):
    """The edit form as the browser would submit it (existing option ids included)."""
    soup = BeautifulSoup(html, "html.parser")
    form = next(f for f in soup.find_all("form") if f.find(attrs={"name": "stem"}))
    form["id"] = "question-form"
    return querydict_from_html(str(soup), form_id="question-form").copy()


def test_an_instructor_edits_a_question_and_a_revision_is_kept(staff, question):
    page = staff.get(reverse(EDIT, args=[question.pk]))
    assert page.status_code == 200
    data = _edit_form_data(page.content.decode())
    data["stem"] = "Where does piriformis insert? (reworded)"
    first = next(
        key for key, value in data.items() if key.endswith("-text") and value == "Greater trochanter"
    )
    data[first] = "Upper border of the greater trochanter"
    for key in [k for k in data if k.endswith("-is_correct")]:
        del data[key]  # the parser reads a ticked box as "": tick the right one explicitly
    data[first.replace("-text", "-is_correct")] = "on"
    response = staff.post(reverse(EDIT, args=[question.pk]), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.stem.endswith("(reworded)")
    assert question.options.get(is_correct=True).text == "Upper border of the greater trochanter"
    assert question.options.count() == 2
    assert question.revisions.count() == 2


def test_an_instructor_previews_a_question_as_a_learner_and_with_the_key(staff, question):
    url = reverse(PREVIEW, args=[question.pk])
    data = _form(
        QuestionKind.SINGLE_CHOICE,
        stem="Where does piriformis insert? (draft)",
        options=[("Greater trochanter", True, ""), ("Lesser trochanter", False, "")],
    )
    posted = staff.post(url, data)
    assert posted.status_code == 200 and posted.json()["is_valid"]

    learner_view = staff.get(url).content.decode()
    assert "Where does piriformis insert? (draft)" in learner_view
    assert "Greater trochanter" in learner_view and "Answer key" not in learner_view
    key_view = staff.get(url, {"mode": "key"}).content.decode()
    assert "Answer key" in key_view and "Greater trochanter" in key_view


def test_an_instructor_opens_the_quiz_list_and_form(staff, course, module):
    Quiz.objects.create(title="Module one quiz", course=course, module=module)
    response = staff.get(reverse("wagtailsnippets_quizzes_quiz:list"))
    assert response.status_code == 200 and "Module one quiz" in response.content.decode()
    assert staff.get(reverse("wagtailsnippets_quizzes_quiz:add")).status_code == 200


def test_the_generate_page_runs_the_generators_for_the_chosen_course(staff, course, monkeypatch):
    calls = []

    def fake_generate(**kwargs):
        calls.append(kwargs)
        return SyncReport(created=3, unchanged=2)

    monkeypatch.setattr(admin_views, "course_question_bank_generate", fake_generate)
    url = reverse("quizzes_generate")
    assert staff.get(url).status_code == 200
    response = staff.post(url, {"course": course.pk, "seed": "17"})
    assert response.status_code == 200
    assert calls and calls[0]["seed"] == 17 and calls[0]["course"].pk == course.pk
    assert "created 3" in response.content.decode()
    assert staff.post(url, {"course": course.pk, "seed": "-1"}).status_code == 200
    assert len(calls) == 1  # a bad seed runs nothing


@pytest.mark.parametrize(
    "url",
    [
        lambda q: reverse(LIST),
        lambda q: reverse(ADD),
        lambda q: reverse(EDIT, args=[q.pk]),
        lambda q: reverse(PREVIEW, args=[q.pk]),
        lambda q: reverse("wagtailsnippets_quizzes_quiz:list"),
        lambda q: reverse("quizzes_generate"),
    ],
)
def test_a_learner_gets_none_of_the_question_bank(client, learner, question, url):
    client.force_login(learner)
    response = client.get(url(question))
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"]
    assert "Where does piriformis insert?" not in response.content.decode()


def test_a_learner_cannot_create_or_change_questions(client, learner, question):
    client.force_login(learner)
    client.post(reverse(ADD), _form(QuestionKind.SINGLE_CHOICE, stem="Sneaky question"))
    client.post(reverse(EDIT, args=[question.pk]), _form(QuestionKind.SINGLE_CHOICE, stem="Vandalised"))
    assert not Question.objects.filter(stem__in=["Sneaky question", "Vandalised"]).exists()


def test_an_instructor_without_the_grant_cannot_open_the_bank(client, instructor, question):
    from django.contrib.auth.models import Group

    Group.objects.get(name="Instructors").permissions.remove(
        *Group.objects.get(name="Instructors").permissions.filter(content_type__app_label="quizzes")
    )
    client.force_login(instructor)
    for url in [reverse(LIST), reverse("quizzes_generate")]:
        response = client.get(url)  # Wagtail turns "permission denied" into a redirect to the dashboard
        assert response.status_code in {302, 403} and response.get("Location", "/admin/") == "/admin/"
    response = client.post(reverse("quizzes_generate"), {"seed": "1"})
    assert response.status_code in {302, 403} and not Question.objects.exclude(pk=question.pk).exists()
