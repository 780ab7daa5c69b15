from django.db import migrations

FIXED_TOPICS = {  # the four values topics were fixed to in code until now
    "attachments": "Attachments",
    "referred_pain": "Referred pain",
    "red_flags": "Red flags",
    "general": "General",
}


def topics_from_values(apps, schema_editor):
    """A row for each of the four fixed values and for any other value a question or rule holds, so
    no question loses its topic when the column becomes a reference (0010)."""
    Topic = apps.get_model("quizzes", "Topic")
    Question = apps.get_model("quizzes", "Question")
    QuizRule = apps.get_model("quizzes", "QuizRule")
    QuizRule.objects.filter(topic="").update(topic=None)
    in_use = set(Question.objects.values_list("topic", flat=True).distinct())
    in_use |= set(QuizRule.objects.exclude(topic=None).values_list("topic", flat=True).distinct())
    names = {**{slug: slug.replace("_", " ").capitalize() for slug in in_use}, **FIXED_TOPICS}
    for slug, name in names.items():
        Topic.objects.get_or_create(slug=slug, defaults={"name": name})

    from quizzes.permissions import instructor_quiz_permissions_grant  # noqa: PLC0415 - the historical apps

    instructor_quiz_permissions_grant(apps)


def rules_any_topic_back(apps, schema_editor):
    apps.get_model("quizzes", "QuizRule").objects.filter(topic=None).update(topic="")


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0008_topic"),
        ("cms", "0003_roles"),
    ]

    operations = [migrations.RunPython(topics_from_values, rules_any_topic_back)]
