"""Bench data: a course whose final post-test has BENCH_ATTEMPTS graded attempts by BENCH_LEARNERS learners.

Self-contained like bench/quiz_submit.py: it makes a throwaway migrated database (with
BENCH_DATABASE_URL=postgres://user@host:port/anything a fresh PostgreSQL database on that server,
dropped at the end; without it a temporary SQLite file and smaller default sizes; see
bench/_throwaway.py), builds the course, its modules and question pool with the ORM, then loads the big tables with
COPY (PostgreSQL) or executemany (SQLite): users, enrollments, module progress, attempts with
real snapshots, their responses graded by the real grading rules, evaluations and certificates.

Learners answer like people: each has an ability, each question a difficulty (a logistic model);
a few questions are made too easy, too hard or misleading so item analysis has something to flag.

Run alone it prints how long the load took and drops the database (BENCH_KEEP=1 keeps it and
prints its URL). bench/insight.py imports `build` and times the insight pages on the result.

Knobs (environment): BENCH_LEARNERS (10000), BENCH_ATTEMPTS (100000), BENCH_QUESTIONS_PER_ATTEMPT (20),
BENCH_POOL (40), BENCH_DATABASE_URL; on SQLite the defaults are 1000 learners and 5000 attempts,
with BENCH_QUICK=1 (CI) 20 learners and 40 attempts. Exits non-zero when the load fails or loads fewer
rows than asked for.
"""

from __future__ import annotations

import json
import math
import os
import random
import secrets
import sys
import time
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _throwaway  # noqa: E402

IS_POSTGRES = os.environ.get("BENCH_DATABASE_URL", "").startswith("postgres")
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "20" if QUICK else "10000" if IS_POSTGRES else "1000"))
ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", "40" if QUICK else "100000" if IS_POSTGRES else "5000"))
PER_ATTEMPT = int(os.environ.get("BENCH_QUESTIONS_PER_ATTEMPT", "20"))
POOL = max(PER_ATTEMPT, int(os.environ.get("BENCH_POOL", "40")))
MODULES = 5
PASS_MARK = 80
SEED = 20240501


def throwaway_database(prefix: str = "bench_insight") -> tuple[str, callable]:
    """A migrated database nobody else uses (bench/_throwaway.py) and its clean-up."""
    return _throwaway.migrated_database(prefix)


def django_setup(database_url: str, settings: str = "cms.settings.dev"):
    os.environ.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE=settings)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


# --- loading rows fast ---------------------------------------------------------------------------------


def _sqlite_value(value):
    from datetime import datetime

    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(" ")  # Django keeps UTC, naive, on SQLite
    if isinstance(value, Decimal):
        return str(value)
    return value


def _defaults(model, columns: list[str], connection) -> dict:
    """{column: value} of the model's NOT NULL columns left out of `columns` that have a default.

    A blank text field without an explicit default counts: Django's default for it is "".
    """
    missing = [
        field
        for field in model._meta.concrete_fields
        if field.column not in columns and not field.primary_key and not field.null
    ]
    defaults = {field.column: field.get_default() for field in missing}
    return {
        field.column: field.get_db_prep_save(defaults[field.column], connection)
        for field in missing
        if defaults[field.column] is not None
    }


def load(model, columns: list[str], rows) -> int:
    """Insert `rows` (tuples in `columns` order) into `model`'s table: COPY on PostgreSQL."""
    from django.db import connection

    table = model._meta.db_table
    defaults = _defaults(model, columns, connection)
    if defaults:  # a field added since this script was written: its default, in every row
        columns = [*columns, *defaults]
        rows = (tuple(row) + tuple(defaults.values()) for row in rows)
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" for _ in columns)})'
    batch = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def reset_sequences(models):
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# --- the course and its question pool (ORM) --------------------------------------------------------


def course_build():
    from cms.services import site_tree_ensure
    from courses.models import CoursePage, ModulePage, Provider
    from quizzes.models import Question, QuestionKind, QuestionOption, Quiz, QuizRule, Topic
    from quizzes.topics import topics_ensure

    _, catalogue = site_tree_ensure()
    provider = Provider.objects.create(
        name="Bench provider",
        ncbtmb_provider_number="000000-00",
        email="bench@example.com",
        signatory_name="Bench Signatory",
        signatory_title="Director",
    )
    course = catalogue.add_child(
        instance=CoursePage(
            title="Bench course",
            slug="bench-course",
            approved_title="Bench course",
            ce_hours=Decimal("2"),
            provider=provider,
            pass_mark=PASS_MARK,
        )
    )
    modules = [
        course.add_child(instance=ModulePage(title=f"Bench module {m + 1}", slug=f"bench-module-{m + 1}"))
        for m in range(MODULES)
    ]
    topics_ensure()
    topics = [Topic.ATTACHMENTS, Topic.REFERRED_PAIN, Topic.RED_FLAGS, Topic.GENERAL]
    questions = []
    for n in range(POOL):
        module = modules[n % MODULES]
        question = Question(
            stem=f"Bench question {n + 1}: which answer is right?",
            module=module,
            topic_id=topics[n % len(topics)],
            explanation="Bench explanation.",
        )
        if n % 5 == 3:
            question.kind = QuestionKind.MULTIPLE_RESPONSE
            question.options = [
                QuestionOption(text=f"Choice {i + 1}", is_correct=i < 2, sort_order=i) for i in range(5)
            ]
        elif n % 5 == 4:
            question.kind = QuestionKind.TRUE_FALSE
            question.options = [
                QuestionOption(text="True", is_correct=True, sort_order=0),
                QuestionOption(text="False", is_correct=False, sort_order=1),
            ]
        else:
            question.kind = QuestionKind.SINGLE_CHOICE
            question.options = [
                QuestionOption(text=f"Option {i + 1}", is_correct=i == 0, sort_order=i) for i in range(4)
            ]
        question.save()
        questions.append(question)
    quiz = Quiz(
        title="Bench post-test", course=course, module=None, pass_mark=PASS_MARK, shuffle_choices=False
    )
    quiz.rules = [QuizRule(topic_id=None, count=PER_ATTEMPT)]
    quiz.save()
    return course, modules, quiz, questions


# --- simulated learners ------------------------------------------------------------------------------


class Item:
    """One pool question, ready to answer and to freeze into snapshots."""

    def __init__(self, question, n: int):
        from quizzes.snapshots import question_item

        frozen = question_item(question, position=0, rng=random.Random(0), shuffle=False)
        self.qid = question.pk
        self.kind = frozen["kind"]
        self.key = frozen["key"]
        self.ids = [o["id"] for o in frozen["options"]]
        frozen["position"] = -999
        self.json = json.dumps(frozen, ensure_ascii=False)
        # Difficulties spread from easy to hard; a few deliberate problems for item analysis to flag.
        self.difficulty = -1.5 + 3 * ((n * 7) % POOL) / POOL
        self.trap = n == 2  # strong learners fall for a distractor
        if n == 1:
            self.difficulty = -4.0  # nearly everybody right
        if n == 5:
            self.difficulty = 3.0  # nearly everybody wrong

    def snapshot_json(self, position: int) -> str:
        return self.json.replace('"position": -999', f'"position": {position}', 1)

    def answer(self, rng: random.Random, ability: float):
        p = 1 / (1 + math.exp(-1.7 * (ability - self.difficulty)))
        if rng.random() < 0.02:
            return None  # left blank
        if self.kind == "multiple_response":
            return [i for i in self.ids if (i in self.key) == (rng.random() < p)] or None
        right = rng.random() < p
        if self.trap:
            right = ability < 0.3 and rng.random() < 0.8
            if not right:
                return self.ids[1] if ability > 0 else rng.choice(self.ids[1:])
        return self.key if right else rng.choice([i for i in self.ids if i != self.key])


def _quantize(mean: float) -> Decimal:
    return (Decimal(str(mean)) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def build(database_url: str) -> dict:
    """Migrate and fill the database; returns what bench/insight.py needs and the row counts."""
    django_setup(database_url)
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from cms.models import User
    from courses.models import Certificate, CourseEvaluation, Enrollment, ModuleProgress
    from quizzes import grading
    from quizzes.models import Attempt, Response

    started = time.perf_counter()
    rng = random.Random(SEED)
    with transaction.atomic():  # one commit, not one per page and question
        course, modules, quiz, questions = course_build()
    items = [Item(q, n) for n, q in enumerate(questions)]
    password = make_password("bench-password")
    learners_group = Group.objects.get(name="Learners")
    now = timezone.now()
    first_user, first_enrollment, first_attempt = next_id(User), next_id(Enrollment), next_id(Attempt)
    counts = {}

    abilities = [rng.gauss(0, 1) for _ in range(LEARNERS)]
    per_learner = [ATTEMPTS // LEARNERS + (1 if n < ATTEMPTS % LEARNERS else 0) for n in range(LEARNERS)]
    enrolled_at = [
        now - timedelta(days=rng.randint(20, 700), minutes=rng.randint(0, 1440)) for _ in range(LEARNERS)
    ]
    best: dict[int, tuple[Decimal, bool, object]] = {}

    with transaction.atomic():
        counts["users"] = load(
            User,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
                "legal_name",
                "license_number",
                "license_state",
            ],
            (
                (
                    first_user + n,
                    password,
                    False,
                    f"bench{n}",
                    "",
                    "",
                    f"bench{n}@example.com",
                    False,
                    True,
                    enrolled_at[n] - timedelta(hours=1),
                    f"Bench Learner {n}",
                    f"LMT-{n:06d}",
                    rng.choice(["NC", "SC", "VA"]),
                )
                for n in range(LEARNERS)
            ),
        )
        through = User.groups.through
        load(through, ["user_id", "group_id"], ((first_user + n, learners_group.pk) for n in range(LEARNERS)))

        def attempt_rows():
            attempt_id = first_attempt
            for n in range(LEARNERS):
                user_id = first_user + n
                clock = enrolled_at[n] + timedelta(days=2)
                for number in range(1, per_learner[n] + 1):
                    ability = abilities[n] + 0.15 * (number - 1)
                    drawn = rng.sample(items, PER_ATTEMPT)
                    results = []
                    for position, item in enumerate(drawn, start=1):
                        answer = item.answer(rng, ability)
                        score, correct = grading.grade(item.kind, item.key, answer)
                        results.append((position, item, answer, score, correct))
                    score = _quantize(sum(r[3] for r in results) / len(results))
                    passed = score >= PASS_MARK
                    started_at = clock + timedelta(hours=number)
                    submitted_at = started_at + timedelta(minutes=rng.randint(8, 40))
                    snapshot = (
                        '{"version": 1, "quiz_title": "Bench post-test", "pass_mark": '
                        f"{PASS_MARK}, "
                        f'"questions": [{", ".join(r[1].snapshot_json(r[0]) for r in results)}]}}'
                    )
                    previous = best.get(n)
                    if previous is None or score > previous[0]:
                        best[n] = (score, passed or bool(previous and previous[1]), submitted_at)
                    elif passed:
                        best[n] = (previous[0], True, previous[2])
                    yield (
                        (
                            attempt_id,
                            user_id,
                            quiz.pk,
                            number,
                            "submitted",
                            started_at,
                            None,
                            submitted_at,
                            score,
                            passed,
                            False,
                            "" if passed else f"Score {score}% is below the pass mark of {PASS_MARK}%.",
                            rng.getrandbits(62),
                            snapshot,
                        ),
                        results,
                        submitted_at,
                    )
                    attempt_id += 1

        response_buffer = []

        def attempts_only():
            for row, results, submitted_at in attempt_rows():
                for position, item, answer, score, correct in results:
                    response_buffer.append(
                        (
                            row[0],
                            item.qid,
                            position,
                            None if answer is None else json.dumps(answer),
                            score,
                            correct,
                            submitted_at,
                        )
                    )
                yield row

        attempt_columns = [
            "id",
            "user_id",
            "quiz_id",
            "number",
            "status",
            "started_at",
            "deadline",
            "submitted_at",
            "score",
            "passed",
            "failed_critical",
            "fail_reason",
            "seed",
            "snapshot",
        ]
        response_columns = [
            "attempt_id",
            "question_id",
            "position",
            "answer",
            "score",
            "is_correct",
            "updated_at",
        ]
        counts["attempts"] = 0
        counts["responses"] = 0
        generator = attempts_only()
        while True:
            chunk = [row for _, row in zip(range(5000), generator)]
            if not chunk:
                break
            counts["attempts"] += load(Attempt, attempt_columns, chunk)
            counts["responses"] += load(Response, response_columns, response_buffer)
            response_buffer.clear()

        def enrollment_rows():
            for n in range(LEARNERS):
                done = best.get(n)
                completed = done is not None and done[1]
                yield (
                    first_enrollment + n,
                    first_user + n,
                    course.pk,
                    "completed" if completed else "active",
                    enrolled_at[n],
                    done[2] if completed else None,
                )

        counts["enrollments"] = load(
            Enrollment,
            ["id", "user_id", "course_id", "status", "enrolled_at", "completed_at"],
            enrollment_rows(),
        )
        counts["module_progress"] = load(
            ModuleProgress,
            ["enrollment_id", "module_id", "started_at", "completed_at", "seconds_spent"],
            (
                (
                    first_enrollment + n,
                    module.pk,
                    enrolled_at[n] + timedelta(hours=m),
                    enrolled_at[n] + timedelta(hours=m, minutes=30),
                    1800,
                )
                for n in range(LEARNERS)
                for m, module in enumerate(modules)
                if n in best or m < 2
            ),
        )
        completed = [n for n in range(LEARNERS) if best.get(n, (0, False))[1]]
        counts["evaluations"] = load(
            CourseEvaluation,
            [
                "enrollment_id",
                "objectives_met",
                "content_relevant",
                "materials_quality",
                "instructor_quality",
                "would_recommend",
                "comments",
                "submitted_at",
            ],
            (
                (
                    first_enrollment + n,
                    *(rng.choice([3, 4, 4, 5, 5]) for _ in range(5)),
                    "Useful course." if n % 7 == 0 else "",
                    best[n][2],
                )
                for n in completed
            ),
        )
        counts["certificates"] = load(
            Certificate,
            [
                "enrollment_id",
                "code",
                "status",
                "snapshot",
                "pdf",
                "created_at",
                "updated_at",
                "issued_at",
                "revoked_reason",
                "attempts",
                "last_error",
            ],
            (
                (
                    first_enrollment + n,
                    f"BENCH-{n:06d}-{secrets.token_hex(3).upper()}",
                    "issued",
                    json.dumps({"learner_name": f"Bench Learner {n}", "course_title": "Bench course"}),
                    "",
                    best[n][2],
                    best[n][2],
                    best[n][2],
                    "",
                    1,
                    "",
                )
                for n in completed
            ),
        )
        reset_sequences([User, Enrollment, ModuleProgress, Attempt, Response, CourseEvaluation, Certificate])
    with connection.cursor() as cursor:  # fresh statistics (and, on PostgreSQL, the visibility map)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "course_id": course.pk,
        "quiz_id": quiz.pk,
        "counts": counts,
        "seconds": time.perf_counter() - started,
        "sample_learner": f"bench{LEARNERS // 2}",
    }


def existing(database_url: str) -> dict:
    """What `build` returns, for a database it filled earlier (kept with BENCH_KEEP=1)."""
    os.environ.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="cms.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from cms.models import User
    from quizzes.models import Attempt, Quiz, Response

    quiz = Quiz.objects.get(title="Bench post-test")
    learners = User.objects.filter(username__startswith="bench").exclude(username="bench-admin").count()
    counts = {
        "users": learners,
        "attempts": Attempt.objects.filter(quiz=quiz).count(),
        "responses": Response.objects.filter(attempt__quiz=quiz).count(),
    }
    return {
        "course_id": quiz.course_id,
        "quiz_id": quiz.pk,
        "counts": counts,
        "seconds": 0.0,
        "sample_learner": f"bench{learners // 2}",
    }


def rows_missing(counts: dict) -> str:
    """'' when the load holds every learner, attempt and response asked for, else what is missing."""
    expected = {"users": LEARNERS, "attempts": ATTEMPTS, "responses": ATTEMPTS * PER_ATTEMPT}
    short = [f"{name} {counts.get(name, 0)} of {n}" for name, n in expected.items() if counts.get(name) != n]
    return ", ".join(short) and "rows missing: " + ", ".join(short)


def main() -> int:
    database_url, cleanup = throwaway_database()
    keep = os.environ.get("BENCH_KEEP") == "1"
    try:
        info = build(database_url)
        engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        counts = info["counts"]
        problem = rows_missing(counts)
        if problem:
            print(f"make_data: {problem}")
            return 1
        print(f"bench data · {engine} · {LEARNERS} learners · {ATTEMPTS} attempts × {PER_ATTEMPT} questions")
        print("  rows: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
        print(
            f"  loaded in {info['seconds']:.1f} s ({counts['responses'] / info['seconds']:.0f} responses/s)"
        )
        if keep:
            print(f"  kept: DATABASE_URL={database_url}")
        return 0
    finally:
        if not keep:
            cleanup()


if __name__ == "__main__":
    sys.exit(main())
