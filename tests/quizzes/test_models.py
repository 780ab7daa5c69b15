import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from quizzes.models import VIGNETTE_ACTIONS, Question, QuestionKind, QuestionOption, Quiz, question_errors
from tests.quizzes import factories as qf


def _options(*specs):
    return [{"text": t, "is_correct": c, "match_text": m} for t, c, m in specs]


@pytest.mark.parametrize(
    "kind, options, zones, ok",
    [
        ("single_choice", _options(("a", True, ""), ("b", False, "")), 0, True),
        ("single_choice", _options(("a", True, ""), ("b", True, "")), 0, False),
        ("single_choice", _options(("a", False, ""), ("b", False, "")), 0, False),
        ("single_choice", _options(("a", True, "")), 0, False),
        ("true_false", _options(("True", True, ""), ("False", False, "")), 0, True),
        ("true_false", _options(("True", True, ""), ("False", False, ""), ("Maybe", False, "")), 0, False),
        ("case_vignette", _options(("Treat", False, ""), ("Refer", True, "")), 0, True),
        ("multiple_response", _options(("a", True, ""), ("b", True, ""), ("c", False, "")), 0, True),
        ("multiple_response", _options(("a", False, ""), ("b", False, "")), 0, False),
        ("matching", _options(("a", False, "1"), ("b", False, "2")), 0, True),
        ("matching", _options(("a", False, "1"), ("b", False, "2"), ("", False, "3")), 0, True),
        ("matching", _options(("a", False, "1"), ("b", False, "")), 0, False),
        ("matching", _options(("a", False, "1")), 0, False),
        ("ordering", _options(("a", False, ""), ("b", False, ""), ("c", False, "")), 0, True),
        ("ordering", _options(("a", False, ""), ("b", False, "")), 0, False),
        ("body_map", [], 1, True),
        ("body_map", [], 0, False),
    ],
)
def test_question_rules_per_kind(kind, options, zones, ok):
    assert (question_errors(kind, options, zones) == {}) is ok


def test_clean_checks_in_memory_options(db):
    question = Question(kind=QuestionKind.SINGLE_CHOICE, stem="Which?")
    question.options = [QuestionOption(text="a", is_correct=True), QuestionOption(text="b", is_correct=True)]
    with pytest.raises(ValidationError, match="exactly one"):
        question.full_clean()


def test_vignette_helper_builds_the_four_levels_most_urgent_first(db):
    question = Question(kind=QuestionKind.CASE_VIGNETTE, stem="A client…")
    question.set_vignette_options("refer_urgent")
    question.full_clean()
    question.save()
    options = list(question.options.all())
    assert [o.text for o in options] == [text for _, text in VIGNETTE_ACTIONS]
    assert [o.text for o in options if o.is_correct] == ["Urgent referral: same day, before any treatment"]
    assert [level for level, _ in VIGNETTE_ACTIONS] == ["emergency", "refer_urgent", "refer_routine", "treat"]
    with pytest.raises(ValueError):
        question.set_vignette_options("panic")


def test_option_public_ids_are_random_tokens(module):
    question = qf.single_choice(module)
    ids = [o.public_id for o in question.options.all()]
    assert len(set(ids)) == len(ids) == 4
    assert all(len(i) == 10 and i.isalnum() for i in ids)
    assert all(str(o.pk) != o.public_id for o in question.options.all())


def test_one_final_quiz_per_course(course, modules):
    Quiz.objects.create(title="Final", course=course)
    Quiz.objects.create(title="Module quiz", course=course, module=modules[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Quiz.objects.create(title="Second final", course=course)
    with pytest.raises(ValidationError):
        Quiz(title="Second final", course=course).full_clean()


def test_module_quiz_must_belong_to_its_course(catalogue, course, modules):
    other = qf_course(catalogue)
    with pytest.raises(ValidationError, match="another course"):
        Quiz(title="Wrong", course=other, module=modules[0]).full_clean()


def qf_course(catalogue):
    from tests.factories import course_create

    return course_create(catalogue, title="Another course", slug="another-course")


def test_question_revisions_and_tags(module):
    question = qf.single_choice(module, tags=["psoas", "hip"])
    revision = question.save_revision()
    assert question.latest_revision_id == revision.pk
    assert set(question.tags.names()) == {"psoas", "hip"}
    assert Question.objects.filter(tags__name="psoas").count() == 1


def test_lesson_url_points_at_the_section(module):
    question = qf.single_choice(module, section_anchor="psoas-attachments")
    assert question.lesson_url.endswith(f"{module.slug}/#psoas-attachments")
