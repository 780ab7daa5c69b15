"""The Provider admins role (cms/roles.py): moderates courses, sees every course, keeps the provider's
details and course staff. Idempotent; reversing removes the group and its permission rows."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    from cms.roles import provider_admins_grant

    for app_config in apps.get_app_configs():  # post_migrate has not created new apps' permissions yet
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    provider_admins_grant(apps)


def revoke(apps, schema_editor):
    from cms.roles import PROVIDER_ADMINS_GROUP

    apps.get_model("auth", "Group").objects.filter(name=PROVIDER_ADMINS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0007_legal_name_rules"),
        ("courses", "0008_certificate_emailed_at"),
        ("quizzes", "0006_question_family_and_cognitive_level"),
        ("content", "0004_one_triage_scale"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
