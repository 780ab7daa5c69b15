"""Demo activity: simulated learners work through the demo course so instructors have records to read.

Each simulated learner has an ability; each post-test question a difficulty drawn from its id, and a few
questions "mislead" (strong learners pick the same distractor more often than weak ones). Everything goes
through the services a real learner's requests use: enrollment, module visits and completion, quiz
attempts, the course evaluation and the certificate. The learners cannot log in (random passwords).
Running it again adds nobody who already exists.

Time is simulated honestly, on a clock that starts weeks ago: a learner opens each module and views it
again every few minutes for as long as its reading takes, and spends a few minutes on each quiz attempt,
so the seat time the course asks for (courses/seat_time.py) is met by activity rows whose times add up,
exactly as a real learner's requests would write them.
"""

import hashlib
import math
import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from courses import services as course_services
from courses.completion import EvaluationError, evaluation_submit
from courses.journey import course_state
from courses.models import CourseEvaluation, CoursePage, Enrollment, ModulePage
from courses.seat_time import IDLE_GAP_CAP
from quizzes.errors import QuizError
from quizzes.models import Quiz

from .licenses import license_number_demo
from .models import User
from .services import learner_create

USERNAME_PREFIX = "demo-learner-"
MAX_ATTEMPTS = 4
MODULE_QUIZ_BONUS = 1.5
RETRY_GAIN = 0.7
SIMULATION_STARTS_DAYS_AGO = 60
SECONDS_PER_QUESTION = 40  # time a simulated learner spends on each quiz question

# (legal name, state): invented people; non-ASCII names on purpose (exports must keep them intact).
PEOPLE = [
    ("Maya Okafor", "NC"),
    ("Zoë Martínez", "TX"),
    ("Liam O'Connell", "NY"),
    ("Nguyễn Thị Hoa", "CA"),
    ("Priya Raman", "NJ"),
    ("Siobhán Byrne", "MA"),
    ("Daniel Whitaker", "OH"),
    ("Aisha Bello", "GA"),
    ("François Dubois", "LA"),
    ("Grace Kim", "WA"),
    ("Mateo Rossi", "FL"),
    ("Hannah Schmidt", "WI"),
    ("Kwame Mensah", "MD"),
    ("Olivia Brennan", "PA"),
    ("Yusuf Demir", "IL"),
    ("Chloe Tremblay", "VT"),
    ("Ravi Patel", "AZ"),
    ("Ingrid Larsen", "MN"),
    ("Tomás Herrera", "NM"),
    ("Emily Zhang", "OR"),
    ("Noah Fischer", "CO"),
    ("Amara Nwosu", "VA"),
    ("Lucía Fernández", "NV"),
    ("Ethan Brooks", "TN"),
]
COMMENTS = [
    "The red-flag module is the part I will use most: clear about when to stop and refer.",
    "Editor's notes correcting the popular articles were eye-opening.",
    "More palpation photos would help for quadratus lumborum.",
    "Good pace. The body-map questions were harder than I expected.",
    "Clear and practical; I would take another course in this format.",
    "",
    "",
]


@dataclass
class ActivityReport:
    created: list[str] = field(default_factory=list)
    completed: int = 0
    attempts: int = 0

    @property
    def lines(self) -> list[str]:
        if not self.created:
            return ["Demo activity: every simulated learner already exists; nothing added"]
        return [
            f"Demo activity: {len(self.created)} simulated learners enrolled, {self.completed} completed the "
            f"course, {self.attempts} quiz attempts graded"
        ]


def demo_activity_run(course: CoursePage, *, learners: int = 24, seed: int = 2026) -> ActivityReport:
    """Let up to `learners` simulated learners take the course; deterministic for a given seed."""
    report = ActivityReport()
    modules = list(ModulePage.objects.child_of(course).live().order_by("path").specific())
    quizzes = {quiz.module_id: quiz for quiz in Quiz.objects.filter(course=course)}
    for number, (name, state) in enumerate(PEOPLE[:learners], start=1):
        username = f"{USERNAME_PREFIX}{number:02d}"
        if Enrollment.objects.filter(user__username=username, course=course).exists():
            continue
        rng = random.Random(f"{seed}-{username}")
        user = _learner_ensure(username, name, state, number)
        report.created.append(username)
        report.attempts += _take_course(user, course, modules, quizzes, rng, report)
    return report


def _learner_ensure(username, name, state, number):
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return learner_create(
        username=username,
        email=f"{username}@example.org",
        password=secrets.token_urlsafe(24),
        legal_name=name,
        license_number=license_number_demo(state, 40000 + number * 137),
        license_state=state,
        email_verified=True,  # simulated: nobody reads example.org's mail
    )


class Clock:
    """The simulated learner's own time: it only moves forward, and only as far as they work."""

    def __init__(self, start):
        self.now = start

    def advance(self, seconds: float):
        self.now += timedelta(seconds=seconds)
        return self.now


def _read(user, module, clock, rng) -> None:
    """Open the module and view it again every few minutes until its reading time (give or take) is over."""
    minutes = module.reading_minutes * rng.uniform(1.0, 1.3) + 1
    course_services.module_visit(user=user, module=module, now=clock.now)
    step = IDLE_GAP_CAP.total_seconds()
    for _ in range(math.ceil(minutes * 60 / step)):
        course_services.module_visit(user=user, module=module, now=clock.advance(step))


def _review_until_seat_time(user, enrollment, modules, clock) -> None:
    """Short of the course's minimum time on task, the learner reviews the modules (as the course page
    asks them to) until it is met: one more view of a module every few minutes."""
    step = IDLE_GAP_CAP.total_seconds()
    left = course_state(enrollment).minutes_left
    for n in range(math.ceil(left * 60 / step) + 1 if left else 0):
        course_services.module_visit(user=user, module=modules[n % len(modules)], now=clock.advance(step))


def _take_course(user, course, modules, quizzes, rng, report) -> int:
    """Enroll and work through the course as far as this learner gets; returns attempts graded."""
    ability = rng.gauss(0.9, 1.0)
    gives_up_after = len(modules) if rng.random() > 0.15 else rng.randrange(1, max(2, len(modules)))
    clock = Clock(timezone.now() - timedelta(days=SIMULATION_STARTS_DAYS_AGO, minutes=rng.randrange(20000)))
    enrollment = course_services.enrollment_create(user=user, course=course)
    attempts = 0
    for module in modules[:gives_up_after]:
        _read(user, module, clock, rng)
        quiz = quizzes.get(module.pk)
        if quiz is not None:
            # Module quizzes come straight after reading the lesson: easier than the post-test.
            # A pass completes the module.
            used, passed = _take_until_passed(user, quiz, ability + MODULE_QUIZ_BONUS, rng, clock)
            attempts += used
            if not passed:
                return attempts
        else:
            course_services.module_complete(user=user, module=module, now=clock.now)
    final = quizzes.get(None)
    if gives_up_after < len(modules) or final is None:
        return attempts
    _review_until_seat_time(user, enrollment, modules, clock)
    used, passed = _take_until_passed(user, final, ability, rng, clock)
    attempts += used
    if passed:
        _evaluate(enrollment, rng)
        enrollment.refresh_from_db()
        report.completed += enrollment.status == Enrollment.Status.COMPLETED
    return attempts


def _take_until_passed(user, quiz, ability, rng, clock) -> tuple[int, bool]:
    """Attempts until a pass, the quiz's limit or this learner's patience; (attempts used, passed)."""
    tries = min(quiz.max_attempts or MAX_ATTEMPTS, MAX_ATTEMPTS)
    for used in range(1, tries + 1):
        if _take_quiz(user, quiz, ability, rng, clock):
            return used, True
        ability += RETRY_GAIN  # they reread the lessons the feedback pointed to
        clock.advance(max(quiz.cooldown_minutes or 0, 10) * 60)
    return tries, False


def _take_quiz(user, quiz, ability, rng, clock) -> bool:
    try:
        attempt = course_services.quiz_attempt_start(user=user, quiz=quiz, now=clock.advance(30))
    except QuizError:  # out of attempts, cooling down, or not open yet
        return False
    answers = {}
    for item in attempt.snapshot["questions"]:
        right = rng.random() < _chance_right(item["qid"], ability)
        answers[str(item["qid"])] = item["key"] if right else _likely_wrong(item, attempt.snapshot)
    seconds = len(answers) * SECONDS_PER_QUESTION * rng.uniform(0.7, 1.4)
    outcome = course_services.quiz_attempt_submit(
        attempt=attempt, answers=answers, now=clock.advance(seconds)
    )
    return bool(outcome.attempt.passed)


def _chance_right(question_id: int, ability: float) -> float:
    """Logistic item response: most questions discriminate; about one in nine misleads strong learners."""
    digest = int(hashlib.sha256(str(question_id).encode()).hexdigest(), 16)
    difficulty = (digest % 1000) / 1000 * 4.5 - 2.5  # -2.5 (very easy) .. 2.0 (hard)
    misleading = digest % 9 == 0
    slope = -0.8 if misleading else 1.4
    return 1 / (1 + math.exp(-(slope * (ability - 0.9) - difficulty)))


def _likely_wrong(item: dict, snapshot: dict):
    """The wrong answer most people would give: always the same distractor, so distractor counts show it."""
    kind, key, ids = item["kind"], item["key"], sorted(o["id"] for o in item.get("options", []))
    if kind in ("single_choice", "true_false", "case_vignette"):
        return next(i for i in ids if i != key)
    if kind == "multiple_response":
        return [i for i in ids if i not in key][:1] or ids[:1]
    if kind == "body_map":
        return [z["code"] for z in snapshot["zones"] if z["code"] not in key][:1]
    if kind == "matching":
        rights = sorted(r["id"] for r in item["right"])
        return {left: next(r for r in rights if r != right) for left, right in key.items()}
    if kind == "ordering":
        n = len(key)
        return {option_id: (position % n) + 1 for option_id, position in key.items()}
    return None


def _evaluate(enrollment, rng) -> None:
    ratings = {name: rng.choice([3, 4, 4, 5, 5, 5]) for name in CourseEvaluation.RATING_FIELDS}
    try:
        with transaction.atomic():
            evaluation_submit(enrollment=enrollment, ratings=ratings, comments=rng.choice(COMMENTS))
    except EvaluationError:
        pass  # already evaluated
