"""Instructors may upload and choose images and documents: Wagtail checks these per collection, so the
Instructors group gets add/change/choose on the root collection (which covers every child collection).

Idempotent (get_or_create) and reversible (removes exactly these rows)."""

from django.db import migrations

COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", "add_image"), ("wagtailimages", "image", "change_image"),
    ("wagtailimages", "image", "choose_image"),
    ("wagtaildocs", "document", "add_document"), ("wagtaildocs", "document", "change_document"),
    ("wagtaildocs", "document", "choose_document"),
]


def _rows(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    instructors = Group.objects.filter(name="Instructors").first()
    root = Collection.objects.filter(depth=1).order_by("path").first()
    if instructors is None or root is None:
        return None, None, []
    permissions = [
        Permission.objects.filter(content_type__app_label=app_label, content_type__model=model,
                                  codename=codename).first()
        for app_label, model, codename in COLLECTION_PERMISSIONS
    ]
    return instructors, root, [p for p in permissions if p is not None]


def grant(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    instructors, root, permissions = _rows(apps)
    for permission in permissions:
        GroupCollectionPermission.objects.get_or_create(group=instructors, collection=root, permission=permission)


def revoke(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    instructors, root, permissions = _rows(apps)
    if permissions:
        GroupCollectionPermission.objects.filter(
            group=instructors, collection=root, permission__in=permissions
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_roles"),
        ("wagtailcore", "0026_group_collection_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
