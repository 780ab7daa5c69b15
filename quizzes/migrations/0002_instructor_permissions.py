"""Instructors manage the question bank and the quizzes."""

from django.db import migrations


def grant(apps, schema_editor):
    from quizzes.permissions import instructor_quiz_permissions_grant

    instructor_quiz_permissions_grant(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("cms", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
