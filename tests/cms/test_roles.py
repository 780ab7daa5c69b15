"""The Provider admins role (cms/roles.py, cms/migrations/0008_provider_admins.py)."""

import importlib

from django.apps import apps
from django.contrib.auth.models import Group
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from cms.roles import (
    PROVIDER_ADMIN_COLLECTION_PERMISSIONS,
    PROVIDER_ADMIN_PAGE_PERMISSIONS,
    PROVIDER_ADMIN_PERMISSIONS,
    PROVIDER_ADMINS_GROUP,
)
from courses.permissions import sees_every_course
from tests.factories import ProviderAdminFactory

MIGRATION = importlib.import_module("cms.migrations.0008_provider_admins")


def _page_rows(catalogue):
    return sorted(
        GroupPagePermission.objects.filter(group__name=PROVIDER_ADMINS_GROUP, page=catalogue).values_list(
            "permission__codename", flat=True
        )
    )


def test_the_group_holds_every_listed_permission_and_the_catalogue(catalogue):
    group = Group.objects.get(name=PROVIDER_ADMINS_GROUP)
    held = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert held == set(PROVIDER_ADMIN_PERMISSIONS)
    assert _page_rows(catalogue) == sorted(PROVIDER_ADMIN_PAGE_PERMISSIONS)
    assert "bulk_delete_page" not in _page_rows(catalogue)
    held_on_collections = GroupCollectionPermission.objects.filter(group=group).values_list(
        "permission__content_type__app_label", "permission__codename"
    )
    assert set(held_on_collections) == set(PROVIDER_ADMIN_COLLECTION_PERMISSIONS)  # images, documents, media


def test_a_provider_admin_sees_every_course_but_is_no_superuser(catalogue):
    provider_admin = ProviderAdminFactory()
    assert sees_every_course(provider_admin)
    assert provider_admin.has_perm("courses.change_certificate")
    assert not provider_admin.is_superuser
    assert not provider_admin.has_perm("auth.change_user")
    assert not provider_admin.has_perm("wagtailcore.add_workflow")


def test_the_migration_is_idempotent_and_reversible(catalogue):
    group = Group.objects.get(name=PROVIDER_ADMINS_GROUP)
    before = group.permissions.count(), _page_rows(catalogue)
    MIGRATION.grant(apps, None)
    MIGRATION.grant(apps, None)
    assert (group.permissions.count(), _page_rows(catalogue)) == before
    instructors_rows = GroupPagePermission.objects.exclude(group=group).count()
    MIGRATION.revoke(apps, None)
    assert not Group.objects.filter(name=PROVIDER_ADMINS_GROUP).exists()
    assert not GroupPagePermission.objects.filter(group__name=PROVIDER_ADMINS_GROUP).exists()
    assert GroupPagePermission.objects.count() == instructors_rows  # nobody else's rows
    MIGRATION.grant(apps, None)
    assert _page_rows(catalogue) == sorted(PROVIDER_ADMIN_PAGE_PERMISSIONS)
