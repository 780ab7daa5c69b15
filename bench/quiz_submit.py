"""Benchmark: concurrent 30-question quiz submits through gunicorn, next to a minimal view in the same run.

Self-contained: a throwaway migrated database (SQLite file by default; with
BENCH_DATABASE_URL=postgres://user@host:port/anything a fresh PostgreSQL database on that server,
always dropped; see bench/_throwaway.py), a course with BENCH_QUIZZES module quizzes of 30 questions
(single choice, multiple response, matching, body map) and one open attempt per learner and quiz. Each
learner is logged in the way Django supports (the test client's force_login on the bench's database:
a real session row and cookie). Then `gunicorn cms.wsgi` (production settings, DEBUG off,
BENCH_WORKERS=2 sync workers; bench/_submit_settings.py adds /bench/minimal/) serves, from
BENCH_THREADS=8 client threads:

  1. the minimal view (HttpResponse("ok") through the whole middleware stack) BENCH_MINIMAL=1000 times,
  2. every submit, a JSON POST of 30 answers with the learner's session and CSRF cookies,
  3. the minimal view again (the machine's load drifts; the floor is the mean of both runs).

One request per worker of each kind warms up first (imports, connections) and is not timed. A submit
counts as a success only with HTTP 200 and the full score; any other answer, a refused connection
included, is a failure: the script then prints what failed, no throughput, and exits 1.
Prints submits/s, p50 and p99 latency and the ratio to the minimal view (target on PostgreSQL,
printed, not asserted: >= 0.1x).

BENCH_QUICK=1 (CI): 2 learners x 2 quizzes, 2 threads, 50 minimal requests: a few seconds.
Knobs (environment): BENCH_LEARNERS (20), BENCH_QUIZZES (5), BENCH_THREADS (8), BENCH_WORKERS (2),
BENCH_MINIMAL (1000), BENCH_DATABASE_URL (throwaway SQLite).
"""

import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
import _throwaway  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "2" if QUICK else "20"))
QUIZZES = int(os.environ.get("BENCH_QUIZZES", "2" if QUICK else "5"))
THREADS = int(os.environ.get("BENCH_THREADS", "2" if QUICK else "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
MINIMAL = int(os.environ.get("BENCH_MINIMAL", "50" if QUICK else "1000"))
QUESTIONS = 30
TARGET = 0.1  # submits/s as a share of the minimal view's requests/s, on PostgreSQL


def environment(database_url: str) -> dict:
    """Shared by this process (which makes the sessions) and gunicorn (which reads them)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "_submit_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "DATABASE_URL": database_url,
        "REDIS_URL": "",  # sessions in the database, caches per process: nothing shared but PostgreSQL
        "SECRET_KEY": "bench-quiz-submit-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",  # no collectstatic (see _submit_settings)
    }


def course_build():
    """A course with QUIZZES modules, each with a quiz of QUESTIONS questions of four kinds."""
    from decimal import Decimal

    from cms.services import site_tree_ensure
    from content.models import BodyZone
    from courses.models import CoursePage, ModulePage, Provider
    from quizzes.models import Question, QuestionKind, QuestionOption, Quiz

    _, catalogue = site_tree_ensure()
    provider = Provider.objects.create(
        name="Bench provider",
        ncbtmb_provider_number="000000-00",
        email="bench@example.com",
        signatory_name="Bench",
        signatory_title="Bench",
    )
    course = catalogue.add_child(
        instance=CoursePage(
            title="Bench course",
            slug="bench-course",
            approved_title="Bench course",
            ce_hours=Decimal("1"),
            provider=provider,
        )
    )
    zones = [
        BodyZone.objects.get_or_create(code=f"bench-{n}", defaults={"name": f"Zone {n}", "view": "back"})[0]
        for n in range(6)
    ]
    quizzes = []
    for q in range(QUIZZES):
        module = course.add_child(instance=ModulePage(title=f"Bench module {q}", slug=f"bench-module-{q}"))
        for n in range(QUESTIONS):
            question = Question(
                kind=QuestionKind.SINGLE_CHOICE, stem=f"Bench question {q}.{n}", module=module
            )
            kind = n % 4
            if kind == 0:
                question.options = [QuestionOption(text=f"Choice {i}", is_correct=i == 0) for i in range(4)]
            elif kind == 1:
                question.kind = QuestionKind.MULTIPLE_RESPONSE
                question.options = [QuestionOption(text=f"Choice {i}", is_correct=i < 2) for i in range(5)]
            elif kind == 2:
                question.kind = QuestionKind.MATCHING
                question.options = [
                    QuestionOption(text=f"Left {i}", match_text=f"Right {i}") for i in range(4)
                ]
            else:
                question.kind = QuestionKind.BODY_MAP
                question.correct_zones = zones[:2]
            question.save()
        quizzes.append(Quiz.objects.create(title=f"Bench quiz {q}", course=course, module=module))
    return course, quizzes


def prepare(database_url: str) -> list[dict]:
    """The course, the learners (logged in), their open attempts: one job per submit."""
    os.environ.update(environment(database_url))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test import Client
    from django.urls import reverse

    from cms.models import User
    from courses.models import Enrollment
    from quizzes.services import attempt_start

    course, quizzes = course_build()
    jobs = []
    for n in range(LEARNERS):
        user = User.objects.create_user(
            username=f"bench{n}", password=secrets.token_hex(8), legal_name=f"Bench {n}"
        )
        Enrollment.objects.create(user=user, course=course)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        for quiz in quizzes:
            attempt = attempt_start(user=user, quiz=quiz)
            answers = {str(item["qid"]): item["key"] for item in attempt.questions}
            body = json.dumps({"answers": answers}).encode()
            path = reverse("quizzes:attempt_submit", args=[attempt.pk])
            jobs.append({"path": path, "body": body, "session": session})
    connections.close_all()
    return jobs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_start(database_url: str, port: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "cms.wsgi",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=environment(database_url), start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"quiz_submit: gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server_stop(server)
    raise SystemExit("quiz_submit: gunicorn did not start within 60 s")


def server_stop(server: subprocess.Popen):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def minimal_request(conn: http.client.HTTPConnection, _job) -> str:
    """'' when the minimal view answers 200 "ok", else what went wrong."""
    conn.request("GET", "/bench/minimal/")
    response = conn.getresponse()
    body = response.read()
    return "" if response.status == 200 and body == b"ok" else f"HTTP {response.status}"


def submit_request(conn: http.client.HTTPConnection, job: dict) -> str:
    """'' when the submit answers 200 with the full score (every answer sent is the key), else what went wrong."""
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked token when cookie and header agree
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrf,
        "Cookie": f"sessionid={job['session']}; csrftoken={csrf}",
    }
    conn.request("POST", job["path"], body=job["body"], headers=headers)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        return f"HTTP {response.status}: {body[:200]!r}"
    score = json.loads(body).get("score")
    return "" if score == "100.00" else f"score {score}"


def fire(port: int, request, jobs: list) -> dict:
    """Send every job from THREADS threads; latencies of the successes, failures by reason, wall time."""
    queue = list(reversed(jobs))
    lock = threading.Lock()
    latencies, failures = [], Counter()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                job = queue.pop()
            started = time.perf_counter()
            try:
                problem = request(conn, job)
            except (OSError, http.client.HTTPException, ValueError) as error:
                problem = f"{type(error).__name__}: {error}"
                conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                if problem:
                    failures[problem] += 1
                else:
                    latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "failures": failures, "wall": time.perf_counter() - started}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def summary(label: str, run: dict, floor: float | None = None) -> str:
    rate = len(run["latencies"]) / run["wall"]
    line = (
        f"  {label:<22}{rate:>9.1f}/s   p50 {percentile(run['latencies'], 50) * 1000:6.1f} ms"
        f"   p99 {percentile(run['latencies'], 99) * 1000:6.1f} ms"
    )
    return line + (f"   {rate / floor:.3f}x minimal" if floor else "")


def main() -> int:
    database_url, cleanup = _throwaway.migrated_database("bench_quiz")
    server = None
    try:
        started = time.perf_counter()
        jobs = prepare(database_url)
        setup_seconds = time.perf_counter() - started
        port = free_port()
        server = server_start(database_url, port)
        warm, jobs = jobs[:WORKERS], jobs[WORKERS:]  # imports and connections per worker: not timed
        warm_runs = [fire(port, minimal_request, [None] * WORKERS), fire(port, submit_request, warm)]
        runs = {
            "minimal (before)": fire(port, minimal_request, [None] * MINIMAL),
            "submit": fire(port, submit_request, jobs),
            "minimal (after)": fire(port, minimal_request, [None] * MINIMAL),
        }
        failures = sum((run["failures"] for run in [*warm_runs, *runs.values()]), Counter())
        if failures:
            print(f"quiz_submit: {sum(failures.values())} requests failed:")
            for problem, count in failures.most_common(5):
                print(f"  {count} x {problem}")
            return 1
        engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(
            f"quiz submit ({QUESTIONS} answers) · {engine} · gunicorn {WORKERS} sync workers · "
            f"{THREADS} client threads · {os.cpu_count()} CPUs (setup {setup_seconds:.0f} s)"
        )
        floor = statistics.mean(len(r["latencies"]) / r["wall"] for k, r in runs.items() if "minimal" in k)
        for label, run in runs.items():
            print(summary(label, run, None if "minimal" in label else floor))
        ratio = len(runs["submit"]["latencies"]) / runs["submit"]["wall"] / floor
        if engine == "PostgreSQL" and not QUICK:
            print(f"  target >= {TARGET}x minimal: {'met' if ratio >= TARGET else 'missed'}")
        return 0
    finally:
        if server is not None:
            server_stop(server)
        cleanup()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server and drop the database
    sys.exit(main())
