"""Benchmark: page speed of the learner site under gunicorn, next to a minimal Django view in the same run.

Self-contained: a throwaway PostgreSQL database (created on BENCH_DATABASE_URL's server, default
postgres://postgres@127.0.0.1:5432/postgres, and always dropped), migrated, with the demo course
(`setup_demo`) and the demo learner enrolled. Static files are collected (hashed names, as in
production) to BENCH_STATIC_ROOT. The app is then served by gunicorn (BENCH_WORKERS=2 sync workers,
127.0.0.1:BENCH_PORT=8160) with the production settings (DEBUG off, cache in Redis from REDIS_URL, here
BENCH_REDIS_URL=redis://127.0.0.1:6379/8, flushed before and after) plus a bench-only URL conf
(bench/_pages_settings.py, bench/_pages_urls.py) that adds two minimal views through the whole
middleware stack: /bench/minimal/ (HttpResponse("ok"), anonymous) and /bench/learner-minimal/ (the
session and the user loaded, no template and no other query: the floor every learner page stands
on). The app itself has no bench URL.

Each page is loaded by wrk (Debian's package; installed when missing and run as root) with
BENCH_CONNECTIONS=32 connections for BENCH_DURATION=10 s after a 2 s warm-up: home and course page
anonymous; course page, module page and dashboard as the enrolled learner (session cookie). The
minimal views are measured first and last; ratios are to their mean. Before that, each page is
fetched once through gunicorn to check it answers 200 with what it should show, and its queries are
counted in-process with the cache warm. Targets (printed, not asserted): course and module pages for
the learner at >= 0.6x the learner floor and >= 0.25x the anonymous minimal view, p99 < 50 ms.

BENCH_QUICK=1 (CI): 4 connections, 1 s per page, no warm-up, no quizzes in the demo. Either way the
script exits non-zero when any request fails (a page check, a non-2xx/3xx answer or a socket error).

BENCH_KEEP=1 keeps the database (its URL is printed); BENCH_PAGES_DATABASE_URL reuses such a database
instead of building one. PAGE_CACHE_ENABLED=false measures the pages with the page cache
(courses/caching.py) off.

Prints a table of requests/s, p50 and p99 latency and the ratios to the minimal views.
Note: with 32 connections on 2 sync workers, requests queue, so the mean latency is about
32 / (requests per second) (Little's law): p99 under 50 ms needs well over 640 requests/s.
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
import _throwaway  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
PORT = int(os.environ.get("BENCH_PORT", "8160"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4" if QUICK else "32"))
DURATION = int(os.environ.get("BENCH_DURATION", "1" if QUICK else "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "0" if QUICK else "2"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", "/tmp/bodywork-bench-static")
BASE = f"http://127.0.0.1:{PORT}"


def wrk_ensure() -> str:
    """Path of wrk; installs Debian's package when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("pages: wrk is missing (apt-get install wrk, as root)")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, **quiet).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=True, **quiet)
    return shutil.which("wrk")


def environment(database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "_pages_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "bench-pages-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DEMO_PASSWORD": "bench-pages-demo",
        "BENCH_STATIC_ROOT": STATIC_ROOT,
        "LOG_LEVEL": "WARNING",
    }


def redis_flush():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def static_stale() -> bool:
    """collectstatic is needed: no manifest yet, or a project static file or the venv is newer."""
    manifest = Path(STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return True
    sources = [ROOT / ".venv" / ".installed", *ROOT.glob("*/static/**/*")]
    newest = max((p.stat().st_mtime for p in sources if p.is_file()), default=0)
    return newest > manifest.stat().st_mtime


def build(database_url: str, *, reuse: bool = False) -> dict:
    """Migrate, load the demo, enroll the learner, collect static files; the URLs and a session cookie."""
    os.environ.update(environment(database_url))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from cms.demo import demo_setup
    from cms.models import User
    from courses.models import CoursePage, ModulePage
    from courses.services import enrollment_create

    started = time.perf_counter()
    if not reuse:
        call_command("migrate", "--noinput", verbosity=0)
        demo_setup(with_quizzes=not QUICK)
    if static_stale():
        call_command("collectstatic", "--noinput", verbosity=0)
    course = CoursePage.objects.live().get()
    module = ModulePage.objects.child_of(course).live().order_by("path").first()
    learner = User.objects.get(username="learner")
    enrollment_create(user=learner, course=course)
    client = Client()
    client.force_login(learner, backend="django.contrib.auth.backends.ModelBackend")
    return {
        "seconds": time.perf_counter() - started,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
        "course": course,
        "module": module,
        "pages": [
            # label, path, logged in, text the page must show
            ("minimal view", "/bench/minimal/", False, "ok"),
            ("learner floor", "/bench/learner-minimal/", True, f"ok {learner.pk}"),
            ("home", "/", False, course.title),
            ("course page", course.url, False, "Take this course"),
            ("course page (learner)", course.url, True, "Your progress"),
            ("module page (learner)", module.url, True, "lesson-body"),
            ("dashboard (learner)", "/dashboard/", True, module.title),
        ],
    }


def queries_per_page(info: dict) -> dict[str, int]:
    """Queries of each page with the cache warm (the second of two requests), in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cookie_name, _, value = info["cookie"].partition("=")
    counts = {}
    for label, path, logged_in, _text in info["pages"]:
        client = Client()
        if logged_in:
            client.cookies[cookie_name] = value
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        counts[label] = len(queries)
    return counts


def gunicorn_start(database_url: str) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "cms.wsgi:application",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{PORT}",
        "--pythonpath",
        f"{ROOT},{BENCH}",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=environment(database_url), cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"pages: gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{BASE}/bench/minimal/", timeout=2):
                return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    gunicorn_stop(process)
    raise SystemExit("pages: gunicorn did not answer within 60 s")


def gunicorn_stop(process: subprocess.Popen):
    if process.poll() is None:
        process.terminate()  # the arbiter stops its own workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def page_check(path: str, cookie: str | None, text: str) -> str:
    """One GET through gunicorn: '' when it answers 200 with `text`, else what went wrong."""
    request = urllib.request.Request(BASE + path, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode()
            if response.url != BASE + path:
                return f"redirected to {response.url}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    return "" if text in body else f"no {text!r} in the page"


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def wrk(binary: str, path: str, cookie: str | None, seconds: int) -> dict:
    command = [
        binary,
        "-t",
        "2",
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [BASE + path], capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if "50" not in percentiles or "99" not in percentiles:
        raise SystemExit(f"pages: unexpected wrk output for {path}:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(percentiles["50"]),
        "p99": _ms(percentiles["99"]),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(int(n) for n in socket.groups()) if socket else 0,
    }


def failures(run: dict) -> str:
    """What went wrong in a wrk run ('' when every request succeeded)."""
    problems = []
    if not run["requests"]:
        problems.append("no request completed")
    if run["bad"]:
        problems.append(f"{run['bad']} non-2xx/3xx")
    if run["socket_errors"]:
        problems.append(f"{run['socket_errors']} socket errors")
    return ", ".join(problems)


def target_note(label: str, run: dict, floors: dict) -> str:
    """The learner targets: >= 0.6x the learner floor, >= 0.25x the anonymous minimal view, p99 < 50 ms."""
    if not label.endswith("(learner)") or label.startswith("dashboard"):
        return ""
    met = (
        run["rps"] >= 0.6 * floors["learner floor"]
        and run["rps"] >= 0.25 * floors["minimal view"]
        and run["p99"] < 50
    )
    return f"target >= 0.6x learner floor, >= 0.25x minimal, p99 < 50 ms: {'met' if met else 'missed'}"


def main() -> int:
    binary = wrk_ensure()
    os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not os.environ["BENCH_DATABASE_URL"].startswith("postgres"):
        raise SystemExit("pages: BENCH_DATABASE_URL must name a PostgreSQL server")
    reuse = os.environ.get("BENCH_PAGES_DATABASE_URL", "")
    if reuse:  # a database kept by an earlier run with BENCH_KEEP=1: reused, never dropped
        database_url, cleanup = reuse, (lambda: None)
    else:
        database_url, cleanup = _throwaway.throwaway_database("bodywork_perf_pages")
        if os.environ.get("BENCH_KEEP"):
            print(f"pages: keeping the database: BENCH_PAGES_DATABASE_URL={database_url}")

            def cleanup():
                return None

    server = None
    try:
        redis_flush()
        info = build(database_url, reuse=bool(reuse))
        queries = queries_per_page(info)
        from django.db import connections

        connections.close_all()
        redis_flush()  # gunicorn starts cold; the session lives in the database
        server = gunicorn_start(database_url)
        pages = info["pages"]
        for label, path, logged_in, text in pages:
            problem = page_check(path, info["cookie"] if logged_in else None, text)
            if problem:
                print(f"pages: {label} ({path}): {problem}")
                return 1
        cache_state = "on" if os.environ.get("PAGE_CACHE_ENABLED", "true").lower() == "true" else "OFF"
        print(
            f"pages · page cache {cache_state} · PostgreSQL · gunicorn {WORKERS} sync workers · wrk {CONNECTIONS} connections · "
            f"{DURATION} s per page after {WARMUP} s warm-up · {os.cpu_count()} CPUs "
            f"(demo loaded in {info['seconds']:.0f} s)"
        )
        results = {}
        minimal = pages[:2]  # the anonymous minimal view and the learner floor, first and last: load drifts
        for label, path, logged_in, _text in [*pages, *minimal]:
            cookie = info["cookie"] if logged_in else None
            if WARMUP:
                wrk(binary, path, cookie, WARMUP)
            run = wrk(binary, path, cookie, DURATION)
            if not run["requests"]:  # a slow page on a busy machine: give it a longer window before failing
                run = wrk(binary, path, cookie, max(5, 5 * DURATION))
            results.setdefault(label, []).append(run)
        floors = {label: statistics.mean(r["rps"] for r in results[label]) for label, *_ in minimal}
        print(
            f"  {'page':<24}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'x minimal':>11}{'x learner':>11}"
            f"{'queries':>9}  notes"
        )
        failed = False
        for label, *_ in pages:
            for run in results[label]:
                problem = failures(run)
                failed = failed or bool(problem)
                notes = [note for note in (problem, target_note(label, run, floors)) if note]
                print(
                    f"  {label:<24}{run['rps']:>9.0f}{run['p50']:>9.1f}{run['p99']:>9.1f}"
                    f"{run['rps'] / floors['minimal view']:>10.2f}x{run['rps'] / floors['learner floor']:>10.2f}x"
                    f"{queries[label]:>9}  {'; '.join(notes)}"
                )
        if failed:
            print("pages: some requests failed (see notes)")
            return 1
        return 0
    finally:
        if server is not None:
            gunicorn_stop(server)
        try:
            redis_flush()
        finally:
            cleanup()


if __name__ == "__main__":
    sys.exit(main())
