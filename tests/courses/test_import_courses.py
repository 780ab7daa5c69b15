"""The import form offers an instructor only the courses they may add modules to (their assigned ones)."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from content.models import SourceArticle
from courses.models import ModulePage
from tests.factories import UserFactory, course_create

ARTICLE = Path(__file__).parent.parent / "content" / "articles" / "hard_wrapped.txt"
IMPORT_URL = reverse("content_article_import")


def _upload():
    return SimpleUploadedFile(ARTICLE.name, ARTICLE.read_bytes(), content_type="text/plain")


def test_an_instructor_is_offered_only_their_courses(client, catalogue, course, assigned_instructor):
    other = course_create(catalogue, title="Neck and Shoulders", slug="neck-and-shoulders")
    client.force_login(assigned_instructor)
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert list(response.context["form"].fields["course"].queryset) == [course]
    html = response.content.decode()
    assert course.title in html and other.title not in html

    refused = client.post(IMPORT_URL, {"course": other.pk, "file": _upload()})
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.context["form"].errors["course"][0]
    assert not ModulePage.objects.exists() and not SourceArticle.objects.exists()

    assert client.post(IMPORT_URL, {"course": course.pk, "file": _upload()}).status_code == 302
    assert ModulePage.objects.get().get_parent().pk == course.pk


def test_an_unassigned_instructor_is_offered_none(client, course, instructor):
    client.force_login(instructor)
    response = client.get(IMPORT_URL)
    assert response.status_code == 200
    assert not response.context["form"].fields["course"].queryset.exists()


def test_a_superuser_is_offered_every_course(client, catalogue, course):
    other = course_create(catalogue, title="Neck and Shoulders", slug="neck-and-shoulders")
    client.force_login(UserFactory(is_superuser=True, groups=[]))
    queryset = client.get(IMPORT_URL).context["form"].fields["course"].queryset
    assert list(queryset) == [course, other]
