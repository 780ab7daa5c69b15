"""The Instructors group as the data migrations leave it, for the browser journeys: they run on
transactional_db, whose flush after another test empties what the migrations gave the group."""

import importlib

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection


def instructors_group_ready():
    """Give the Instructors group what the data migrations give it (cms 0003 and 0004, quizzes 0002,
    courses 0003)."""
    from courses.roster import records_permissions_grant
    from quizzes.permissions import instructor_quiz_permissions_grant

    group = Group.objects.get(name="Instructors")
    for app_label, _, codename in importlib.import_module("cms.migrations.0003_roles").INSTRUCTOR_PERMISSIONS:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    instructor_quiz_permissions_grant()
    records_permissions_grant()
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    importlib.import_module("cms.migrations.0004_instructor_collection_permissions").grant(django_apps, None)
