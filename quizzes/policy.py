"""A quiz's published grading scale and blueprint: what the intro page shows every learner and the
provider's assessment export lists per quiz (NCBTMB asks home-study providers for a documented
grading scale).

- grading scale: pass mark, the safety-critical rule, attempts (and the wait after a failed one),
  time limit, how each question kind is scored (quizzes.grading.GRADING_SCALE);
- blueprint: per rule, topic x level (recall / application) x how many questions each attempt
  draws, and the rule that no two questions of one family are drawn together.

Reads only the quiz, its rules and (for the pool counts staff see) one query over its pool, so the
cost does not grow with the number of questions.
"""

from dataclasses import dataclass, field

from .blueprint import BlueprintRule, PoolItem, blueprint_summary
from .grading import GRADING_SCALE
from .models import CognitiveLevel, Quiz
from .services import quiz_pool
from .topics import topic_names

CRITICAL_RULE = (
    "A wrong answer to a safety-critical (red-flag) question fails the attempt whatever the score. A "
    "question is safety-critical only when its answer follows from one red flag's level. On a triage "
    "question, only choosing a less urgent action than the correct one fails the attempt; a more "
    "urgent action is marked wrong but does not fail it."
)
FAMILY_RULE = (
    "No two questions of one family in an attempt: questions on the same red flag, the same fact of "
    "a muscle asked both ways, or the same referral pattern are never drawn together."
)
APPLICATION_MEANING = "Application: a client case that asks for a decision. Recall: a fact to remember."


@dataclass
class BlueprintLine:
    topic: str
    level: str
    count: int
    available: int | None = None  # distinct families in the pool (staff only)
    enough: bool = True


@dataclass
class QuizPolicy:
    quiz: Quiz
    pass_mark: int
    critical_rule: str
    attempts: str
    time_limit: str
    lines: list[BlueprintLine] = field(default_factory=list)
    total: int = 0
    application: int = 0
    critical_in_pool: int | None = None

    @property
    def application_share(self) -> float | None:
        return self.application / self.total if self.total else None

    @property
    def short(self) -> bool:
        return any(not line.enough for line in self.lines)

    grading_scale = GRADING_SCALE
    family_rule = FAMILY_RULE
    application_meaning = APPLICATION_MEANING


def _attempts_text(quiz: Quiz) -> str:
    text = f"{quiz.max_attempts} per learner" if quiz.max_attempts else "Unlimited"
    if quiz.cooldown_minutes:
        text += f"; {quiz.cooldown_minutes} minutes' wait after a failed attempt"
    return text


def _time_text(quiz: Quiz) -> str:
    if not quiz.time_limit_minutes:
        return "None"
    return f"{quiz.time_limit_minutes} minutes, counted by the server from the start"


def _rules(quiz: Quiz) -> list[BlueprintRule]:
    return [
        BlueprintRule(count=r.count, topic=r.topic_id or "", level=r.cognitive_level, tag=r.tag.strip())
        for r in quiz.rules.all()
    ]


def quiz_policy(quiz: Quiz, *, pool_rows=None) -> QuizPolicy:
    """The published scale and blueprint of one quiz. `pool_rows` ((topic, level, family, critical)
    per pool question) adds what staff need: how many families each rule can draw from."""
    rules = _rules(quiz)
    topics, levels = topic_names(), dict(CognitiveLevel.choices)
    policy = QuizPolicy(
        quiz=quiz,
        pass_mark=quiz.pass_mark,
        critical_rule=CRITICAL_RULE,
        attempts=_attempts_text(quiz),
        time_limit=_time_text(quiz),
    )
    summary = None
    if pool_rows is not None:
        pool = [PoolItem(n, t, lvl, fam) for n, (t, lvl, fam, _) in enumerate(pool_rows)]
        summary = blueprint_summary(pool, rules)
        policy.critical_in_pool = sum(1 for *_, critical in pool_rows if critical)
    for n, rule in enumerate(rules):
        line = BlueprintLine(
            topic=topics.get(rule.topic, "Any topic") if rule.topic else "Any topic",
            level=levels.get(rule.level, "") if rule.level else "Recall or application",
            count=rule.count,
        )
        if rule.tag:
            line.topic += f" (tagged {rule.tag})"
        if summary is not None:
            line.available, line.enough = summary[n]["available"], summary[n]["enough"]
        policy.lines.append(line)
    policy.total = sum(rule.count for rule in rules)
    policy.application = sum(rule.count for rule in rules if rule.level == CognitiveLevel.APPLICATION)
    return policy


def pool_rows(pool) -> list[tuple]:
    """(topic, level, family, critical) of every question of a pool queryset: one query."""
    return list(pool.values_list("topic", "cognitive_level", "family", "critical"))


def quiz_policy_for(*, user, quiz: Quiz) -> QuizPolicy:
    """The policy as `user` sees it: staff who may edit quizzes also see how many families the pool
    offers each rule (a rule the pool cannot fill is flagged), learners only the published scale."""
    if user.is_authenticated and user.has_perm("quizzes.change_quiz"):
        return quiz_policy(quiz, pool_rows=pool_rows(quiz_pool(quiz)))
    return quiz_policy(quiz)
