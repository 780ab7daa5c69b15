"""Readiness: /readyz/ says whether each service the site uses answers, separately, for a load balancer or
a monitor. /healthz/ (cms/views.py) stays the cheap liveness check: the site serves pages without Redis
(the cache is best-effort, sessions are in the database, certificates wait for the sweep), so a Redis
outage makes it not ready here but never unhealthy there, and nothing restarts it for that.

    {"database": "ok", "cache": "ok", "broker": "ok"}   200
    {"database": "ok", "cache": "ConnectionError", "broker": "OperationalError"}   503

The answer is public, so a failure is named by its kind only; the message (host names, ports) goes to the
log. Each check has CHECK_SECONDS to answer; all run side by side, so the whole answer takes about that at most.
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor, wait

from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app

CHECK_SECONDS = 2.0

log = logging.getLogger(__name__)


def _database() -> None:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # a connection opened on a check thread is closed on it


def _cache() -> None:
    cache = caches["default"]
    client = getattr(getattr(cache, "client", None), "get_client", None)
    if client is not None:  # django-redis: a real round trip (its reads and writes never raise)
        client(write=True).ping()
        return
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def _broker() -> None:
    with app.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_max=0.2, timeout=CHECK_SECONDS)
        client = getattr(connection.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):  # Redis connects lazily: ask it something
            client.ping()


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def _outcome(name: str, future) -> str:
    if not future.done():
        log.warning("Readiness: %s gave no answer within %s s", name, CHECK_SECONDS)
        return f"no answer within {CHECK_SECONDS:g} s"
    error = future.exception()
    if error is None:
        return "ok"
    log.warning("Readiness: %s failed: %s: %s", name, type(error).__name__, error)
    return type(error).__name__


@never_cache
def readyz(request):
    executor = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")
    try:
        futures = {name: executor.submit(check) for name, check in CHECKS.items()}
        wait(futures.values(), timeout=CHECK_SECONDS)
        report = {name: _outcome(name, future) for name, future in futures.items()}
    finally:
        executor.shutdown(wait=False, cancel_futures=True)  # a hung check never holds the response
    ready = all(outcome == "ok" for outcome in report.values())
    return JsonResponse(report, status=200 if ready else 503)
