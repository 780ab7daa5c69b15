"""Two imports of the same file at once, on two real connections (PostgreSQL only).

A transactional test empties the database when it ends: `make test` runs it after the others, on one
process (the "serial" marker, set by tests/conftest.py).
"""

import os
import threading
from pathlib import Path

import pytest
from django.db import connection

from content.models import SourceArticle
from courses.article_import import CREATED, UNCHANGED, article_import
from courses.models import ModulePage
from tests.factories import wagtail_base_ensure

ARTICLE = Path(__file__).parent.parent / "content" / "articles" / "001_b926f76fb498bbb7.txt"


@pytest.fixture
def wagtail_base(transactional_db):
    wagtail_base_ensure()  # a transactional test before this one may have flushed the root page


@pytest.mark.skipif(
    "postgres" not in (os.environ.get("DATABASE_URL") or ""),
    reason="needs concurrent connections: the in-memory SQLite test database locks whole tables instead",
)
@pytest.mark.django_db(transaction=True)
def test_two_threads_importing_the_same_file_make_one_draft(wagtail_base, course):
    """Real concurrency: two connections import the same file together; both succeed, one module results."""
    raw = ARTICLE.read_bytes()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(article_import(raw=raw, file_name=ARTICLE.name, course=course).status)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(results) == [CREATED, UNCHANGED]
    assert ModulePage.objects.count() == 1 and SourceArticle.objects.count() == 1
