"""Instructors read the course records: roster, evaluations and certificates."""

from django.db import migrations


def grant(apps, schema_editor):
    from courses.roster import records_permissions_grant

    records_permissions_grant(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_completion_certificates"),
        ("cms", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
