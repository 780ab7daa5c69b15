from django.db import migrations, models


class Migration(migrations.Migration):
    """Topics become rows (issue 14). Three steps, each its own transaction on PostgreSQL (an ALTER
    TABLE may not follow updates of the same table in one): the table, then the rows, then the
    references (0010)."""

    dependencies = [
        ("quizzes", "0007_critical_help_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="Topic",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="As instructors and learners read it.", max_length=80, unique=True
                    ),
                ),
                (
                    "slug",
                    models.SlugField(
                        editable=False,
                        help_text="Made from the name when the topic is created; questions and rules refer to it, so it never changes.",
                        unique=True,
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True, help_text="What belongs under this topic (for instructors)."
                    ),
                ),
            ],
            options={"ordering": ["name"]},
        ),
        # A rule for any topic said "" and will say NULL (no topic row is called "").
        migrations.AlterField(
            model_name="quizrule",
            name="topic",
            field=models.CharField(
                blank=True,
                null=True,
                max_length=20,
                choices=[
                    ("attachments", "Attachments"),
                    ("referred_pain", "Referred pain"),
                    ("red_flags", "Red flags"),
                    ("general", "General"),
                ],
                help_text="Empty = any topic.",
            ),
        ),
    ]
