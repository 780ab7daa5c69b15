"""Publishing a course is moderated by Provider admins (cms/roles.py): the "Course moderation" workflow
on the catalogue, and instructors' course groups lose publish_page (they submit for moderation)."""

from django.db import migrations


def moderate(apps, schema_editor):
    from cms.roles import course_moderation_ensure

    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(
        group__name__startswith="Instructors of course #", permission__codename="publish_page"
    ).delete()
    catalogue = apps.get_model("courses", "CourseIndexPage").objects.order_by("path").first()
    if catalogue is not None:
        course_moderation_ensure(catalogue.pk, apps)


def unmoderate(apps, schema_editor):
    from cms.roles import COURSE_APPROVAL_TASK, COURSE_WORKFLOW

    apps.get_model("wagtailcore", "Workflow").objects.filter(name=COURSE_WORKFLOW).delete()
    apps.get_model("wagtailcore", "Task").objects.filter(name=COURSE_APPROVAL_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0009_media_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(moderate, unmoderate)]
