"""A real Celery worker in a subprocess, against a real Redis, for the integration test and the benchmark.

Redis: REDIS_URL's server (default 127.0.0.1:6379) with a database number of our own
(CERTIFICATE_TEST_REDIS_DB, default 11) and a queue name of our own, so concurrent runs never take
each other's tasks. When no Redis answers, a private redis-server is started on a free port. The worker sees the same database as the caller
(DATABASE_URL passed in) and the same private media directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = int(os.environ.get("CERTIFICATE_TEST_REDIS_DB", "11"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@contextmanager
def redis_url():
    """A Redis URL on a database of our own; starts a private redis-server if none answers.

    Nothing is flushed: runs sharing the database keep apart by their queue names (queue_name()).
    """
    configured = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    url = f"redis://{configured.netloc}/{REDIS_DB}"
    server = None
    if not _answers(url):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        port = _free_port()
        server = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/{REDIS_DB}"
        for _ in range(50):
            if _answers(url):
                break
            time.sleep(0.1)
    try:
        yield url
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)


def queue_name() -> str:
    """A queue of our own: concurrent test runs sharing a Redis database never take each other's tasks."""
    return f"certtest-{os.getpid()}-{uuid.uuid4().hex[:8]}"


@contextmanager
def celery_sender(url: str, queue: str = "celery", *, declare: bool = True):
    """Make this process send tasks to `url`, on `queue` (not eagerly) for the duration.

    The queue is declared first: on Redis a message published before any queue is bound to its
    exchange is dropped, so tasks sent while the worker is still starting would be lost.
    """
    from cms.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=url, task_default_queue=queue)
    _pools_reset(app)
    if declare:
        with app.connection_for_write() as connection:
            app.amqp.queues[queue].bind(connection.default_channel).declare()
    try:
        yield app
    finally:
        app.conf.update(saved)
        _pools_reset(app)


def _pools_reset(app):
    """Forget connections, producers and queue routing made for another broker or queue (cached per process)."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.amqp._rtable = None
    for cached in ("queues", "default_queue", "router"):
        app.amqp.__dict__.pop(cached, None)


def worker_start(
    *,
    broker: str,
    database_url: str,
    private_root: str,
    queue: str = "celery",
    concurrency: int = 1,
    settings: str = "cms.settings.test",
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "DATABASE_URL": database_url,
        "PRIVATE_MEDIA_ROOT": private_root,
        "PYTHONPATH": str(ROOT),
    }
    pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"--concurrency={concurrency}"]
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "cms",
        "worker",
        *pool,
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--loglevel={os.environ.get('CELERY_TEST_LOGLEVEL', 'WARNING')}",
        f"--hostname=certtest{os.getpid()}@%h",
    ]
    log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a chatty worker never blocks on it
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log = log
    return process


def worker_output(process: subprocess.Popen) -> str:
    process.log.seek(0)
    return process.log.read()


def worker_stop(process: subprocess.Popen) -> str:
    """Stop the worker (warm shutdown, then kill) and return what it printed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    output = worker_output(process)
    process.log.close()
    return output


def wait_for(
    predicate, *, timeout: float = 60, interval: float = 0.2, process: subprocess.Popen | None = None
):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the worker exited early:\n{worker_output(process)}")
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s")
