"""A quiz is deleted with its module or course page when nobody has taken it (attempts stay PROTECTed)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0004_course_instructors'),
        ('quizzes', '0003_insight_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='quiz',
            name='course',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='quizzes', to='courses.coursepage'),
        ),
        migrations.AlterField(
            model_name='quiz',
            name='module',
            field=models.OneToOneField(blank=True, help_text="Leave empty for the course's final post-test.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='quiz', to='courses.modulepage'),
        ),
    ]
