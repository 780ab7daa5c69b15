"""Two imports of the same file at once: the loser of the race finds the winner's draft (no IntegrityError, no 500)."""

from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from content.importer import ArticleError
from content.models import SourceArticle
from courses import article_import as service
from courses.article_import import CREATED, UNCHANGED, article_import
from courses.models import ModulePage
from tests.factories import UserFactory

ARTICLE = Path(__file__).parent.parent / "content" / "articles" / "001_b926f76fb498bbb7.txt"
IMPORT_URL = reverse("content_article_import")


def _stale_lookup(misses):
    """The file's row as the losing request saw it before the winner committed: missing, `misses` times."""
    real = service._source_for_update
    calls = {"n": 0}

    def lookup(course, file_name):
        calls["n"] += 1
        return None if calls["n"] <= misses else real(course, file_name)

    return lookup


def test_the_loser_of_a_race_retries_and_finds_the_draft(course):
    raw = ARTICLE.read_bytes()
    first = article_import(raw=raw, file_name=ARTICLE.name, course=course)
    assert first.status == CREATED
    with mock.patch.object(service, "_source_for_update", side_effect=_stale_lookup(1)) as lookup:
        second = article_import(raw=raw, file_name=ARTICLE.name, course=course)
    assert lookup.call_count == 2  # the stale try hit the unique constraint and was rolled back
    assert second.status == UNCHANGED and second.module.pk == first.module.pk
    assert ModulePage.objects.count() == 1 and SourceArticle.objects.count() == 1


def test_a_race_that_keeps_failing_is_a_clear_message_not_an_integrity_error(course):
    raw = ARTICLE.read_bytes()
    article_import(raw=raw, file_name=ARTICLE.name, course=course)
    with mock.patch.object(service, "_source_for_update", return_value=None):
        with pytest.raises(ArticleError, match="saved at the same time"):
            article_import(raw=raw, file_name=ARTICLE.name, course=course)
    assert ModulePage.objects.count() == 1 and SourceArticle.objects.count() == 1


def test_the_admin_view_shows_the_message_instead_of_a_500(client, course):
    admin = UserFactory(is_superuser=True, groups=[])
    client.force_login(admin)
    upload = lambda: SimpleUploadedFile(ARTICLE.name, ARTICLE.read_bytes(), content_type="text/plain")  # noqa: E731
    assert client.post(IMPORT_URL, {"course": course.pk, "file": upload()}).status_code == 302
    with mock.patch.object(service, "_source_for_update", return_value=None):
        response = client.post(IMPORT_URL, {"course": course.pk, "file": upload()})
    assert response.status_code == 200
    assert "saved at the same time" in response.content.decode()
    assert ModulePage.objects.count() == 1
