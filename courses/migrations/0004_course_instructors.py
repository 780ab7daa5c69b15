"""Instructors are assigned to courses (CourseInstructor); the Instructors group loses page
permissions on the whole catalogue: each course's own group ("Instructors of course #<id>",
kept by courses.services.course_staff_sync) holds them for that course only. Nobody is assigned
here: a provider assigns instructors in the admin (setup_demo assigns the demo instructor)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def catalogue_permissions_revoke(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(group__name="Instructors").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0003_records_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('cms', '0003_roles'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.CreateModel(
            name='CourseInstructor',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('added_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='instructor_assignments', to='courses.coursepage')),
                ('user', models.ForeignKey(help_text='A member of the Instructors group.', limit_choices_to={'groups__name': 'Instructors'}, on_delete=django.db.models.deletion.CASCADE, related_name='course_assignments', to=settings.AUTH_USER_MODEL, verbose_name='instructor')),
            ],
            options={
                'verbose_name': 'course instructor',
                'permissions': [('view_all_records', 'Can see the records and item analysis of every course (provider-wide)')],
                'constraints': [models.UniqueConstraint(fields=('course', 'user'), name='one_assignment_per_course_and_user')],
            },
        ),
        migrations.RunPython(catalogue_permissions_revoke, migrations.RunPython.noop),
    ]
