"""/readyz/ reports the database, the cache and the broker separately (200 when all answer, else 503),
quickly even when a service hangs; /healthz/ stays liveness and answers 200 whatever Redis does."""

from __future__ import annotations

import socket

import pytest
from django.core.cache import caches

from cms import readiness
from tests.cms.production_settings import closed_port, production_settings
from tests.courses.celery_worker import celery_sender

pytestmark = pytest.mark.django_db


def test_all_services_answer(client):
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_redis_down_is_not_ready_but_alive(client, settings, caplog):
    port = closed_port()
    production = production_settings(REDIS_URL=f"redis://127.0.0.1:{port}/0")
    settings.CACHES = production.CACHES
    with celery_sender(production.CELERY_BROKER_URL, declare=False):
        response = client.get("/readyz/")
        assert client.get("/healthz/").status_code == 200
    assert response.status_code == 503
    report = response.json()
    assert report["database"] == "ok"
    # The public answer names the kind of failure; where (host, port) and why go to the log only.
    assert report["cache"] == "ConnectionError" and str(port) not in response.content.decode()
    assert report["broker"] not in ("ok", "") and not report["broker"].startswith("no answer"), report
    logged = caplog.text.lower()
    assert str(port) in logged and "refused" in logged


@pytest.fixture
def silent_server():
    """Accepts connections and never answers: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


def test_a_hung_broker_is_reported_within_the_check_timeout(client, silent_server):
    with celery_sender(f"redis://127.0.0.1:{silent_server}/1", declare=False):
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["broker"] == f"no answer within {readiness.CHECK_SECONDS:g} s"
    assert response.json()["cache"] == "ok" and response.json()["database"] == "ok"


def test_the_cache_check_reads_back_what_it_wrote(client, settings, monkeypatch):
    monkeypatch.setattr(type(caches["default"]), "get", lambda self, key, default=None, version=None: None)
    response = client.get("/readyz/")
    assert response.status_code == 503 and response.json()["cache"] == "RuntimeError"
