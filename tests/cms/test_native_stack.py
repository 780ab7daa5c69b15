"""The docker-compose stack, run natively: CI has no Docker engine, so this starts the same processes.

From docker-compose.yml it takes the commands of `migrate`, `web` (gunicorn), `worker` and `beat` and
runs them with production settings (cms.settings.production) and the variables of .env.example, against
the local PostgreSQL (a throwaway database next to DATABASE_URL's, dropped afterwards: a copy of the
migrated template of tests/template_db.py, so the migrations, already proven on an empty PostgreSQL database
by that template, are not applied a second time; SQLite in a temp file when DATABASE_URL is not PostgreSQL) and Redis (a database number of its own, default 5, plus a
queue name and cache prefix of its own; a private redis-server when none answers). collectstatic runs as
the Dockerfile runs it, into a temp directory. Then, only over HTTP through gunicorn:

- /healthz/ (polled, bounded), and the compose healthcheck commands of web and worker, as written there;
- the home page and one of its hashed static files (WhiteNoise, manifest);
- the demo learner logs in, sees the dashboard and submits the course evaluation, the last requirement
  (tests/cms/native_stack_prepare.py did the rest): gunicorn's request queues the certificate on commit,
  the real worker renders it, and its PDF downloads through gunicorn from the private media the worker
  wrote; its public verification page answers;
- a certificate whose queue message was lost is issued by beat's sweep (CERTIFICATE_SWEEP_SECONDS=1).

The processes run in their own process groups and are always killed, even when the test fails; on a
failure their logs are printed.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
import redis
import yaml
from pypdf import PdfReader

from tests import template_db

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = int(os.environ.get("NATIVE_STACK_REDIS_DB", "5"))
PORTS = range(8100, 8120)  # tried first; any free port otherwise
PASSWORD = "native-stack-" + secrets.token_hex(6)

pytestmark = pytest.mark.native_stack


# --------------------------------------------------------------------------- the pieces


def compose_services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def env_example() -> dict[str, str]:
    """KEY=VALUE lines of .env.example, as docker-compose's env_file reads them (no quoting)."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value
    return values


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    for port in PORTS:
        if _port_free(port):
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def throwaway_database(tmp_path):
    """A new database for the stack, dropped afterwards (connections and all). On PostgreSQL a copy of the
    migrated template the test databases are copied from (tests/template_db.py: the same migrations,
    applied once), so compose's `migrate` finds everything applied; on SQLite an empty file."""
    configured = urlsplit(os.environ.get("DATABASE_URL", ""))
    if not configured.scheme.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'stack.sqlite3'}?transaction_mode=IMMEDIATE&timeout=30"
        return
    server = template_db.server_of_url(configured.geturl())
    name = template_db.database_copy(server, f"{server['name'] or 'bodywork'}_native_{os.getpid()}")
    try:
        yield urlunsplit(configured._replace(path=f"/{name}"))
    finally:
        template_db.database_drop(server, name)


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@contextmanager
def redis_database():
    configured = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    url = f"redis://{configured.netloc}/{REDIS_DB}"
    if _redis_answers(url):
        yield url
        return
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/{REDIS_DB}"
    try:
        wait_for(lambda: _redis_answers(url), timeout=10, what="the private redis-server")
        yield url
    finally:
        server.terminate()
        server.wait(10)


def wait_for(predicate, *, timeout: float, what: str, alive=lambda: None, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        alive()
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


class Processes:
    """Long-running processes, each in its own process group with its output in a file."""

    def __init__(self, directory: Path, env: dict):
        self.directory, self.env, self.running = directory, env, {}
        self.started, self.timings = time.monotonic(), []

    def mark(self, what: str) -> None:
        """Note how long the run has taken so far (printed with the logs)."""
        self.timings.append(f"{time.monotonic() - self.started:6.1f}s  {what}")

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.directory / f"{name}.log", "w")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        process.log = log
        self.running[name] = process
        return process

    def run(self, name: str, argv: list[str], timeout: float, extra_env: dict | None = None) -> str:
        result = subprocess.run(
            argv,
            cwd=ROOT,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        (self.directory / f"{name}.log").write_text(result.stdout + result.stderr)
        assert result.returncode == 0, f"{name} exited with {result.returncode}"
        return result.stdout

    def finish(self, name: str, timeout: float) -> None:
        process = self.running[name]
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{name} did not finish within {timeout:.0f}s") from None
        assert code == 0, f"{name} exited with {code}"
        del self.running[name]
        process.log.close()

    def alive(self) -> None:
        for name, process in self.running.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited early with {process.returncode}")

    def stop(self) -> None:
        for process in self.running.values():
            self._signal(process, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.running.values():
            with suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
        for process in self.running.values():
            self._signal(process, signal.SIGKILL)  # the group: gunicorn's and celery's children too
            process.wait(10)
            process.log.close()

    @staticmethod
    def _signal(process, sig):
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)

    def logs(self) -> str:
        parts = []
        for path in sorted(self.directory.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()
            parts.append(
                f"----- {path.stem} (last {min(len(lines), 150)} of {len(lines)} lines)\n"
                + "\n".join(lines[-150:])
            )
        return "\n".join(["----- timings", *self.timings, *parts])


class Browser:
    """Just enough of a browser over urllib: cookies, CSRF headers, no redirects followed.

    Requests come as from the TLS proxy docker-compose users put in front (X-Forwarded-Proto: https):
    production cookies are Secure, which is why the cookies are kept by hand.
    """

    def __init__(self, base: str):
        self.base, self.cookies = base, {}
        self.origin = "https://" + urlsplit(base).netloc
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, path: str, data: dict | None = None, *, timeout: float = 30):
        headers = {"X-Forwarded-Proto": "https", "User-Agent": "native-stack-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.origin,
                    "Referer": self.origin + path,
                }
            )
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        response.body = response.read()
        response.text = response.body.decode("utf-8", errors="replace")
        return response

    def get(self, path: str):
        return self.request(path)

    def post_form(self, path: str, fields: dict):
        """GET the form for its CSRF token, then POST it."""
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no CSRF token in {path}"
        return self.request(path, {"csrfmiddlewaretoken": token.group(1), **fields})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def query(database_url: str, sql: str, params: tuple = ()) -> list[tuple]:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(urlsplit(database_url).path, timeout=30) as connection:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute(sql, params).fetchall()


def certificate_of(database_url: str, username: str) -> tuple[str, str] | None:
    rows = query(
        database_url,
        "SELECT c.code, c.status FROM courses_certificate c "
        "JOIN courses_enrollment e ON e.id = c.enrollment_id "
        "JOIN cms_user u ON u.id = e.user_id WHERE u.username = %s",
        (username,),
    )
    return rows[0] if rows else None


def events_of(database_url: str, code: str) -> list[str]:
    rows = query(
        database_url,
        "SELECT v.action FROM courses_certificateevent v "
        "JOIN courses_certificate c ON c.id = v.certificate_id WHERE c.code = %s "
        "ORDER BY v.id",
        (code,),
    )
    return [action for (action,) in rows]


def native(command: list[str], **replace: str) -> list[str]:
    """A compose command as run here: the same argv, with the given values swapped."""
    missing = sorted(set(replace) - set(command))
    assert not missing, f"docker-compose.yml changed: {missing} not in {command}"
    return [replace.get(part, part) for part in command]


# --------------------------------------------------------------------------- the test


@pytest.fixture
def stack(tmp_path):
    with throwaway_database(tmp_path) as database_url, redis_database() as redis_url:
        run = uuid.uuid4().hex[:8]
        queue, cache_prefix = f"native-stack-{run}", f"native-stack-{run}"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
        }
        env.update(env_example())
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "cms.settings.production",
                "PYTHONPATH": str(ROOT),
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
                "WAGTAILADMIN_BASE_URL": f"https://127.0.0.1:{port}",
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "CELERY_BROKER_URL": redis_url,  # one database here: queue and cache keys are apart by name
                "CELERY_QUEUE": queue,
                "CACHE_KEY_PREFIX": cache_prefix,
                "CERTIFICATE_SWEEP_SECONDS": "1",
                "MEDIA_ROOT": str(tmp_path / "media"),
                "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
                "STATIC_ROOT": str(tmp_path / "static"),
                "DEMO_PASSWORD": PASSWORD,
                "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
                "WEB_CONCURRENCY": "2",
            }
        )
        logs = tmp_path / "logs"
        logs.mkdir()
        processes = Processes(logs, env)
        try:
            yield {
                "processes": processes,
                "env": env,
                "database_url": database_url,
                "redis_url": redis_url,
                "queue": queue,
                "base": base,
                "port": port,
                "tmp": tmp_path,
                "node": f"native{run}",
            }
        finally:
            processes.stop()
            print(processes.logs())  # pytest shows it only when the test failed
            broker = redis.Redis.from_url(redis_url)
            leftovers = [queue, f"_kombu.binding.{queue}", *broker.scan_iter(f"*{cache_prefix}*")]
            broker.delete(*leftovers)
            shutil.rmtree(
                tmp_path / "static", ignore_errors=True
            )  # 40 MB; pytest keeps the last runs' tmp dirs


def test_native_stack_serves_the_site_and_issues_certificates_through_the_worker(stack):
    services = compose_services()
    processes, database_url, base = stack["processes"], stack["database_url"], stack["base"]
    alive = processes.alive

    # The image's build step and compose's one-off migrate step, side by side (they are independent).
    processes.start("collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput"])
    processes.start("migrate", services["migrate"]["command"])
    processes.finish("migrate", timeout=300)
    processes.mark("migrate and setup_demo done")
    prepared = json.loads(
        processes.run("prepare", [sys.executable, "-m", "tests.cms.native_stack_prepare"], timeout=180)
        .strip()
        .splitlines()[-1]
    )
    processes.mark("learner data prepared")
    processes.finish("collectstatic", timeout=300)
    processes.mark("collectstatic done")
    assert (stack["tmp"] / "static" / "staticfiles.json").exists()

    node = stack["node"]
    processes.start("worker", [*services["worker"]["command"], "--hostname", f"celery@{node}"])
    processes.start(
        "beat",
        native(
            services["beat"]["command"],
            **{"/tmp/celerybeat-schedule": str(stack["tmp"] / "celerybeat-schedule")},
        ),
    )
    processes.start(
        "web", native(services["web"]["command"], **{"0.0.0.0:8000": f"127.0.0.1:{stack['port']}"})
    )

    browser = Browser(base)

    def healthy():
        try:
            return browser.get("/healthz/").status == 200
        except OSError:  # not listening yet
            return False

    wait_for(healthy, timeout=90, what="gunicorn's /healthz/", alive=alive)
    processes.mark("gunicorn healthy")
    # docker-compose's own healthcheck command for web, pointed at this port.
    check = services["web"]["healthcheck"]["test"]
    assert check[:2] == ["CMD", "python"]
    assert ":8000/" in check[-1]
    processes.run(
        "web-healthcheck",
        [sys.executable, *check[2:-1], check[-1].replace(":8000/", f":{stack['port']}/")],
        timeout=30,
    )

    # Home page, and a hashed static file from the manifest served by WhiteNoise.
    home = browser.get("/")
    assert home.status == 200 and "Bodywork CE" in home.text
    assert home.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "script-src 'self'" in home.headers["Content-Security-Policy"]
    static = re.search(r'(?:href|src)="(/static/[^"]+\.[0-9a-f]{12}\.(?:css|js))"', home.text)
    assert static, "no hashed static file on the home page"
    asset = browser.get(html.unescape(static.group(1)))
    assert asset.status == 200 and asset.headers["Cache-Control"].startswith("max-age=")

    # Log-in.
    refused = browser.post_form("/accounts/login/", {"login": "learner", "password": "wrong"})
    assert refused.status == 200 and "sessionid" not in browser.cookies
    logged_in = browser.post_form("/accounts/login/", {"login": "learner", "password": PASSWORD})
    assert logged_in.status == 302 and urlsplit(logged_in.headers["Location"]).path == "/dashboard/"
    assert "sessionid" in browser.cookies
    dashboard = browser.get("/dashboard/")
    assert dashboard.status == 200 and "Massage for Low Back Pain" in dashboard.text

    # The worker must have bound its queue before gunicorn sends to it (Redis drops unrouted messages).
    broker = redis.Redis.from_url(stack["redis_url"])
    wait_for(
        lambda: broker.exists(f"_kombu.binding.{stack['queue']}"),
        timeout=90,
        what="the worker's queue",
        alive=alive,
    )

    # The last requirement over HTTP: gunicorn creates the certificate and queues it; the worker renders it.
    ratings = dict.fromkeys(prepared["rating_fields"], "5")
    submitted = browser.post_form(
        f"/courses/{prepared['course_id']}/evaluation/",
        {**ratings, "comments": "Smoke test through gunicorn."},
    )
    assert submitted.status == 302 and urlsplit(submitted.headers["Location"]).path == "/dashboard/"
    processes.mark("evaluation submitted")
    code, _ = certificate_of(database_url, "learner")
    wait_for(
        lambda: certificate_of(database_url, "learner")[1] == "issued",
        timeout=90,
        what="the worker to issue the learner's certificate",
        alive=alive,
    )

    processes.mark("learner's certificate issued by the worker")
    download = browser.get(f"/certificates/{code}/download/")
    assert download.status == 200, download.status
    assert download.headers["Content-Type"] == "application/pdf" and download.body.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(download.body)).pages)
    assert prepared["learner_name"] in text and code in text
    assert list((stack["tmp"] / "private").rglob("*.pdf")), "the PDF is not in PRIVATE_MEDIA_ROOT"
    assert f"/certificates/{code}/download/" in browser.get("/dashboard/").text

    anonymous = Browser(base)
    assert anonymous.get(f"/certificates/{code}/download/").status == 302  # to the log-in page
    verification = anonymous.get(f"/certificates/verify/{code}/")
    assert verification.status == 200 and prepared["learner_name"] in verification.text

    # The certificate whose message was lost: only beat's sweep can have queued it again.
    lost = prepared["lost_code"]
    wait_for(
        lambda: certificate_of(database_url, "sweep-learner")[1] == "issued",
        timeout=90,
        what="beat's sweep and the worker to issue the lost certificate",
        alive=alive,
    )
    processes.mark("lost certificate issued after beat's sweep")
    events = events_of(database_url, lost)
    # Sweeps that beat sent while the worker was starting may run side by side and both re-queue it;
    # the duplicate is harmless (issued once).
    assert events[0] == "created" and events.count("issued") == 1, events
    assert "requeued" in events and events.index("requeued") < events.index("issued"), events
    assert anonymous.get(f"/certificates/verify/{lost}/").status == 200
    wait_for(
        lambda: "emailed" in events_of(database_url, code),
        timeout=30,
        what="the certificate e-mail",
        alive=alive,
    )
    assert "learner@example.com" in (processes.directory / "worker.log").read_text()

    # docker-compose's healthcheck for the worker (`celery inspect ping` to this node).
    worker_check = services["worker"]["healthcheck"]["test"]
    assert worker_check[0] == "CMD-SHELL"
    processes.run(
        "worker-healthcheck",
        ["sh", "-c", worker_check[1].replace("$$", "$")],
        timeout=60,
        extra_env={"HOSTNAME": node},
    )
    alive()
    processes.mark("worker healthcheck answered")
    _password_restricted_page_stays_restricted(processes, base)
    processes.mark("a password-restricted page is never served from the page cache; done")


def _password_restricted_page_stays_restricted(processes, base):
    """The leak of issue 10: a page cached while public, then given a password. Visitor A enters the
    password and reloads; visitor B, with no cookies, must get the password form every time."""
    catalogue = "/courses/"
    public = Browser(base)
    public.get(catalogue)
    assert public.get(catalogue).headers.get("X-Page-Cache") == "hit"  # stored while public
    restricted = json.loads(
        processes.run(
            "restrict",
            [sys.executable, "-m", "tests.cms.native_stack_prepare", "restrict", "open-sesame"],
            timeout=120,
        )
        .strip()
        .splitlines()[-1]
    )
    assert restricted["path"] == catalogue, restricted

    visitor_a = Browser(base)
    form = visitor_a.get(catalogue)
    assert form.status == 200 and "Password required" in form.text, form.text[:300]
    action = html.unescape(re.search(r'<form action="([^"]+)" method="POST"', form.text).group(1))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    entered = visitor_a.request(
        action, {"csrfmiddlewaretoken": token, "password": "open-sesame", "return_url": catalogue}
    )
    assert entered.status == 302, entered.status
    for _ in range(2):  # visitor A reads the page, and reloads it
        page = visitor_a.get(catalogue)
        assert page.status == 200 and "Password required" not in page.text
        assert page.headers.get("X-Page-Cache") != "hit"

    for _ in range(3):
        visitor_b = Browser(base)
        page = visitor_b.get(catalogue)
        assert page.status == 200 and "Password required" in page.text
        assert page.headers.get("X-Page-Cache") != "hit"
