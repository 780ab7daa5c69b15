"""Provider admins get add, change and view on question topics (quizzes.Topic, issue 14), as Instructors
have (quizzes/permissions.py); deleting a topic stays a superuser's. cms 0008 granted the Provider admins
list (cms/roles.py) before the Topic model existed, so these were missing. Idempotent and reversible
(removes exactly these three)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TOPIC_PERMISSIONS = ["add_topic", "change_topic", "view_topic"]
GROUP = "Provider admins"


def _permissions(apps):
    app_config = apps.get_app_config("quizzes")  # post_migrate has not created new models' permissions yet
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    return list(
        apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="quizzes", content_type__model="topic", codename__in=TOPIC_PERMISSIONS
        )
    )


def grant(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0011_course_approval_task"),
        ("quizzes", "0010_topic_references"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
