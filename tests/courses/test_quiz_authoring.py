"""Quiz authoring in one place (issue 14 item 2): the pool in the quiz's edit view, a new question
pre-attached, one from the bank, and a preview that records nothing and shows no key before its submit."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from courses.services import course_instructor_assign
from quizzes.models import Attempt, Question, QuestionKind, Response
from quizzes.permissions import instructor_quiz_permissions_grant
from tests.factories import InstructorFactory, course_create, module_create
from tests.quizzes import factories as qf
from tests.quizzes.test_item_analysis import record_attempts

EDIT = "wagtailsnippets_quizzes_quiz:edit"
PREVIEW = "wagtailsnippets_quizzes_quiz:preview"
POOL_ADD = "wagtailsnippets_quizzes_quiz:pool_add"
QUESTION_ADD = "wagtailsnippets_quizzes_question:add"


@pytest.fixture(autouse=True)
def quiz_permissions(db):
    instructor_quiz_permissions_grant()


@pytest.fixture
def module(modules):
    return modules[0]


@pytest.fixture
def zones(db):
    return qf.zones_create()


@pytest.fixture
def staff(client, assigned_instructor):
    client.force_login(assigned_instructor)
    return client


@pytest.fixture
def quiz(course, module):
    qf.single_choice(
        module, topic="attachments", stem="Where does psoas major insert?", family="psoas-insertion"
    )
    qf.single_choice(
        module,
        topic="attachments",
        stem="Which muscle inserts on the lesser trochanter?",
        family="psoas-insertion",
    )
    qf.vignette(module, stem="A client reports saddle numbness after lifting.")
    qf.single_choice(module, stem="A retired question", retired=True)
    return qf.quiz_create(course, module, title="Low back module quiz")


def _pool_tab(client, quiz) -> str:
    response = client.get(reverse(EDIT, args=[quiz.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index("data-quiz-pool") :]  # the pool tab comes after the quiz's fields


def test_the_edit_view_shows_the_pool_by_topic_kind_and_family(staff, quiz, modules):
    qf.single_choice(modules[1], stem="Taught in another module")
    pool = _pool_tab(staff, quiz)
    assert "Question pool" in staff.get(reverse(EDIT, args=[quiz.pk])).content.decode()
    assert "Where does psoas major insert?" in pool and "saddle numbness" in pool
    assert "A retired question" not in pool and "Taught in another module" not in pool
    assert pool.index("Attachments") < pool.index("Where does psoas major insert?") < pool.index("Red flags")
    assert "Case vignette (1)" in pool and "Single choice (2)" in pool
    assert "psoas-insertion" in pool and "(2, one drawn)" in pool
    assert "3 questions" in pool and "2 families" in pool


@override_settings(ITEM_ANALYSIS_MIN_RESPONSES=3)
def test_each_question_shows_its_statistics_or_not_enough_data(staff, course, module):
    answered = [qf.single_choice(module, stem=f"Answered {n}") for n in (1, 2)]
    qf.single_choice(module, stem="Never answered")
    quiz = qf.quiz_create(course, module)
    record_attempts(quiz, answered[:1], {"A": [1], "B": [0], "C": [1]})
    record_attempts(quiz, answered[1:], {"D": [1]})
    pool = _pool_tab(staff, quiz)
    row = lambda stem: re.search(rf"{stem}</a>.*?</tr>", pool, re.S).group(0)  # noqa: E731
    assert "67%" in row("Answered 1") and "Not enough data" not in row("Answered 1")
    assert "Not enough data yet (1 of 3 responses)" in row("Answered 2")
    assert "Not enough data yet (0 of 3 responses)" in row("Never answered")


def test_the_pool_view_queries_do_not_grow_with_the_pool(
    staff, course, module, django_assert_max_num_queries
):
    quiz = qf.quiz_create(course, module, rules=[("attachments", "t", 2)])
    qf.single_choice(module, topic="attachments")
    staff.get(reverse(EDIT, args=[quiz.pk]))  # warm caches (content types, permissions)
    with django_assert_max_num_queries(200) as few:
        staff.get(reverse(EDIT, args=[quiz.pk]))
    for n in range(30):
        qf.single_choice(
            module, topic="attachments" if n % 2 else "red_flags", family=f"f{n % 7}", tags=["t"]
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff.get(reverse(EDIT, args=[quiz.pk]))
    assert response.content.decode().count("data-pool-question=") == 31


def test_a_new_question_lands_in_the_pool_and_returns_to_the_quiz(staff, quiz, module):
    add = staff.get(reverse(QUESTION_ADD), {"quiz": quiz.pk, "module": module.pk})
    page = add.content.decode()
    assert add.status_code == 200 and f"?quiz={quiz.pk}&amp;module={module.pk}" in page
    assert f'name="module" value="{module.pk}"' in page  # pre-attached: the page chooser holds the module
    data = _question_form(stem="Which nerve supplies psoas major?")
    data["module"] = str(module.pk)
    response = staff.post(f"{reverse(QUESTION_ADD)}?quiz={quiz.pk}&module={module.pk}", data)
    assert response.status_code == 302 and response["Location"] == reverse(EDIT, args=[quiz.pk])
    assert Question.objects.get(stem="Which nerve supplies psoas major?").module_id == module.pk
    assert "Which nerve supplies psoas major?" in _pool_tab(staff, quiz)


def test_add_new_ignores_another_courses_quiz(client, quiz, module, catalogue, provider):
    other = InstructorFactory(username="neck-teacher")
    course_instructor_assign(course=course_create(catalogue, slug="neck", provider=provider), user=other)
    client.force_login(other)
    page = client.get(reverse(QUESTION_ADD), {"quiz": quiz.pk, "module": module.pk}).content.decode()
    assert f"quiz={quiz.pk}" not in page and f'name="module" value="{module.pk}"' not in page
    for bad in ({"quiz": "x", "module": "1"}, {"quiz": "9" * 40, "module": "1"}, {"quiz": "1\x00"}):
        assert client.get(reverse(QUESTION_ADD), bad).status_code in (200, 400)


def test_an_unattached_question_from_the_bank_moves_into_the_pool(staff, quiz, module):
    loose = qf.single_choice(None, stem="Loose in the bank")
    assert staff.get(reverse(POOL_ADD, args=[quiz.pk])).status_code == 200
    response = staff.post(reverse(POOL_ADD, args=[quiz.pk]), {"question": loose.pk, "module": module.pk})
    assert response.status_code == 302 and response["Location"] == reverse(EDIT, args=[quiz.pk])
    loose.refresh_from_db()
    assert loose.module_id == module.pk and Question.objects.filter(stem="Loose in the bank").count() == 1
    assert "Loose in the bank" in _pool_tab(staff, quiz)


def test_a_question_taught_elsewhere_is_copied_in_its_family(staff, quiz, module, modules, zones):
    elsewhere = qf.body_map(
        modules[1], zones=zones[:2], stem="Where does gluteus medius refer pain?", tags=["hip"]
    )
    staff.post(reverse(POOL_ADD, args=[quiz.pk]), {"question": elsewhere.pk, "module": module.pk})
    copy = Question.objects.exclude(pk=elsewhere.pk).get(stem=elsewhere.stem)
    elsewhere.refresh_from_db()
    assert elsewhere.module_id == modules[1].pk and copy.module_id == module.pk
    assert copy.family == f"question:{elsewhere.pk}" and elsewhere.family == ""  # never drawn together
    assert set(copy.correct_zones.all()) == set(zones[:2]) and copy.kind == QuestionKind.BODY_MAP
    assert list(copy.tags.names()) == ["hip"] and copy.latest_revision is not None


def test_the_post_test_asks_which_module_and_refuses_one_outside_the_course(
    staff, course, modules, catalogue, provider
):
    final = qf.quiz_create(course, None, title="Post-test")
    loose = qf.single_choice(None, stem="Loose")
    outside = module_create(course_create(catalogue, slug="neck", provider=provider), title="Elsewhere")
    form = staff.get(reverse(POOL_ADD, args=[final.pk])).content.decode()
    assert all(f'value="{m.pk}"' in form for m in modules)
    response = staff.post(reverse(POOL_ADD, args=[final.pk]), {"question": loose.pk, "module": outside.pk})
    assert response.status_code == 200 and Question.objects.get(pk=loose.pk).module_id is None
    for bad in ({"question": "x", "module": "1"}, {"question": str(10**20), "module": modules[0].pk}):
        assert staff.post(reverse(POOL_ADD, args=[final.pk]), bad).status_code == 200
    pool = _pool_tab(staff, final)
    assert all(f"in “{m.title}”" in pool for m in modules)  # a new question in each module


def test_the_preview_shows_the_learners_quiz_without_keys_and_records_nothing(staff, course, module, zones):
    quiz = qf.quiz_create(course, module, title="All kinds")
    questions = qf.every_kind(module, zones)
    response = staff.get(reverse(PREVIEW, args=[quiz.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing is recorded" in page
    assert page.count('<fieldset class="quiz-question') == len(questions)
    for question in questions:
        assert question.explanation not in page  # no explanation, so no key, before the submit
    assert "is_correct" not in page and "data-preview-key" not in page
    seed = re.search(r'name="seed" value="(\d+)"', page).group(1)
    right = questions[0].options.get(is_correct=True).public_id  # the single-choice question
    data = {"seed": seed, f"q{questions[0].pk}": right}
    result = staff.post(reverse(PREVIEW, args=[quiz.pk]), data).content.decode()
    assert "data-preview-result" in result and "data-preview-key" in result
    assert all(question.explanation in result for question in questions)
    assert result.count('text-bg-success ms-1">Correct') == 1 and "Would not pass" in result
    assert Attempt.objects.count() == 0 and Response.objects.count() == 0


def test_the_preview_refuses_a_tampered_seed_or_answer(staff, quiz):
    url = reverse(PREVIEW, args=[quiz.pk])
    for data in ({"seed": "abc"}, {"seed": "9" * 30}, {"seed": "1", "q999999": "x"}, {"seed": "1\x00"}):
        assert staff.post(url, data).status_code == 400
    assert Attempt.objects.count() == 0


def test_another_courses_instructor_gets_nothing(client, quiz, module, catalogue, provider):
    other = InstructorFactory(username="neck-teacher")
    course_instructor_assign(course=course_create(catalogue, slug="neck", provider=provider), user=other)
    client.force_login(other)
    for url in (
        reverse(EDIT, args=[quiz.pk]),
        reverse(PREVIEW, args=[quiz.pk]),
        reverse(POOL_ADD, args=[quiz.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"seed": "1", "question": "1", "module": module.pk}).status_code == 404


def _question_form(*, stem):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    options = [
        {"text": "Femoral nerve branches", "is_correct": "on", "match_text": ""},
        {"text": "Sciatic", "match_text": ""},
    ]
    return nested_form_data(
        {
            "kind": "single_choice",
            "stem": stem,
            "explanation": "L1-L3 ventral rami.",
            "topic": "general",
            "difficulty": "2",
            "cognitive_level": "recall",
            "section_anchor": "",
            "tags": "",
            "options": inline_formset(options),
        }
    )
