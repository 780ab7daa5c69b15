"""The Course moderation task becomes a courses.CourseApprovalTask (courses/approval_task.py), which
refuses to approve a course without approved CE hours or a provider number. Converted in place
(cms.roles.course_approval_task_convert): the same task row, so the workflow, task states in progress and
their history stay. Reversible (back to Wagtail's GroupApprovalTask)."""

from django.db import migrations


def convert(apps, schema_editor):
    from cms.roles import course_approval_task_convert

    course_approval_task_convert(apps, to_model=apps.get_model("courses", "CourseApprovalTask"))


def convert_back(apps, schema_editor):
    from cms.roles import course_approval_task_convert

    course_approval_task_convert(apps, to_model=apps.get_model("wagtailcore", "GroupApprovalTask"))


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0010_course_moderation"),
        ("courses", "0014_course_approval_task"),
    ]

    operations = [migrations.RunPython(convert, convert_back)]
