"""A quiz's pool as its authors see it: every question it may draw, grouped by topic, kind and family,
each with its item statistics on this quiz; and adding a question to the pool.

A quiz draws from its module's questions (a module quiz) or from every module of its course (the
post-test), so a question joins a pool by being taught in one of those modules (`Question.module`).
The queries do not grow with the pool: the questions with their topics and modules, their tags, the
rules, and item analysis's fixed set (quizzes.analysis.item_analysis).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from .analysis import item_analysis
from .blueprint import blueprint_summary
from .item_statistics import QuestionStat
from .models import Question, QuestionKind, QuestionOption, Quiz
from .services import quiz_pool, quiz_pool_items, quiz_rules


@dataclass
class PoolQuestion:
    question: Question
    stat: QuestionStat | None  # None: no graded response on this quiz yet
    min_responses: int

    @property
    def responses(self) -> int:
        return self.stat.responses if self.stat else 0

    @property
    def enough_data(self) -> bool:
        return self.responses >= self.min_responses


@dataclass
class PoolFamily:
    key: str
    label: str
    questions: list[PoolQuestion] = field(default_factory=list)


@dataclass
class PoolKind:
    kind: str
    label: str
    families: list[PoolFamily] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(f.questions) for f in self.families)


@dataclass
class PoolTopic:
    slug: str
    name: str
    kinds: list[PoolKind] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(k.count for k in self.kinds)

    @property
    def family_count(self) -> int:
        return sum(len(k.families) for k in self.kinds)


@dataclass
class QuizPool:
    quiz: Quiz
    topics: list[PoolTopic]
    size: int
    families: int
    blueprint: list[dict]
    min_responses: int


def quiz_pool_view(quiz: Quiz) -> QuizPool:
    """The pool of `quiz` grouped topic → kind → family, with each question's statistics on this quiz."""
    questions = list(
        quiz_pool(quiz)
        .select_related("topic", "module", "muscle", "red_flag")
        .order_by("topic__name", "kind", "family", "pk")
    )
    report = item_analysis(quiz)
    stats = {stat.question_id: stat for stat in report.questions}
    kinds = dict(QuestionKind.choices)
    topics: dict[str, PoolTopic] = {}
    by_kind: dict[tuple[str, str], PoolKind] = {}
    by_family: dict[tuple[str, str, str], PoolFamily] = {}
    for question in questions:
        topic = topics.setdefault(question.topic_id, PoolTopic(question.topic_id, question.topic.name))
        kind_key = (question.topic_id, question.kind)
        if kind_key not in by_kind:
            by_kind[kind_key] = PoolKind(question.kind, kinds.get(question.kind, question.kind))
            topic.kinds.append(by_kind[kind_key])
        family = question.family or f"question:{question.pk}"
        family_key = (*kind_key, family)
        if family_key not in by_family:
            by_family[family_key] = PoolFamily(family, question.family or "")
            by_kind[kind_key].families.append(by_family[family_key])
        by_family[family_key].questions.append(
            PoolQuestion(question, stats.get(question.pk), report.min_responses)
        )
    rules = quiz_rules(quiz)
    families = {q.family or f"question:{q.pk}" for q in questions}
    return QuizPool(
        quiz=quiz,
        topics=list(topics.values()),
        size=len(questions),
        families=len(families),
        blueprint=blueprint_summary(quiz_pool_items(quiz, rules), rules) if rules else [],
        min_responses=report.min_responses,
    )


COPIED = {  # what a copy keeps: the content and its classification (not the generator's bookkeeping)
    "kind",
    "stem",
    "explanation",
    "topic_id",
    "muscle_id",
    "red_flag_id",
    "difficulty",
    "critical",
    "retired",
    "cognitive_level",
}


@transaction.atomic
def pool_question_add(*, question: Question, module, user=None) -> tuple[Question, bool]:
    """Put `question` into the pool of the quiz of `module`. A question taught nowhere yet is attached
    to the module; one taught in another module stays there (its own quiz keeps it) and a copy is
    attached here, in the same family, so a post-test that sees both never draws both.
    Returns (the question now in the pool, whether it is a copy)."""
    if question.module_id == module.pk:
        return question, False
    if question.module_id is None:
        question.module = module
        question.section_anchor = ""
        question.save(update_fields=["module", "section_anchor", "updated_at"])
        _revision_save(question, user)
        return question, False
    original = Question.objects.prefetch_related("options", "correct_zones", "tags").get(pk=question.pk)
    copy = Question(
        **{
            f.attname: getattr(original, f.attname)
            for f in Question._meta.concrete_fields
            if f.attname in COPIED
        },
        module=module,
        section_anchor="",
        family=original.family or f"question:{original.pk}",  # the original's family when it has none
    )
    copy.options = [
        QuestionOption(text=o.text, is_correct=o.is_correct, match_text=o.match_text, sort_order=o.sort_order)
        for o in original.options.all()
    ]
    copy.correct_zones = list(original.correct_zones.all())
    copy.save()
    tags = [t.name for t in original.tags.all()]
    if tags:
        copy.tags.add(*tags)
        copy.save()
    _revision_save(copy, user)
    return copy, True


def _revision_save(question: Question, user) -> None:
    """A revision, as the admin makes one, so the question's history says who put it here."""
    question = Question.objects.prefetch_related("options", "correct_zones").get(pk=question.pk)
    question.save_revision(user=user, log_action=True)
