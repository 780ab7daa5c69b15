import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.blocks import CharBlock
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .approval_models import CourseApproval  # noqa: F401 - models of this app, in their own modules
from .approval_task import CourseApprovalTask  # noqa: F401
from .badge_models import OpenBadgeCredential  # noqa: F401 - a model of this app, in its own module
from .blocks import ModuleBodyBlock
from .caching import content_version
from .ce_broker_models import CEBrokerExport, CEBrokerReport  # noqa: F401
from .certificate_models import (  # noqa: F401 - models of this app, in their own modules
    SWEEP_RETRY_DELAYS,
    Certificate,
    CertificateEvent,
    private_storage,
)
from .lesson_media import LessonMedia  # noqa: F401
from .override_models import AppendOnlyError, AppendOnlyQuerySet, LearnerOverride  # noqa: F401
from .page_forms import CE_APPROVAL_PERMISSION, ApprovalFieldPanel, CoursePageForm
from .reading import count_words
from .renewal_models import Credential, OutsideCertificate, RenewalReminder  # noqa: F401
from .routing import child_route

WORDS_PER_MINUTE = 200  # NCBTMB home-study guidance: 12,000 words = 1 CE hour
WORDS_PER_CE_HOUR = WORDS_PER_MINUTE * 60
# Seat time: one CE hour stands for a 50-minute clock hour of study (Texas rule 117; README "Seat time").
MINUTES_PER_CE_HOUR = 50
MODULE_LIST_FIELDS = ("title", "slug", "path", "depth", "url_path", "live", "word_count")


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
        FieldPanel("name"),
        FieldPanel("ncbtmb_provider_number"),
        MultiFieldPanel(
            [FieldPanel("email"), FieldPanel("phone"), FieldPanel("address"), FieldPanel("website")],
            heading="Contact",
        ),
        MultiFieldPanel(
            [FieldPanel("signatory_name"), FieldPanel("signatory_title"), FieldPanel("signature")],
            heading="Signatory",
        ),
    ]

    def __str__(self):
        return f"{self.name} (NCBTMB #{self.ncbtmb_provider_number})"


class CourseIndexPage(Page):
    intro = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    def route(self, request, path_components):
        """Courses are the catalogue's only children: one query finds one as a CoursePage, with its
        provider (Wagtail's default takes one query for the page and one for its type, and the course
        page one more for the provider). The page served, course or module, is told its catalogue."""
        courses = CoursePage.objects.select_related("provider")
        route = child_route(courses, self, request, path_components, catalogue=self)
        return route or super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_cards  # noqa: PLC0415 - pages ask the selectors, which import these models

        context = super().get_context(request, *args, **kwargs)
        context["course_cards"] = course_cards(user=request.user)
        return context


class CourseType(models.TextChoices):
    HOME_STUDY = "home_study", "Home Study"
    LIVE = "live", "Live / in person"


class CertificateTemplate(models.TextChoices):
    CLASSIC = "classic", "Classic (ivory, double border, serif)"
    MODERN = "modern", "Modern (white, colour band, sans-serif)"


class CoursePage(Page):
    approved_title = models.CharField(
        max_length=255, help_text="The course title exactly as approved; printed on certificates."
    )
    summary = models.TextField(blank=True)
    description = RichTextField(blank=True)
    course_type = models.CharField(
        max_length=20,
        choices=CourseType.choices,
        default=CourseType.HOME_STUDY,
        help_text="Home study: online and self-paced, with seat time counted by the site. Live: taught in "
        "person. Printed on the certificate and reported to the state.",
    )
    ce_hours = models.DecimalField(
        "approved CE hours",
        max_digits=4,
        decimal_places=2,
        help_text="The continuing-education hours this course awards, as approved by the provider admin "
        "(one CE hour is 50 minutes of study). A new course starts at 0 until they approve it.",
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="courses",
        help_text="The approved CE provider whose name and NCBTMB provider number the certificate prints; "
        "set by the provider admin.",
    )
    pass_mark = models.PositiveSmallIntegerField(
        default=80,
        help_text="Percent needed to pass the post-test (80 is the usual mark for NCBTMB-approved home "
        "study).",
    )
    learning_objectives = StreamField(
        [("objective", CharBlock(max_length=300))],
        blank=True,
        help_text="What a learner can do after the course, one objective each, starting with a measurable "
        "verb (identify, describe, apply). At least one is needed to submit the course.",
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Completion rules: every live module complete is always required.
    require_module_quizzes = models.BooleanField(default=True, help_text="Every module quiz must be passed.")
    require_post_test = models.BooleanField(default=True, help_text="The final post-test must be passed.")
    require_evaluation = models.BooleanField(
        default=True, help_text="The course evaluation must be submitted."
    )
    min_minutes_on_task = models.PositiveIntegerField(
        "minimum minutes on task",
        null=True,
        blank=True,
        help_text=(
            "Minimum minutes of study, counted by the server (reading the modules, taking the quizzes), "
            "before the post-test opens and the certificate is issued. Empty: approved CE hours × 50 "
            "minutes (the 50-minute CE clock hour); a course with CE hours can never ask for less."
        ),
    )
    quizzes_in_module_order = models.BooleanField(
        "module quizzes open in order",
        default=True,
        help_text="A module's quiz can be started only once the module is open to the learner "
        "(every module before it complete).",
    )
    post_test_after_modules = models.BooleanField(
        "post-test after every module",
        default=True,
        help_text="The final post-test can be started only once every module is complete.",
    )
    post_test_after_seat_time = models.BooleanField(
        "post-test after the minimum time on task",
        default=True,
        help_text="The final post-test can be started only once the learner has studied the minimum minutes.",
    )
    evaluation_after_post_test = models.BooleanField(
        "evaluation after the post-test",
        default=True,
        help_text="The course evaluation opens only once the learner has passed the final post-test.",
    )
    certificate_template = models.CharField(
        max_length=20,
        choices=CertificateTemplate.choices,
        default=CertificateTemplate.CLASSIC,
        help_text="The design of this course's certificates (every design prints the same fields).",
    )

    content_panels = Page.content_panels + [
        HelpPanel(template="courses/admin/ce_hours_check.html", heading="CE hours check"),
        FieldPanel("approved_title"),
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("course_type"),
                ApprovalFieldPanel("ce_hours", permission=CE_APPROVAL_PERMISSION),
                ApprovalFieldPanel("provider", permission=CE_APPROVAL_PERMISSION),
                FieldPanel("pass_mark"),
                HelpPanel(template="courses/admin/course_approvals_panel.html", heading="Approvals"),
            ],
            heading="Approval",
        ),
        FieldPanel("learning_objectives"),
        FieldPanel("hero_image"),
        MultiFieldPanel(
            [
                FieldPanel("require_module_quizzes"),
                FieldPanel("require_post_test"),
                FieldPanel("require_evaluation"),
                FieldPanel("min_minutes_on_task"),
                FieldPanel("certificate_template"),
            ],
            heading="Completion rules and certificate",
        ),
        MultiFieldPanel(
            [
                FieldPanel("quizzes_in_module_order"),
                FieldPanel("post_test_after_modules"),
                FieldPanel("post_test_after_seat_time"),
                FieldPanel("evaluation_after_post_test"),
            ],
            heading="Order and gating",
        ),
    ]
    base_form_class = CoursePageForm
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    @property
    def default_seat_minutes(self) -> int:
        """Approved CE hours × 50 minutes, rounded up: what the CE hours stand for (0 without CE hours)."""
        return math.ceil((self.ce_hours or 0) * MINUTES_PER_CE_HOUR)

    @property
    def seat_time_minutes(self) -> int:
        """The minimum time on task in force: the instructor's figure, never below the CE hours' default."""
        return max(self.min_minutes_on_task or 0, self.default_seat_minutes)

    def clean(self):
        super().clean()
        floor = self.default_seat_minutes
        if self.min_minutes_on_task is not None and self.min_minutes_on_task < floor:
            raise ValidationError(
                {
                    "min_minutes_on_task": f"At least {floor} minutes for {self.ce_hours} approved CE hours "
                    f"(50 minutes a CE hour); leave it empty to use {floor}."
                }
            )

    def live_modules(self) -> list["ModulePage"]:
        """The live modules of the course in tree order, with what module lists show and link to (title,
        reading time, URL): the body and Wagtail's other page fields are left unread."""
        return list(ModulePage.objects.child_of(self).live().only(*MODULE_LIST_FIELDS).order_by("path"))

    def route(self, request, path_components):
        """Modules are the course's only children: one query finds one as a ModulePage (not two), and
        the module is served with its course, which it would otherwise look up again."""
        route = child_route(ModulePage.objects.all(), self, request, path_components, course=self)
        return route or super().route(request, path_components)

    def get_context(self, request, *args, catalogue=None, **kwargs):
        from .selectors import course_page_context  # noqa: PLC0415 - pages ask the selectors, which import these models

        context = super().get_context(request, *args, **kwargs)
        context.update(course_page_context(course=self, user=request.user))
        context["catalogue"] = catalogue or self.get_parent()  # given when served through the catalogue
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
        self.word_count = count_words(self.body)
        super().save(*args, **kwargs)

    def serve(self, request, *args, course=None, **kwargs):
        from .selectors import module_context  # noqa: PLC0415 - pages ask the selectors, which import these models
        from .services import module_visit  # noqa: PLC0415 - the services import these models

        # `course` comes from the course's route (absent in previews). Each view by an enrolled learner
        # who may read the module counts as study (courses.seat_time, server time); the context is
        # kept for get_context, with the progress the visit started or moved on.
        if request.method == "GET" and request.user.is_authenticated:
            context = module_context(module=self, user=request.user, course=course)
            if (
                context["enrollment"] is not None
                and context["blocking_module"] is None
                and context["position"] is not None
            ):
                visit = module_visit(
                    user=request.user,
                    module=self,
                    enrollment=context["enrollment"],
                    progress=context["progress"],
                    modules_left=context["completed_count"] < context["module_count"],
                )
                context["progress"] = visit or context["progress"]
            request._module_context = (self.pk, context)
        return super().serve(request, *args, course=course, **kwargs)

    def get_context(self, request, *args, course=None, catalogue=None, **kwargs):
        from .selectors import module_context  # noqa: PLC0415 - pages ask the selectors, which import these models

        context = super().get_context(request, *args, **kwargs)
        known = getattr(request, "_module_context", None)
        if known is not None and known[0] == self.pk:
            context.update(known[1])
        else:
            context.update(module_context(module=self, user=request.user, course=course))
        course = context["course"]
        context["catalogue"] = catalogue or (course.get_parent() if course else None)
        return context

    def get_cache_key_components(self):
        """`page.cache_key`, which keys this page's {% wagtailpagecache %} fragments, also follows the
        site's content version (courses/caching.py: publishes, moves, knowledge-base edits)."""
        return [*super().get_cache_key_components(), content_version()]


class CourseInstructor(models.Model):
    """An instructor assigned to a course: they edit its pages and quizzes and read its records.

    Managed in the Wagtail admin by whoever holds the model permissions ("manage course staff":
    superusers, never the Instructors group). Each change goes through courses.services
    (course_staff_sync), which keeps the course's page-permission group in step.
    """

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="instructor_assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="course_assignments",
        limit_choices_to={"groups__name": "Instructors"},
        verbose_name="instructor",
        help_text="A member of the Instructors group.",
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "course instructor"
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="one_assignment_per_course_and_user")
        ]
        permissions = [
            ("view_all_records", "Can see the records and item analysis of every course (provider-wide)"),
        ]

    def __str__(self):
        return f"{self.user} teaches {self.course}"


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Source(models.TextChoices):
        SELF = "self", "Self sign-up"
        CSV = "csv", "Class list (CSV)"
        CODE = "code", "Enrollment code"
        STAFF = "staff", "Staff override"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments")
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The learner's last activity anywhere in the course (module views, the study clock, quiz starts and
    # submits): the next one is credited at most courses.seat_time.IDLE_GAP_CAP after it, once per course.
    last_active_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by a seat-time waiver (courses.overrides; the history says who and why): no minimum time applies.
    seat_time_waived_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How the enrollment was made (kept when a withdrawn learner comes back); the detail says by whom or
    # with which code: "CSV by jdoe (class.csv)", "code 7KQ2M-9XH4T".
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.SELF, editable=False)
    source_detail = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="one_enrollment_per_course")]
        indexes = [models.Index(fields=["course", "status"])]

    def __str__(self):
        return f"{self.user} in {self.course}"

    @property
    def source_text(self) -> str:
        label = self.get_source_display()
        return f"{label}: {self.source_detail}" if self.source_detail else label


class EnrollmentCode(models.Model):
    """One single-use code that enrolls whoever redeems it in `course` (courses/enrollment_codes.py)."""

    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="enrollment_codes")
    code = models.CharField(max_length=10, unique=True)  # normalised: Crockford base 32, no hyphen
    batch = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["course", "created_at"])]

    def __str__(self):
        return self.display_code

    @property
    def display_code(self) -> str:
        return f"{self.code[:5]}-{self.code[5:]}"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


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

    def __str__(self):
        return f"{self.enrollment} – module {self.module_id}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


# --- completion, evaluation and certificates -----------------------------------------------------


class CourseEvaluation(models.Model):
    """The learner's evaluation of a course (NCBTMB: providers must collect one). One per enrollment."""

    RATINGS = [
        (5, "5 – Strongly agree"),
        (4, "4 – Agree"),
        (3, "3 – Neutral"),
        (2, "2 – Disagree"),
        (1, "1 – Strongly disagree"),
    ]

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="evaluation")
    objectives_met = models.PositiveSmallIntegerField("The learning objectives were met", choices=RATINGS)
    content_relevant = models.PositiveSmallIntegerField(
        "The content is relevant to my practice", choices=RATINGS
    )
    materials_quality = models.PositiveSmallIntegerField(
        "The written materials and figures were clear and accurate", choices=RATINGS
    )
    instructor_quality = models.PositiveSmallIntegerField(
        "The author showed expertise in the subject", choices=RATINGS
    )
    would_recommend = models.PositiveSmallIntegerField(
        "I would recommend this course to a colleague", choices=RATINGS
    )
    comments = models.TextField("Comments and suggestions", blank=True, max_length=4000)
    submitted_at = models.DateTimeField(default=timezone.now)

    RATING_FIELDS = (
        "objectives_met",
        "content_relevant",
        "materials_quality",
        "instructor_quality",
        "would_recommend",
    )

    def __str__(self):
        return f"Evaluation of {self.enrollment}"
