"""The demo course's quizzes: one per module that has enough questions, and the final post-test.

Idempotent: a quiz that already exists is left exactly as it is (an instructor may have changed
its rules), so `setup_demo` can run this every time. Run `generate_questions` first: quizzes draw
from the questions linked to their module (or, for the post-test, to any module of the course).
"""

from django.db import transaction

from quizzes.models import CognitiveLevel, FeedbackPolicy, Question, Quiz, QuizRule, Topic

from .models import ModulePage

MODULE_QUIZ_MIN_QUESTIONS = 3
MODULE_QUIZ_DRAW = 5
MODULE_QUIZ_APPLICATION = 2  # client cases in a module quiz, where the module has them
# The post-test's blueprint: (topic, cognitive level, count); empty = any. A third of the 15
# questions are application items (case vignettes: a decision about a client), drawn first.
FINAL_RULES = [
    (Topic.ATTACHMENTS, CognitiveLevel.RECALL, 5),
    (Topic.REFERRED_PAIN, "", 4),
    (Topic.RED_FLAGS, CognitiveLevel.RECALL, 1),
    ("", CognitiveLevel.APPLICATION, 5),
]
FINAL_MIN_APPLICATION_SHARE = 1 / 3


def demo_quizzes_ensure(course) -> list[str]:
    """Create what is missing; return one line per quiz saying what happened."""
    lines = []
    with transaction.atomic():
        for module in ModulePage.objects.child_of(course).order_by("path"):
            lines.append(_module_quiz_ensure(course, module))
        lines.append(_final_quiz_ensure(course))
    return lines


def _module_quiz_ensure(course, module) -> str:
    existing = Quiz.objects.filter(module=module).first()
    if existing is not None:
        return f"Module quiz “{existing.title}”: kept as it is"
    available = Question.objects.filter(module=module, retired=False).count()
    if available < MODULE_QUIZ_MIN_QUESTIONS:
        return f"Module “{module.title}”: no quiz ({available} questions linked, {MODULE_QUIZ_MIN_QUESTIONS} needed)"
    draw = min(MODULE_QUIZ_DRAW, available)
    quiz = Quiz(
        title=f"Quiz: {module.title}",
        course=course,
        module=module,
        instructions=(
            f"{draw} questions drawn at random from this module. You need 80% to pass and to complete "
            "the module; you have three attempts. After each attempt you see the correct answers "
            "with explanations and links back to the lesson."
        ),
        pass_mark=80,
        max_attempts=3,
        feedback_policy=FeedbackPolicy.FULL_EXPLANATIONS,
        hide_key_after_fail=False,
        shuffle_choices=True,
    )
    quiz.rules = _module_blueprint(module, draw)
    quiz.save()
    return f"Module quiz “{quiz.title}”: created ({draw} of {available} questions per attempt)"


def _module_blueprint(module, draw: int) -> list:
    """Any topic and level; a module that teaches through client cases also draws some of them
    (MODULE_QUIZ_APPLICATION, when its questions hold that many application families)."""
    families = (
        Question.objects.filter(module=module, retired=False, cognitive_level=CognitiveLevel.APPLICATION)
        .order_by()
        .values("family")
        .distinct()
        .count()
    )
    application = min(MODULE_QUIZ_APPLICATION, families, draw - 1)
    if application < MODULE_QUIZ_APPLICATION:
        return [QuizRule(topic_id=None, count=draw, sort_order=0)]
    return [
        QuizRule(topic_id=None, cognitive_level=CognitiveLevel.APPLICATION, count=application, sort_order=0),
        QuizRule(topic_id=None, count=draw - application, sort_order=1),
    ]


def _final_quiz_ensure(course) -> str:
    existing = Quiz.objects.filter(course=course, module__isnull=True).first()
    if existing is not None:
        return f"Final post-test “{existing.title}”: kept as it is"
    drawn = sum(count for _, _, count in FINAL_RULES)
    quiz = Quiz(
        title=f"Final post-test: {course.title}",
        course=course,
        module=None,
        instructions=(
            f"{drawn} questions from the whole course: attachments, referred pain and red flags, drawn at "
            "random for each attempt; at least a third are client cases that ask for a decision. You have "
            "30 minutes. You need 80% to pass. Whatever your score, a wrong answer to a safety-critical "
            "red-flag question fails the attempt (on a triage question, only a less urgent action than the "
            "client needs). After an attempt you see which "
            "questions were wrong; the correct answers are shown once you have passed."
        ),
        pass_mark=80,
        max_attempts=None,
        time_limit_minutes=30,
        feedback_policy=FeedbackPolicy.SHOW_WRONG,
        hide_key_after_fail=True,
        shuffle_choices=True,
    )
    quiz.rules = [
        QuizRule(topic_id=topic or None, cognitive_level=level, count=count, sort_order=n)
        for n, (topic, level, count) in enumerate(FINAL_RULES)
    ]
    quiz.save()
    return f"Final post-test “{quiz.title}”: created ({drawn} questions per attempt)"
