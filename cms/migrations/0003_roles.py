"""The two roles: Learners never reach the admin; Instructors edit the course tree and the knowledge base."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

INSTRUCTOR_PERMISSIONS = [
    ("wagtailadmin", "admin", "access_admin"),
    ("content", "muscle", "add_muscle"), ("content", "muscle", "change_muscle"),
    ("content", "muscle", "delete_muscle"), ("content", "muscle", "view_muscle"),
    ("content", "redflag", "add_redflag"), ("content", "redflag", "change_redflag"),
    ("content", "redflag", "delete_redflag"), ("content", "redflag", "view_redflag"),
    ("content", "bodyzone", "add_bodyzone"), ("content", "bodyzone", "change_bodyzone"),
    ("content", "bodyzone", "view_bodyzone"),
    ("content", "sourcearticle", "add_sourcearticle"), ("content", "sourcearticle", "change_sourcearticle"),
    ("content", "sourcearticle", "view_sourcearticle"),
    ("courses", "provider", "view_provider"),
    ("wagtailimages", "image", "add_image"), ("wagtailimages", "image", "change_image"),
    ("wagtailimages", "image", "choose_image"),
    ("wagtaildocs", "document", "add_document"), ("wagtaildocs", "document", "change_document"),
    ("wagtaildocs", "document", "choose_document"),
]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get_or_create(name="Learners")
    instructors, _ = Group.objects.get_or_create(name="Instructors")
    for app_label, model, codename in INSTRUCTOR_PERMISSIONS:
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission:
            instructors.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Learners", "Instructors"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_homepage"),
        ("content", "0002_initial"),
        ("courses", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
