from django.db import models
from django.urls import reverse
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from .widgets import LinesWidget


class Region(models.TextChoices):
    LUMBAR = "lumbar", "Lumbar spine and back"
    HIP = "hip", "Hip and gluteal"
    THIGH = "thigh", "Thigh"
    ABDOMEN = "abdomen", "Abdominal wall"
    NECK_SHOULDER = "neck_shoulder", "Neck and shoulder"


class View(models.TextChoices):
    FRONT = "front", "Front"
    BACK = "back", "Back"


class BodyZone(models.Model):
    """A named area of the body figure: referred-pain patterns are sets of zones."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    view = models.CharField(max_length=5, choices=View.choices)
    sort_order = models.PositiveSmallIntegerField(default=0)
    shape = models.TextField(
        blank=True,
        help_text="SVG path data (the d attribute) on the 200x440 body figure of this view.",
    )

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("view"),
        FieldPanel("sort_order"),
        FieldPanel("shape"),
    ]

    class Meta:
        ordering = ["view", "sort_order", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_view_display().lower()})"


class Muscle(index.Indexed, models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names a lesson may use.")
    region = models.CharField(max_length=20, choices=Region.choices)
    summary = models.TextField(blank=True)
    origin = models.TextField()
    insertion = models.TextField()
    actions = models.JSONField(default=list)
    innervation = models.TextField()
    referred_pain = models.TextField(blank=True)
    referred_zones = models.ManyToManyField(BodyZone, blank=True, related_name="muscles")
    massage_notes = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("slug"),
                FieldPanel("aliases", widget=LinesWidget, help_text="One name per line."),
                FieldPanel("region"),
                FieldPanel("summary"),
            ],
            heading="Identity",
        ),
        MultiFieldPanel(
            [
                FieldPanel("origin"),
                FieldPanel("insertion"),
                FieldPanel("actions", widget=LinesWidget, help_text="One action per line."),
                FieldPanel("innervation"),
            ],
            heading="Anatomy",
        ),
        MultiFieldPanel([FieldPanel("referred_pain"), FieldPanel("referred_zones")], heading="Referred pain"),
        FieldPanel("massage_notes"),
        FieldPanel("sources", widget=LinesWidget, help_text="One citation per line: title - URL."),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("summary"),
        index.SearchField("origin"),
        index.SearchField("insertion"),
        index.FilterField("region"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("content:muscle_detail", args=[self.slug])


class ActionLevel(models.TextChoices):
    """The one triage scale: the reference's four actions, most urgent first.

    It is ordinal, so wherever the levels are answer options they keep this order (never shuffled).
    Red flags, case vignettes, the module text and the knowledge base all use these keys.
    """

    EMERGENCY = "emergency", "Emergency: call 911 / emergency department now"
    REFER_URGENT = "refer_urgent", "Urgent referral: same day, before any treatment"
    REFER_ROUTINE = "refer_routine", "Routine referral: non-urgent review"
    TREAT = "treat", "Treat, with safety-netting"


# The reference's definition of each level (shared/reference/anatomy-facts.json "action_key"), in US wording.
ACTION_LEVEL_DEFINITIONS = {
    ActionLevel.EMERGENCY: "Send the client to a hospital emergency department or call 911 now.",
    ActionLevel.REFER_URGENT: (
        "Medical assessment the same day (at the latest within 24 hours), before any treatment."
    ),
    ActionLevel.REFER_ROUTINE: (
        "Non-urgent review by the client's primary care provider or a specialist; "
        "treatment may continue if there are no other red flags."
    ),
    ActionLevel.TREAT: (
        "No red flags: massage is reasonable, ideally with exercise advice and safety-netting "
        "(tell the client which changes mean they should seek care)."
    ),
}


class RedFlag(index.Indexed, models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    sign = models.CharField(max_length=300, help_text="What the therapist sees or hears.")
    suspected_condition = models.CharField(max_length=200)
    action_level = models.CharField(max_length=20, choices=ActionLevel.choices)
    action = models.TextField(help_text="What to do, in plain words.")
    why = models.TextField(blank=True)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    sources = models.JSONField(default=list, blank=True)

    panels = [
        FieldPanel("slug"),
        FieldPanel("sign"),
        FieldPanel("suspected_condition"),
        FieldPanel("action_level"),
        FieldPanel("action"),
        FieldPanel("why"),
        FieldPanel("region"),
        FieldPanel("sources", widget=LinesWidget, help_text="One citation per line: title - URL."),
    ]
    search_fields = [
        index.SearchField("sign"),
        index.AutocompleteField("sign"),
        index.SearchField("suspected_condition"),
        index.FilterField("action_level"),
        index.FilterField("region"),
    ]

    class Meta:
        ordering = ["action_level", "sign"]

    def __str__(self):
        return f"{self.sign} → {self.get_action_level_display()}"


class SourceArticle(models.Model):
    """An article imported as a draft module; re-importing the same file updates that draft."""

    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="source_articles")
    module = models.ForeignKey(
        "courses.ModulePage", null=True, blank=True, on_delete=models.SET_NULL, related_name="source_articles"
    )
    file_name = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the raw text.")
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey("cms.User", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "file_name"], name="unique_source_file_per_course")
        ]

    def __str__(self):
        return self.title
