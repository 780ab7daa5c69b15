import math

from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.blocks import CharBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import ModuleBodyBlock

WORDS_PER_MINUTE = 200  # NCBTMB home-study guidance: 12,000 words = 1 CE hour
WORDS_PER_CE_HOUR = WORDS_PER_MINUTE * 60


def reading_minutes_for(words: int) -> int:
    """Minutes to read `words` at WORDS_PER_MINUTE, rounded up; 0 only for an empty text."""
    return max(1, math.ceil(words / WORDS_PER_MINUTE)) if words else 0


class Provider(models.Model):
    """The approved CE provider whose details every certificate prints."""

    name = models.CharField(max_length=200)
    ncbtmb_provider_number = models.CharField("NCBTMB approved-provider number", max_length=40)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    website = models.URLField(blank=True)
    signatory_name = models.CharField(max_length=200)
    signatory_title = models.CharField(max_length=200)
    signature = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [
        FieldPanel("name"), FieldPanel("ncbtmb_provider_number"),
        MultiFieldPanel([FieldPanel("email"), FieldPanel("phone"), FieldPanel("address"),
                         FieldPanel("website")], heading="Contact"),
        MultiFieldPanel([FieldPanel("signatory_name"), FieldPanel("signatory_title"),
                         FieldPanel("signature")], heading="Signatory"),
    ]

    def __str__(self):
        return f"{self.name} (NCBTMB #{self.ncbtmb_provider_number})"


class CourseIndexPage(Page):
    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_cards

        context = super().get_context(request, *args, **kwargs)
        context["course_cards"] = course_cards(user=request.user)
        return context


class CourseType(models.TextChoices):
    HOME_STUDY = "home_study", "Home Study"
    LIVE = "live", "Live / in person"


class CoursePage(Page):
    approved_title = models.CharField(
        max_length=255, help_text="The course title exactly as approved; printed on certificates."
    )
    summary = models.TextField(blank=True)
    description = RichTextField(blank=True)
    course_type = models.CharField(max_length=20, choices=CourseType.choices, default=CourseType.HOME_STUDY)
    ce_hours = models.DecimalField("approved CE hours", max_digits=4, decimal_places=2)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses")
    pass_mark = models.PositiveSmallIntegerField(default=80, help_text="Percent needed to pass the post-test.")
    learning_objectives = StreamField([("objective", CharBlock(max_length=300))], blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    content_panels = Page.content_panels + [
        HelpPanel(template="courses/admin/ce_hours_check.html", heading="CE hours check"),
        FieldPanel("approved_title"),
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("course_type"), FieldPanel("ce_hours"), FieldPanel("provider"),
                         FieldPanel("pass_mark")], heading="Approval"),
        FieldPanel("learning_objectives"),
        FieldPanel("hero_image"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_outline

        context = super().get_context(request, *args, **kwargs)
        context.update(course_outline(course=self, user=request.user))
        return context


class ModulePage(Page):
    summary = models.TextField(blank=True)
    body = StreamField(ModuleBodyBlock(), blank=True)
    word_count = models.PositiveIntegerField(default=0, editable=False)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    @property
    def reading_minutes(self) -> int:
        return reading_minutes_for(self.word_count)

    def save(self, *args, **kwargs):
        # A derived figure kept beside the body so course pages never load every module body.
        from .reading import count_words

        self.word_count = count_words(self.body)
        super().save(*args, **kwargs)

    def serve(self, request, *args, **kwargs):
        from .services import module_visit

        # The first view by an enrolled learner starts the clock for this module (server time).
        if request.method == "GET" and request.user.is_authenticated:
            module_visit(user=request.user, module=self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .selectors import module_context

        context = super().get_context(request, *args, **kwargs)
        context.update(module_context(module=self, user=request.user))
        return context


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments")
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="one_enrollment_per_course")]
        indexes = [models.Index(fields=["course", "status"])]

    def __str__(self):
        return f"{self.user} in {self.course}"


class ModuleProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="module_progress")
    module = models.ForeignKey(ModulePage, on_delete=models.PROTECT, related_name="progress")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "module"], name="one_progress_per_module")
        ]

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None
