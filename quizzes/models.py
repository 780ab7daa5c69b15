"""The question bank, quiz rules and learners' attempts.

Answers and keys share one JSON shape per kind (see quizzes/grading.py):
- single_choice, true_false, case_vignette: an option public id (str)
- multiple_response: a list of option public ids; body_map: a list of BodyZone codes
- matching: {left option public id: right-hand token}; ordering: {option public id: position from 1}
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.crypto import get_random_string
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, PreviewableMixin, RevisionMixin
from wagtail.search import index

from content.models import ActionLevel

from .topics import Topic

PUBLIC_ID_LENGTH = 10
PUBLIC_ID_CHARS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_public_id() -> str:
    """A random token the browser may see; it says nothing about correctness or order."""
    return get_random_string(PUBLIC_ID_LENGTH, PUBLIC_ID_CHARS)


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_RESPONSE = "multiple_response", "Multiple response"
    TRUE_FALSE = "true_false", "True / false"
    MATCHING = "matching", "Matching"
    ORDERING = "ordering", "Ordering"
    CASE_VIGNETTE = "case_vignette", "Case vignette"
    BODY_MAP = "body_map", "Body map (zones)"


ONE_CORRECT_KINDS = {QuestionKind.SINGLE_CHOICE, QuestionKind.TRUE_FALSE, QuestionKind.CASE_VIGNETTE}


class CognitiveLevel(models.TextChoices):
    """What a question asks of the learner: to remember a fact, or to use facts to decide about a client."""

    RECALL = "recall", "Recall"
    APPLICATION = "application", "Application"


class Difficulty(models.IntegerChoices):
    EASY = 1, "Easy"
    MEDIUM = 2, "Medium"
    HARD = 3, "Hard"


# The answers of every triage question (case vignette, red-flag action): the one scale of
# content.ActionLevel, most urgent first. An ordinal scale: shown in this order, never shuffled.
VIGNETTE_ACTIONS = list(ActionLevel.choices)
VIGNETTE_ACTION_TEXT = dict(VIGNETTE_ACTIONS)
TRIAGE_LEVEL_OF_TEXT = {text: level for level, text in VIGNETTE_ACTIONS}
TRIAGE_KINDS = {"case_vignette", "single_choice"}


def is_triage_scale(texts: list[str]) -> bool:
    """True when the options are exactly the four triage levels (an ordinal scale: never shuffled)."""
    return sorted(texts) == sorted(TRIAGE_LEVEL_OF_TEXT)


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey("quizzes.Question", on_delete=models.CASCADE, related_name="tagged_items")


class Question(PreviewableMixin, RevisionMixin, index.Indexed, ClusterableModel):
    kind = models.CharField(max_length=20, choices=QuestionKind.choices, default=QuestionKind.SINGLE_CHOICE)
    stem = models.TextField(help_text="The question; for a case vignette, the client's story.")
    explanation = models.TextField(
        blank=True, help_text="Shown after submission when the quiz policy allows."
    )
    topic = models.ForeignKey(
        Topic,
        to_field="slug",
        db_column="topic",
        default=Topic.GENERAL,
        on_delete=models.PROTECT,
        related_name="questions",
        help_text="What the quiz rules draw by; add topics under Quizzes → Topics.",
    )
    muscle = models.ForeignKey(
        "content.Muscle", null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    red_flag = models.ForeignKey(
        "content.RedFlag", null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty.choices, default=Difficulty.MEDIUM)
    module = models.ForeignKey(
        "courses.ModulePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        help_text="The lesson module that teaches this; quizzes draw from their module's questions.",
    )
    section_anchor = models.CharField(
        max_length=80, blank=True, help_text="Anchor of the heading in that module (without #)."
    )
    critical = models.BooleanField(
        default=False,
        help_text="Safety-critical: only when the key follows from one red flag's level and the stem "
        "names that flag without ambiguity (link that red flag above). A wrong answer fails the attempt "
        "whatever the score; on a triage question only a less urgent level than the key fails it "
        "(a more urgent one is marked wrong but does not fail the attempt).",
    )
    retired = models.BooleanField(
        default=False, help_text="Retired questions are never drawn into new attempts."
    )
    cognitive_level = models.CharField(
        max_length=12,
        choices=CognitiveLevel.choices,
        default=CognitiveLevel.RECALL,
        help_text="Recall: remember a fact. Application: use facts to decide about a client (a case).",
    )
    family = models.CharField(
        max_length=120,
        blank=True,
        db_index=True,
        help_text="Questions of one family give each other away (same red flag, same muscle fact, a "
        "reverse pair, the same body map): an attempt draws at most one. Empty: a family of its own.",
    )
    tags = ClusterTaggableManager(through=QuestionTag, blank=True)
    correct_zones = ParentalManyToManyField(
        "content.BodyZone", blank=True, related_name="+", help_text="Body map only: the zones to select."
    )
    generator_key = models.CharField(
        max_length=200,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Set by generate_questions so re-runs update instead of duplicating.",
    )
    generator_checksum = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Checksum of the generated content (detects edits).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("kind"), FieldPanel("stem"), FieldPanel("explanation")], heading="Question"
        ),
        HelpPanel(
            content=(
                "<p><b>Options</b>: single choice, true/false and case vignette need exactly one correct option; "
                "multiple response at least one. Matching: each option is a pair (text ↔ match text); an option "
                "with only a match text is an extra right-hand distractor. Ordering: list the items in the "
                "correct order (at least 3). Body map: no options; click the correct zones on the map below "
                "(or tick them in the list beside it).</p>"
            ),
            heading="How to fill in the options",
        ),
        InlinePanel("options", heading="Options", label="Option"),
        FieldPanel("correct_zones", heading="Body map: correct zones"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    # a plain select: Topic is a snippet, and its chooser would look topics up by id, not slug
                    [
                        FieldPanel("topic", widget=forms.Select),
                        FieldPanel("difficulty"),
                        FieldPanel("cognitive_level"),
                    ]
                ),
                FieldPanel("family"),
                FieldPanel("muscle"),
                FieldPanel("red_flag"),
                FieldPanel("critical"),
                FieldPanel("tags"),
            ],
            heading="Classification",
        ),
        MultiFieldPanel([FieldPanel("module"), FieldPanel("section_anchor")], heading="Where it is taught"),
        FieldPanel("retired"),
    ]

    search_fields = [
        index.SearchField("stem"),
        index.AutocompleteField("stem"),
        index.SearchField("explanation"),
        index.FilterField("kind"),
        index.FilterField("topic"),
        index.FilterField("muscle"),
        index.FilterField("difficulty"),
        index.FilterField("critical"),
        index.FilterField("retired"),
    ]

    class Meta:
        ordering = ["topic_id", "pk"]
        indexes = [models.Index(fields=["module", "topic"])]

    def __str__(self):
        stem = self.stem if len(self.stem) <= 80 else self.stem[:77] + "…"
        return f"[{self.get_kind_display()}] {stem}"

    @property
    def lesson_url(self) -> str:
        if self.module_id is None:
            return ""
        url = self.module.get_url() or ""
        return f"{url}#{self.section_anchor}" if url and self.section_anchor else url

    def clean(self):
        super().clean()
        # The admin form checks the submitted options itself (the instance still holds the old ones
        # at this point); code that builds questions in memory is checked here.
        if getattr(self, "_options_checked_by_form", False):
            return
        zones = len(self.correct_zones.all()) if self.kind == QuestionKind.BODY_MAP else 0
        options = [option_values(o) for o in self.options.all()]
        errors = question_errors(self.kind, options, zones)
        errors.update(critical_errors(self.kind, self.critical, self.red_flag, options))
        if errors:
            raise ValidationError(errors)

    def set_vignette_options(self, correct_action: str):
        """Replace the options with the four triage levels (in scale order), marking `correct_action` correct."""
        if correct_action not in VIGNETTE_ACTION_TEXT:
            raise ValueError(f"Unknown vignette action {correct_action!r}")
        self.options = [
            QuestionOption(text=text, is_correct=(key == correct_action), sort_order=n)
            for n, (key, text) in enumerate(VIGNETTE_ACTIONS)
        ]

    # Previews: the learner's view of the question, and the same with its answer key.
    preview_modes = [("", "Learner view"), ("key", "With answer key")]

    def get_preview_template(self, request, mode_name):
        return "quizzes/question_preview.html"

    def get_preview_context(self, request, mode_name):
        from .selectors import question_preview_context  # noqa: PLC0415 - the selectors import these models

        context = super().get_preview_context(request, mode_name)
        context.update(question_preview_context(self, show_key=mode_name == "key"))
        return context


def option_values(option) -> dict:
    return {
        "text": option.text or "",
        "is_correct": bool(option.is_correct),
        "match_text": option.match_text or "",
    }


def question_errors(kind: str, options: list[dict], zone_count: int) -> dict:
    """Per-kind rules; `options` are dicts with text, is_correct, match_text. Returns {field: message}."""
    correct = sum(1 for o in options if o["is_correct"])
    texts = [o for o in options if o["text"].strip()]
    if kind == QuestionKind.BODY_MAP:
        return (
            {}
            if zone_count >= 1
            else {"correct_zones": "A body-map question needs at least one correct zone."}
        )
    if kind == QuestionKind.MATCHING:
        pairs = [o for o in texts if o["match_text"].strip()]
        if len(pairs) < 2 or len(pairs) != len(texts):
            return {"kind": "Matching needs at least two options, each with a text and a match text."}
        return {}
    if kind == QuestionKind.ORDERING:
        return (
            {} if len(texts) >= 3 else {"kind": "Ordering needs at least three items, in the correct order."}
        )
    if len(texts) < 2:
        return {"kind": "Add at least two options."}
    if len(texts) != len(options):
        return {"kind": "Every option needs a text."}
    if kind in ONE_CORRECT_KINDS and correct != 1:
        return {"kind": "Mark exactly one option as correct."}
    if kind == QuestionKind.TRUE_FALSE and len(texts) != 2:
        return {"kind": "A true/false question has exactly two options (True and False)."}
    if kind == QuestionKind.MULTIPLE_RESPONSE and correct < 1:
        return {"kind": "Mark at least one option as correct."}
    return {}


def critical_errors(kind: str, critical: bool, red_flag, options: list[dict]) -> dict:
    """A safety-critical question must rest on one red flag: linked to it, and for the triage kinds
    (the four levels as options) keyed to that flag's level. `red_flag` is a content.RedFlag or None."""
    if not critical:
        return {}
    if red_flag is None:
        return {"red_flag": "A safety-critical question must be linked to the one red flag its key rests on."}
    texts = [o["text"] for o in options if o["text"].strip()]
    if kind == QuestionKind.CASE_VIGNETTE and not is_triage_scale(texts):
        return {"critical": "A safety-critical case vignette offers exactly the four triage levels."}
    if kind in TRIAGE_KINDS and is_triage_scale(texts):
        keyed = [TRIAGE_LEVEL_OF_TEXT[o["text"]] for o in options if o["is_correct"]]
        if keyed != [red_flag.action_level]:
            flag_level = ActionLevel(red_flag.action_level).label
            return {
                "critical": f"The key must be the linked red flag's level ({flag_level}); a question keyed "
                "to another level (an escalation the stem adds, for example) cannot be safety-critical."
            }
    return {}


class QuestionOption(Orderable):
    """A choice, a matching pair or an ordering item. For ordering, sort_order is the correct order."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    public_id = models.CharField(max_length=16, default=new_public_id, editable=False, db_index=True)
    text = models.CharField(max_length=500, blank=True)
    is_correct = models.BooleanField(default=False, help_text="Choice kinds only.")
    match_text = models.CharField(
        max_length=500, blank=True, help_text="Matching only: the right-hand side paired with the text."
    )

    panels = [
        FieldRowPanel([FieldPanel("text"), FieldPanel("match_text")]),
        FieldPanel("is_correct"),
    ]

    def __str__(self):
        return self.text or self.match_text


class FeedbackPolicy(models.TextChoices):
    SCORE_ONLY = "score_only", "Score only"
    SHOW_WRONG = "show_wrong", "Score and which questions were wrong"
    FULL_EXPLANATIONS = "full_explanations", "Correct answers with explanations"


class Quiz(ClusterableModel):
    """A module quiz (module set) or the course's final post-test (module empty)."""

    title = models.CharField(max_length=200)
    # A quiz goes with its page; its attempts (learners' records) are PROTECTed, so a page whose
    # quiz was taken cannot be deleted at all (courses/wagtail_hooks.py says so before trying).
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="quizzes")
    module = models.OneToOneField(
        "courses.ModulePage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="quiz",
        help_text="Leave empty for the course's final post-test.",
    )
    instructions = models.TextField(blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percent needed to pass.",
    )
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty = unlimited.")
    cooldown_minutes = models.PositiveIntegerField(default=0, help_text="Wait after a failed attempt.")
    time_limit_minutes = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty = untimed.")
    grace_seconds = models.PositiveSmallIntegerField(
        default=30, help_text="Answers arriving this long after the time limit still count (network delays)."
    )
    feedback_policy = models.CharField(
        max_length=20, choices=FeedbackPolicy.choices, default=FeedbackPolicy.FULL_EXPLANATIONS
    )
    hide_key_after_fail = models.BooleanField(
        default=False, help_text="Show correct answers and explanations only once the learner has passed."
    )
    shuffle_choices = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("course"), FieldPanel("module")]),
        FieldPanel("instructions"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("pass_mark"), FieldPanel("max_attempts"), FieldPanel("cooldown_minutes")]
                ),
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("grace_seconds")]),
            ],
            heading="Passing, attempts and time",
        ),
        MultiFieldPanel(
            [FieldPanel("feedback_policy"), FieldPanel("hide_key_after_fail"), FieldPanel("shuffle_choices")],
            heading="Feedback",
        ),
        InlinePanel(
            "rules",
            heading="Selection rules",
            label="Rule",
            help_text="The blueprint: each attempt draws this many questions per topic and level (recall or "
            "application) or tag, never two of one family. No rules: one question of every family.",
        ),
    ]

    class Meta:
        verbose_name_plural = "quizzes"
        constraints = [
            models.UniqueConstraint(
                fields=["course"], condition=Q(module__isnull=True), name="one_final_quiz_per_course"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_final(self) -> bool:
        return self.module_id is None

    def clean(self):
        super().clean()
        if self.module_id and self.course_id and self.module.get_parent().pk != self.course_id:
            raise ValidationError({"module": "This module belongs to another course."})
        if self.module_id is None and self.course_id:
            finals = Quiz.objects.filter(course_id=self.course_id, module__isnull=True).exclude(pk=self.pk)
            if finals.exists():
                raise ValidationError({"module": "This course already has a final post-test; pick a module."})

    def get_absolute_url(self):
        return reverse("quizzes:quiz_intro", args=[self.pk])


class QuizRule(Orderable):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="rules")
    topic = models.ForeignKey(
        Topic,
        to_field="slug",
        db_column="topic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty = any topic.",
    )
    tag = models.CharField(max_length=100, blank=True, help_text="Optional: only questions with this tag.")
    cognitive_level = models.CharField(
        max_length=12, choices=CognitiveLevel.choices, blank=True, help_text="Empty = recall or application."
    )
    count = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1)])

    panels = [
        FieldRowPanel(
            [
                FieldPanel("topic", widget=forms.Select),
                FieldPanel("cognitive_level"),
                FieldPanel("tag"),
                FieldPanel("count"),
            ]
        )
    ]

    def __str__(self):
        parts = [
            str(self.topic) if self.topic_id else "",
            self.get_cognitive_level_display() if self.cognitive_level else "",
            self.tag,
        ]
        what = " / ".join(filter(None, parts)) or "any"
        return f"{self.count} × {what}"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    EXPIRED = "expired", "Time ran out"


class Attempt(models.Model):
    """One try at a quiz. `snapshot` freezes the drawn questions and their keys (never sent before grading)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts")
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    failed_critical = models.BooleanField(default=False)
    fail_reason = models.TextField(blank=True)
    seed = models.BigIntegerField(default=0, help_text="Seed of the draw and shuffles, for audits.")
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(fields=["user", "quiz", "number"], name="unique_attempt_number"),
            models.UniqueConstraint(
                fields=["user", "quiz"], condition=Q(status="in_progress"), name="one_open_attempt_per_quiz"
            ),
        ]
        indexes = [models.Index(fields=["user", "quiz", "status"])]

    def __str__(self):
        return f"{self.user} – {self.quiz} #{self.number}"

    def get_absolute_url(self):
        return reverse("quizzes:attempt_take", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    @property
    def questions(self) -> list[dict]:
        return self.snapshot.get("questions", [])


class Response(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    # Kept when a question is later deleted: the attempt's snapshot still holds its text and key.
    question = models.ForeignKey(Question, null=True, on_delete=models.SET_NULL, related_name="responses")
    position = models.PositiveSmallIntegerField()
    answer = models.JSONField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="one_response_per_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="one_response_per_question"),
        ]

    def __str__(self):
        return f"{self.attempt} Q{self.position}"


MAX_TIME_MULTIPLIER = 4
MAX_EXTRA_MINUTES = 600


class QuizAllowance(models.Model):
    """What one learner is allowed beyond a quiz's own rules, granted by course staff.

    The quiz engine reads it when counting attempts and setting deadlines; courses keeps the audited
    history of who granted what and why (courses.LearnerOverride) and writes both together.
    `attempts_reset_through`: attempts numbered up to this one no longer count against the limit
    (a reset); the attempts themselves are records and are never deleted or changed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_allowances"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="allowances")
    extra_attempts = models.PositiveSmallIntegerField(default=0)
    attempts_reset_through = models.PositiveSmallIntegerField(
        default=0, help_text="Attempts numbered up to this no longer count (a reset)."
    )
    time_multiplier = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TIME_MULTIPLIER)],
        help_text="The time limit is multiplied by this (an accommodation).",
    )
    extra_minutes = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(MAX_EXTRA_MINUTES)], help_text="Added to the time limit."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "quiz"], name="one_allowance_per_user_and_quiz")
        ]

    def __str__(self):
        return f"{self.user} – {self.quiz}: allowance"

    @property
    def has_time_accommodation(self) -> bool:
        return self.time_multiplier != 1 or self.extra_minutes > 0


# The review deck's models live in their own module (this one is long enough).
from .review_models import CardSource, ReviewCard, ReviewPreference  # noqa: E402, F401
