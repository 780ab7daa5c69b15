"""Benchmark: the insight pages and the learner dashboard on a large database.

Builds a throwaway database with bench/make_data.py (BENCH_LEARNERS learners, BENCH_ATTEMPTS graded
attempts at one post-test, BENCH_QUESTIONS_PER_ATTEMPT responses each: by default 10,000 / 100,000 /
20 on PostgreSQL via BENCH_DATABASE_URL, smaller on SQLite), then times, through Django's test
client with DEBUG off (the whole request: queries, statistics, template):

  - the item-analysis page of that post-test (target: under 2 s),
  - the roster CSV of the course, read to the last byte (every enrollment),
  - the learner dashboard of one learner (target: under 100 ms).

BENCH_INSIGHT_DATABASE_URL reuses a database kept by `BENCH_KEEP=1 bench/make_data.py` instead.
Each is run BENCH_REPEAT times (default 5) after one untimed warm-up; it prints the first (cold)
time, the median and the best, and asserts no target. Any request that does not answer 200 with a body
fails the run (exit 1). BENCH_QUICK=1 (CI): make_data's quick sizes, one timed run each. The database
is always dropped.
"""

import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"  # whatever other backends come first
REPEAT = int(os.environ.get("BENCH_REPEAT", "1" if QUICK else "5"))


def timed(client, url: str, *, stream: bool = False) -> tuple[float, int, int]:
    """(seconds, status, bytes) of one GET, the body read to the end."""
    started = time.perf_counter()
    response = client.get(url)
    body = b"".join(response.streaming_content) if stream else response.content
    return time.perf_counter() - started, response.status_code, len(body)


def measure(label: str, client, url: str, *, target: float | None = None, stream: bool = False) -> bool:
    """Print the figures of one page; False (and no figures) when any of its requests fails."""
    first, status, size = timed(client, url, stream=stream)
    runs = [timed(client, url, stream=stream) for _ in range(REPEAT)]
    failed = [run for run in [(first, status, size), *runs] if run[1] != 200 or not run[2]]
    if failed:
        print(f"  {label:<28} FAILED: HTTP {failed[0][1]}, {failed[0][2]} bytes ({url})")
        return False
    runs = [run[0] for run in runs]
    median = statistics.median(runs)
    note = (
        ""
        if target is None
        else f"   (target < {target * 1000:.0f} ms: {'met' if median < target else 'MISSED'})"
    )
    print(
        f"  {label:<28} HTTP {status}  {size / 1024:8.0f} KiB   first {first * 1000:7.0f} ms   "
        f"median {median * 1000:7.0f} ms   best {min(runs) * 1000:7.0f} ms{note}"
    )
    return True


def main() -> int:
    import make_data

    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic: the pages' HTML is timed
    existing = os.environ.get("BENCH_INSIGHT_DATABASE_URL", "")
    if existing:  # a database kept by `BENCH_KEEP=1 bench/make_data.py`: reused, never dropped
        database_url, cleanup = existing, (lambda: None)
    else:
        database_url, cleanup = make_data.throwaway_database()
    try:
        info = make_data.existing(database_url) if existing else make_data.build(database_url)
        counts = info["counts"]
        engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(
            f"insight · {engine} · {counts['users']} learners · {counts['attempts']} attempts · "
            f"{counts['responses']} responses (loaded in {info['seconds']:.0f} s)"
        )
        # DEBUG off before the first request: no query log, and the template engine (created lazily)
        # uses the cached loader as in production.
        from django.conf import settings
        from django.db import connections
        from django.test import Client
        from django.urls import reverse

        settings.DEBUG = False
        settings.ALLOWED_HOSTS = ["testserver"]
        connections.close_all()
        from cms.models import User

        admin, _ = User.objects.get_or_create(
            username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
        )
        staff = Client()
        staff.force_login(admin, backend=MODEL_BACKEND)
        learner = Client()
        learner.force_login(User.objects.get(username=info["sample_learner"]), backend=MODEL_BACKEND)
        quiz, course = [info["quiz_id"]], [info["course_id"]]
        results = [
            measure("item analysis page", staff, reverse("insight_item_analysis", args=quiz), target=2.0),
            measure("item analysis CSV", staff, reverse("insight_item_analysis_csv", args=quiz), stream=True),
            measure("roster page (first 50)", staff, reverse("insight_roster", args=course)),
            measure("roster CSV (all rows)", staff, reverse("insight_roster_csv", args=course), stream=True),
            measure("learner dashboard", learner, reverse("dashboard"), target=0.1),
            measure("learner data export", learner, reverse("profile_export")),
        ]
        return 0 if all(results) else 1
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
