"""Instructors upload images and documents in the admin (cms/migrations/0004: root-collection permissions)."""

import importlib
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission

MIGRATION = importlib.import_module("cms.migrations.0004_instructor_collection_permissions")


def _png():
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), "#2f6f68").save(buffer, format="PNG")
    return buffer.getvalue()


def test_instructor_opens_the_image_upload_page_and_uploads_a_png(client, instructor):
    client.force_login(instructor)
    assert client.get(reverse("wagtailimages:add")).status_code == 200
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Psoas palpation",
            "file": SimpleUploadedFile("psoas.png", _png(), content_type="image/png"),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    image = get_image_model().objects.get(title="Psoas palpation")
    assert (image.width, image.height) == (40, 30)
    assert image.uploaded_by_user == instructor
    assert client.get(reverse("wagtailimages_chooser:choose")).status_code == 200


def test_instructor_uploads_a_document(client, instructor):
    client.force_login(instructor)
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Intake form",
            "file": SimpleUploadedFile(
                "intake.txt", b"Name, date of birth, medications", content_type="text/plain"
            ),
            "collection": Collection.get_first_root_node().pk,
        },
    )
    assert response.status_code == 302
    assert get_document_model().objects.filter(title="Intake form").exists()


def test_learners_still_cannot_upload_images(client, learner):
    client.force_login(learner)
    response = client.get(reverse("wagtailimages:add"))
    assert response.status_code in (302, 403)
    assert not get_image_model().objects.exists()


def test_the_migration_is_idempotent_and_reversible(db):
    from django.apps import apps

    codenames = sorted(codename for _, _, codename in MIGRATION.COLLECTION_PERMISSIONS)
    # this migration's rows (cms 0009 adds the media ones to the same group; they are not its business)
    rows = GroupCollectionPermission.objects.filter(
        group__name="Instructors", permission__codename__in=codenames
    )
    assert sorted(rows.values_list("permission__codename", flat=True)) == codenames
    MIGRATION.grant(apps, None)
    assert rows.count() == 6
    others = GroupCollectionPermission.objects.count() - rows.count()
    MIGRATION.revoke(apps, None)
    assert rows.count() == 0
    assert GroupCollectionPermission.objects.count() == others  # other groups' and migrations' rows untouched
    MIGRATION.grant(apps, None)
    assert rows.count() == 6


def test_without_the_permissions_an_instructor_cannot_upload(client, instructor):
    from django.apps import apps

    MIGRATION.revoke(apps, None)
    client.force_login(instructor)
    assert client.get(reverse("wagtailimages:add")).status_code in (302, 403)
    assert not get_image_model().objects.exists()
