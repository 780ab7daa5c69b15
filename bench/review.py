"""Benchmark: the learner's spaced review (/review/) on a large deck table.

Builds a throwaway migrated database (bench/_throwaway.py: BENCH_DATABASE_URL=postgres://… for a fresh
PostgreSQL database on that server, else a temporary SQLite file), the bench course of
bench/make_data.py with a pool of BENCH_REVIEW_CARDS questions (one family each), BENCH_LEARNERS learners
and BENCH_REVIEW_CARDS review cards each (10,000 × 200 on PostgreSQL; 1,000 × 200 on SQLite;
BENCH_QUICK=1: 20 × 10), loaded with COPY (PostgreSQL) or executemany (SQLite): FSRS cards in the Review
state with three review logs each, a tenth of them due (half for the sample learner). Then, through the real
views with Django's test client and DEBUG off, it times for one learner:

  - the deck page with its due list (GET /review/; issue 16's target: under 50 ms at the median),
  - serving a due card (GET /review/cards/<id>/, untimed target),
  - answering it (POST, graded and rescheduled with FSRS; target: under 30 ms at the median),
  - and, for scale, the learner's profile page (same layout, no deck): what any page costs on this machine.

Each is run BENCH_REPEAT times (default 9; quick: 2); it prints the first, median and best times and
asserts no target. Any request answering anything other than expected fails the run (exit 1). The
database is always dropped.
"""

import json
import os
import random
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
IS_POSTGRES = os.environ.get("BENCH_DATABASE_URL", "").startswith("postgres")
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "20" if QUICK else "10000" if IS_POSTGRES else "1000"))
CARDS = int(os.environ.get("BENCH_REVIEW_CARDS", "10" if QUICK else "200"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "2" if QUICK else "9"))
os.environ["BENCH_POOL"] = str(CARDS)  # make_data's question pool: one family per card
os.environ.setdefault("BENCH_QUESTIONS_PER_ATTEMPT", str(min(CARDS, 20)))
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
SEED = 16


def _card_rows(first_user: int, course_id: int, qids: list[int], labels: dict, now: datetime, sample: int):
    rng = random.Random(SEED)
    for n in range(LEARNERS):
        due_share = 0.5 if n == sample else 0.1
        for qid in qids:
            stability = rng.uniform(2, 120)
            last = now - timedelta(days=rng.uniform(1, 60))
            due = (
                now - timedelta(hours=rng.uniform(1, 72))
                if rng.random() < due_share
                else now + timedelta(days=rng.uniform(1, 90))
            )
            card = {
                "card_id": qid,
                "state": 2,
                "step": None,
                "stability": stability,
                "difficulty": rng.uniform(2, 8),
                "due": due.isoformat(),
                "last_review": last.isoformat(),
            }
            logs = [
                {
                    "card_id": qid,
                    "rating": rng.choice([1, 3, 3, 4]),
                    "review_datetime": (last - timedelta(days=d)).isoformat(),
                    "review_duration": 12000,
                }
                for d in (30, 10, 0)
            ]
            yield (
                first_user + n,
                f"question-{qid}",
                course_id,
                "missed",
                labels[qid],
                qid % 7 == 0,
                json.dumps(card),
                due,
                json.dumps(logs),
                3,
                int(any(log["rating"] == 1 for log in logs)),
                False,
                now - timedelta(days=90),
            )


def build(database_url: str) -> dict:
    import make_data

    make_data.django_setup(database_url)
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from cms.models import User
    from courses.models import Enrollment
    from quizzes.models import ReviewCard

    started = time.perf_counter()
    with transaction.atomic():
        course, _, _, questions = make_data.course_build()
    now = datetime.now(UTC)
    first_user = make_data.next_id(User)
    password = make_password("bench-password")
    sample = LEARNERS // 2
    with transaction.atomic():
        users = make_data.load(
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
                    now,
                    f"Bench Learner {n}",
                )
                for n in range(LEARNERS)
            ),
        )
        # Every learner has completed the course: a course's cards open only then.
        make_data.load(
            Enrollment,
            ["user_id", "course_id", "status", "enrolled_at", "completed_at"],
            ((first_user + n, course.pk, "completed", now, now) for n in range(LEARNERS)),
        )
        qids = [q.pk for q in questions]
        labels = {q.pk: q.stem[:120] for q in questions}
        cards = make_data.load(
            ReviewCard,
            [
                "user_id",
                "family",
                "course_id",
                "source",
                "label",
                "critical",
                "card",
                "due",
                "reviews",
                "review_count",
                "again_count",
                "suspended",
                "created_at",
            ],
            _card_rows(first_user, course.pk, qids, labels, now, sample),
        )
    make_data.reset_sequences([User, Enrollment, ReviewCard])
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute('ANALYZE "quizzes_reviewcard"')
    return {
        "users": users,
        "cards": cards,
        "seconds": time.perf_counter() - started,
        "sample": f"bench{sample}",
    }


def timed(func, *args):
    started = time.perf_counter()
    response = func(*args)
    return time.perf_counter() - started, response


def report(label: str, runs: list[float], target: float | None = None) -> None:
    first, runs = runs[0], runs[1:] or runs  # the first (cold) run apart, as bench/insight.py does
    median = statistics.median(runs)
    note = (
        ""
        if target is None
        else f"   (target < {target * 1000:.0f} ms: {'met' if median < target else 'MISSED'})"
    )
    print(
        f"  {label:<30} first {first * 1000:7.1f} ms   median {median * 1000:7.1f} ms   "
        f"best {min(runs) * 1000:7.1f} ms   ({len(runs)} runs){note}"
    )


def review_run(sample: str) -> bool:
    from django.conf import settings
    from django.db import connections
    from django.test import Client

    from cms.models import User
    from quizzes.models import ReviewCard

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    connections.close_all()
    user = User.objects.get(username=sample)
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    lists, serves, answers, baseline = [], [], [], []
    for _ in range(REPEAT + 1):
        seconds, response = timed(client.get, "/accounts/profile/")
        if response.status_code != 200:
            print(f"  baseline FAILED: HTTP {response.status_code}")
            return False
        baseline.append(seconds)
        seconds, response = timed(client.get, "/review/")
        if response.status_code != 200 or b"data-due-count" not in response.content:
            print(f"  due list FAILED: HTTP {response.status_code}")
            return False
        lists.append(seconds)
        nxt = client.get("/review/next/")
        if nxt.status_code != 302 or "/review/cards/" not in nxt["Location"]:
            print(f"  next card FAILED: HTTP {nxt.status_code} (no card due?)")
            return False
        url = nxt["Location"]
        seconds, response = timed(client.get, url)
        if response.status_code != 200:
            print(f"  serve FAILED: HTTP {response.status_code} {url}")
            return False
        serves.append(seconds)
        card = ReviewCard.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))
        item = card.served["item"]  # the bench reads the key from the database to answer right
        data = {"token": card.served["token"], f"q{item['qid']}": item["key"]}
        seconds, response = timed(client.post, url, data)
        if response.status_code != 200 or b"data-review-result" not in response.content:
            print(f"  answer FAILED: HTTP {response.status_code} {url}")
            return False
        answers.append(seconds)
    report("baseline: profile page", baseline)  # a plain page of the same layout: the machine's floor
    report("due list (GET /review/)", lists, 0.05)
    report("serve a card (GET)", serves)
    report("answer a card (POST)", answers, 0.03)
    return True


def main() -> int:
    import make_data

    warnings.filterwarnings("ignore", message="No directory at")
    database_url, cleanup = make_data.throwaway_database("bench_review")
    try:
        info = build(database_url)
        engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        expected = LEARNERS * CARDS
        print(
            f"review · {engine} · {info['users']} learners × {CARDS} cards = {info['cards']} cards "
            f"(loaded in {info['seconds']:.0f} s)"
        )
        if info["users"] != LEARNERS or info["cards"] != expected:
            print(f"  rows missing: {info['cards']} of {expected} cards")
            return 1
        return 0 if review_run(info["sample"]) else 1
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
