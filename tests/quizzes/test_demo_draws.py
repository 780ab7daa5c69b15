"""Issue 13 items 4 and 5 on the real demo bank (`setup_demo` + `generate_questions`):

- every module quiz's pool holds only what its module teaches (its muscle is named in the module's
  text or has a card there, its red flag has a callout there);
- no question is in no quiz, unless it is about a muscle the course does not teach (listed, with
  why) or matches muscles that no one module teaches together;
- 1,000 simulated draws of every quiz never repeat a family, and the post-test's blueprint is met
  in every one (at least a third application items, no shortfall).

One demo build for the whole file (slow to make); the draws run in memory (quizzes.blueprint).
"""

import random

import pytest

from cms.demo import demo_setup
from content.models import Muscle, RedFlag
from content.muscle_names import MuscleNames
from content.streamfield_text import plain_text, raw_blocks, value_text
from courses.demo_quizzes import FINAL_MIN_APPLICATION_SHARE, demo_quizzes_ensure
from courses.models import CoursePage, ModulePage
from courses.question_bank import DEFAULT_COURSE_SLUG, course_question_bank_generate
from quizzes.blueprint import draw
from quizzes.models import CognitiveLevel, Question, QuestionKind, Quiz
from quizzes.services import quiz_pool, quiz_pool_items, quiz_rules
from tests.shared_db import rolled_back

DRAWS = 1000

# Muscles in the knowledge base (for the glossary) that no module of the demo course teaches, so
# their questions are in no quiz on purpose.
NOT_TAUGHT = {
    "rhomboids": "a shoulder-blade muscle; the course names it nowhere (kept for the anatomy glossary)",
}


@pytest.fixture(scope="module")
def demo_built(django_db_setup, django_db_blocker):
    """The demo bank, built once for the file (tests/shared_db.py): each test's writes roll back."""
    with pytest.MonkeyPatch.context() as patch, rolled_back(django_db_blocker):
        patch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
        demo_setup(with_quizzes=False)
        course = CoursePage.objects.get(slug=DEFAULT_COURSE_SLUG)
        report = course_question_bank_generate(course=course)
        assert report.invalid == []
        demo_quizzes_ensure(course)
        yield course.pk


@pytest.fixture
def demo(demo_built, db):
    return CoursePage.objects.get(pk=demo_built)


def _what_modules_teach(course):
    """{module id: (muscle slugs named or carded, red-flag slugs with a callout)}."""
    names = MuscleNames.build(Muscle.objects.all())
    muscle_slugs = dict(Muscle.objects.values_list("pk", "slug"))
    flag_slugs = dict(RedFlag.objects.values_list("pk", "slug"))
    taught = {}
    for module in ModulePage.objects.child_of(course):
        muscles, flags = set(), set()
        for kind, value in raw_blocks(module.body):
            if kind == "muscle_card" and isinstance(value, dict):
                muscles.add(muscle_slugs.get(value.get("muscle")))
            if kind == "red_flag" and isinstance(value, dict):
                flags.add(flag_slugs.get(value.get("red_flag")))
            for _, term in names.mentions(plain_text(value_text(value or {}))):
                muscles |= {m.slug for m in term.muscles}
        taught[module.pk] = (muscles, flags)
    return names, taught


def _question_muscles(question, names) -> set[str]:
    if question.kind == QuestionKind.MATCHING:
        return {m.slug for o in question.options.all() for _, t in names.mentions(o.text) for m in t.muscles}
    return {question.muscle.slug} if question.muscle_id else set()


def _taught_nowhere_together(question, names, taught) -> bool:
    """A matching question on muscles no single module teaches together: in no quiz on purpose."""
    wanted = _question_muscles(question, names)
    return not any(wanted <= muscles for muscles, _ in taught.values())


def test_the_demo_bank_is_drawn_fairly(demo):
    names, taught = _what_modules_teach(demo)
    red_flag_module = max(taught, key=lambda pk: len(taught[pk][1]))
    module_quizzes = list(Quiz.objects.filter(course=demo, module__isnull=False))
    assert len(module_quizzes) >= 5

    # Pools hold only what their module teaches.
    strays = []
    for quiz in module_quizzes:
        muscles, flags = taught[quiz.module_id]
        pool = quiz_pool(quiz).select_related("muscle", "red_flag").prefetch_related("options")
        for question in pool:
            if question.red_flag_id:
                ok = question.red_flag.slug in flags
            elif wanted := _question_muscles(question, names):
                ok = wanted <= muscles
            else:  # triage-scale and other general red-flag items: the module that teaches the scale
                ok = quiz.module_id == red_flag_module
            if not ok:
                strays.append((quiz.module.title, question.generator_key or question.pk))
    assert strays == []

    # No question in no quiz without a reason.
    drawable = set()
    for quiz in Quiz.objects.filter(course=demo):
        drawable |= set(quiz_pool(quiz).values_list("pk", flat=True))
    orphans = Question.objects.filter(retired=False).exclude(pk__in=drawable).select_related("muscle")
    unexplained = [
        q.generator_key
        for q in orphans.prefetch_related("options")
        if not (q.muscle_id and q.muscle.slug in NOT_TAUGHT)
        and not (q.kind == QuestionKind.MATCHING and _taught_nowhere_together(q, names, taught))
    ]
    assert unexplained == []

    # 1,000 draws of every quiz: never a family twice; the post-test meets its blueprint every time.
    for quiz in Quiz.objects.filter(course=demo).prefetch_related("rules"):
        pool, rules = quiz_pool_items(quiz), quiz_rules(quiz)
        family = {item.pk: item.family_key for item in pool}
        level = {item.pk: item.level for item in pool}
        rng = random.Random(quiz.pk)
        for _ in range(DRAWS):
            result = draw(pool, rules, rng)
            families = [family[pk] for pk in result.ids]
            assert len(families) == len(set(families)), quiz.title
            if quiz.is_final:
                assert result.shortfalls == [], quiz.title
                applied = sum(level[pk] == CognitiveLevel.APPLICATION for pk in result.ids)
                assert applied >= FINAL_MIN_APPLICATION_SHARE * len(result.ids)
                assert len(result.ids) == sum(rule.count for rule in rules)


def test_module_quizzes_draw_client_cases_where_their_module_has_them(demo):
    blueprints = {
        quiz.module.title: [(r.cognitive_level, r.count) for r in quiz.rules.order_by("sort_order")]
        for quiz in Quiz.objects.filter(course=demo, module__isnull=False).select_related("module")
    }
    with_cases = [rules for rules in blueprints.values() if rules[0] == (CognitiveLevel.APPLICATION, 2)]
    assert with_cases, blueprints
    assert all(sum(count for _, count in rules) == 5 for rules in blueprints.values())
