from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_course_instructors"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="sweep_retries",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="How many times the sweep has retried it after a failure."
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="last_sweep_retry_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
