"""Benchmark: concurrent 30-question quiz submits against a real gunicorn server.

Self-contained: it makes a throwaway database (SQLite file by default; with
BENCH_DATABASE_URL=postgres://user@host:port/anything it creates and later drops a fresh
PostgreSQL database on that server), migrates it, builds a course with module quizzes of
30 questions each, starts one open attempt per learner and quiz, then starts
`gunicorn cms.wsgi` (production settings, DEBUG off, 2 workers) and fires every submit from
BENCH_THREADS threads, each a JSON POST of 30 answers with the learner's session cookie.
It prints submissions per second and p50/p99 latency, and always stops its server.

Knobs (environment): BENCH_LEARNERS (20), BENCH_QUIZZES (5), BENCH_THREADS (8),
BENCH_WORKERS (2), BENCH_DATABASE_URL (throwaway SQLite).
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "20"))
QUIZZES = int(os.environ.get("BENCH_QUIZZES", "5"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
QUESTIONS = 30

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _throwaway  # noqa: E402


def free_port() -> int:
    for port in range(8600, 8700):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("No free port between 8600 and 8699")


def throwaway_database() -> tuple[str, callable]:
    return _throwaway.throwaway_database("bench_quiz")


def prepare(database_url: str) -> list[dict]:
    """Migrate, build the course and quizzes, open the attempts; returns one job per submit."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        check=True,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "LOG_LEVEL": "WARNING",
        },
    )
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.dev"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from cms.models import User
    from cms.services import site_tree_ensure
    from content.models import BodyZone
    from courses.models import CoursePage, Enrollment, ModulePage, Provider
    from quizzes.models import Question, QuestionKind, QuestionOption, Quiz
    from quizzes.services import attempt_start

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
    jobs = []
    for n in range(LEARNERS):
        user = User.objects.create_user(
            username=f"bench{n}", password=secrets.token_hex(8), legal_name=f"Bench {n}"
        )
        Enrollment.objects.create(user=user, course=course)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        for quiz in quizzes:
            attempt = attempt_start(user=user, quiz=quiz)
            answers = {str(item["qid"]): item["key"] for item in attempt.questions}
            jobs.append({"session": session.session_key, "attempt": attempt.pk, "answers": answers})
    from django.db import connections

    connections.close_all()
    return jobs


SHIM_SETTINGS = """from cms.settings.production import *  # noqa
ROOT_URLCONF = "bench_quiz_urls"
"""
# Until cms/urls.py includes quizzes.urls, the server needs it added; once included, this adds nothing.
SHIM_URLS = """from django.urls import include, path
from cms.urls import urlpatterns as site
wired = any(getattr(p, "namespace", None) == "quizzes" for p in site)
urlpatterns = list(site) if wired else [path("", include("quizzes.urls"))] + list(site)
"""


def start_server(database_url: str, port: int, shim_dir: str) -> subprocess.Popen:
    Path(shim_dir, "bench_quiz_settings.py").write_text(SHIM_SETTINGS)
    Path(shim_dir, "bench_quiz_urls.py").write_text(SHIM_URLS)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench_quiz_settings",
        "PYTHONPATH": os.pathsep.join([shim_dir, str(ROOT)]),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",  # no collectstatic: JSON only
    }
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
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start in 30 s")


def stop_server(server: subprocess.Popen):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def submit(base_url: str, job: dict) -> tuple[float, int]:
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked token when cookie and header agree
    request = urllib.request.Request(
        f"{base_url}/attempts/{job['attempt']}/submit/",
        data=json.dumps({"answers": job["answers"]}).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": csrf,
            "Cookie": f"sessionid={job['session']}; csrftoken={csrf}",
        },
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status = response.status
            body = json.loads(response.read())
    except urllib.error.HTTPError as error:
        status = error.code
        body = {}
    elapsed = time.perf_counter() - started
    if status == 200 and body.get("score") != "100.00":
        status = 599  # graded, but not as expected: counts as a failure
    return elapsed, status


def fire(base_url: str, jobs: list[dict]) -> tuple[list[float], list[int], float]:
    queue = list(jobs)
    lock = threading.Lock()
    latencies, statuses = [], []

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            elapsed, status = submit(base_url, job)
            with lock:
                latencies.append(elapsed)
                statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> int:
    # One key for the sessions made here and the server that reads them.
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(40)
    database_url, cleanup = throwaway_database()
    shim_dir = tempfile.mkdtemp(prefix="bench-quiz-")
    server = None
    try:
        started = time.perf_counter()
        jobs = prepare(database_url)
        print(f"  (setup: {len(jobs)} open attempts in {time.perf_counter() - started:.0f} s)")
        port = free_port()
        server = start_server(database_url, port, shim_dir)
        base_url = f"http://127.0.0.1:{port}"
        # one warm-up request per worker process (imports, connections) is not counted
        warm, jobs = jobs[:WORKERS], jobs[WORKERS:]
        for job in warm:
            submit(base_url, job)
        latencies, statuses, wall = fire(base_url, jobs)
        ok = statuses.count(200)
        engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(
            f"quiz submit ({QUESTIONS} questions) · {engine} · gunicorn {WORKERS} workers · {THREADS} threads"
        )
        print(f"  submits: {len(jobs)}  ok: {ok}  failed: {len(jobs) - ok}")
        print(f"  throughput: {len(jobs) / wall:.1f} submissions/s")
        print(
            f"  latency p50: {percentile(latencies, 50) * 1000:.1f} ms   p99: {percentile(latencies, 99) * 1000:.1f} ms"
        )
        return 0 if ok == len(jobs) else 1
    finally:
        if server is not None:
            stop_server(server)
        cleanup()
        shutil.rmtree(shim_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
