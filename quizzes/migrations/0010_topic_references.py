import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Questions and rules point at their topic's row by its slug: the column keeps its values."""

    dependencies = [
        ("quizzes", "0009_topic_rows"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="question",
            options={"ordering": ["topic_id", "pk"]},
        ),
        migrations.AlterField(
            model_name="question",
            name="topic",
            field=models.ForeignKey(
                db_column="topic",
                default="general",
                help_text="What the quiz rules draw by; add topics under Quizzes → Topics.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="questions",
                to="quizzes.topic",
                to_field="slug",
            ),
        ),
        migrations.AlterField(
            model_name="quizrule",
            name="topic",
            field=models.ForeignKey(
                blank=True,
                db_column="topic",
                help_text="Empty = any topic.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="quizzes.topic",
                to_field="slug",
            ),
        ),
    ]
