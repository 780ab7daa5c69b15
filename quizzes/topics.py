"""Question topics: data an instructor can extend in the admin (Quizzes → Topics), not code.

Questions and blueprint rules point at a topic by its slug (`Question.topic_id` is the slug), so the
draw (quizzes.blueprint) keeps working on plain strings and generated questions name their topic in
code. The four topics the question generators use exist from the start (migration 0009) and are
created again by `topics_ensure` wherever questions are generated, in case a test emptied the table.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel

BUILT_IN_TOPICS = {  # slug -> name: what the question generators use
    "attachments": "Attachments",
    "referred_pain": "Referred pain",
    "red_flags": "Red flags",
    "general": "General",
}


class Topic(models.Model):
    ATTACHMENTS = "attachments"
    REFERRED_PAIN = "referred_pain"
    RED_FLAGS = "red_flags"
    GENERAL = "general"

    name = models.CharField(max_length=80, unique=True, help_text="As instructors and learners read it.")
    slug = models.SlugField(
        max_length=50,
        unique=True,
        editable=False,
        help_text="Made from the name when the topic is created; questions and rules refer to it, so it never changes.",
    )
    description = models.TextField(blank=True, help_text="What belongs under this topic (for instructors).")

    panels = [FieldPanel("name"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name).replace("-", "_")[:50]
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not self.slug:
            slug = slugify(self.name).replace("-", "_")[:50]
            if not slug:
                raise ValidationError({"name": "Give the topic a name with letters or digits."})
            if Topic.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                raise ValidationError({"name": "A topic with a name this close already exists."})
            self.slug = slug


def topics_ensure(slugs=()) -> None:
    """The built-in topics and these slugs exist (one query, whatever is there)."""
    wanted = {**{slug: slug.replace("_", " ").capitalize() for slug in slugs}, **BUILT_IN_TOPICS}
    Topic.objects.bulk_create(
        [Topic(slug=slug, name=name) for slug, name in wanted.items()], ignore_conflicts=True
    )


def topic_names() -> dict[str, str]:
    """{slug: name} of every topic (one query)."""
    return dict(Topic.objects.values_list("slug", "name"))
