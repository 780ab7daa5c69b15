"""Instructors and Provider admins upload and choose lesson video and audio as they do images and
documents (0003_roles, 0004_instructor_collection_permissions, cms/roles.py): wagtailmedia checks "add"
and "change" per collection, on its own permission model (wagtailmedia.Media) whatever the media model
is. Each group gets them as model permissions and on the root collection (which covers every child).

Idempotent (get_or_create) and reversible (removes exactly these rows)."""

from django.db import migrations

MEDIA_PERMISSIONS = ["add_media", "change_media"]
GROUPS = ["Instructors", "Provider admins"]


def _rows(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    groups = list(Group.objects.filter(name__in=GROUPS))
    root = Collection.objects.filter(depth=1).order_by("path").first()
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="wagtailmedia",
            content_type__model="media",
            codename__in=MEDIA_PERMISSIONS,
        )
    )
    return groups, root, permissions


def grant(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    groups, root, permissions = _rows(apps)
    for group in groups:
        group.permissions.add(*permissions)
        if root is not None:
            for permission in permissions:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root, permission=permission
                )


def revoke(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    groups, root, permissions = _rows(apps)
    for group in groups:
        group.permissions.remove(*permissions)
    GroupCollectionPermission.objects.filter(group__in=groups, permission__in=permissions).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0008_provider_admins"),
        ("wagtailcore", "0026_group_collection_permission"),
        ("wagtailmedia", "0005_alter_media_options"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
