"""Per-learner overrides in the Wagtail admin, from the learner's record: a form per action (each asks for a
reason), the "needs attention" list, and the per-course audit CSV.

Permissions as for the records (courses/insight_views.py): "can view enrollment" to open any of these,
then the course scope: the learner, the quiz, the module and the course must be in the viewer's courses
(an assigned instructor's, or every course for provider-wide records staff), else "not found".
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from wagtail.admin.utils import get_valid_next_url_from_request

from quizzes.models import MAX_EXTRA_MINUTES, MAX_TIME_MULTIPLIER, Quiz
from quizzes.selectors import allowance_for

from .insight_views import CourseCsvView
from .models import CoursePage, ModulePage
from .override_selectors import OVERRIDES_CSV_HEADER, needs_attention, overrides_csv_rows
from .overrides import (
    REASON_MAX_LENGTH,
    OverrideError,
    override_extra_attempts,
    override_module_complete,
    override_quiz_reset,
    override_seat_time_waiver,
    override_time_accommodation,
)
from .permissions import staff_courses
from .records_views import RecordsPage, learners_visible_to

# --- forms -------------------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": "Give a reason: it is kept in the learner's history."},
        help_text="Required. Kept in the learner's history for six years: in their record, their own data "
        "export and the course's audit export.",
    )

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason.")
        return reason


class ExtraAttemptsForm(ReasonForm):
    count = forms.IntegerField(
        label="Extra attempts",
        min_value=1,
        max_value=10,
        initial=1,
        help_text="Added to what the quiz allows.",
    )
    field_order = ["count", "reason"]


class TimeAccommodationForm(ReasonForm):
    quiz = forms.ModelChoiceField(
        queryset=Quiz.objects.none(),
        required=False,
        empty_label="Every quiz of this course",
        help_text="Only quizzes with a time limit are affected; an attempt already running gets the longer time.",
    )
    multiplier = forms.DecimalField(
        label="Time limit × ",
        min_value=1,
        max_value=MAX_TIME_MULTIPLIER,
        max_digits=3,
        decimal_places=2,
        initial="1.5",
        help_text=f"From 1 (no change) to {MAX_TIME_MULTIPLIER}; 1.5 is time and a half.",
    )
    extra_minutes = forms.IntegerField(
        label="Extra minutes",
        min_value=0,
        max_value=MAX_EXTRA_MINUTES,
        initial=0,
        help_text="Added after the multiplier. × 1 and 0 minutes take an accommodation away again.",
    )
    field_order = ["quiz", "multiplier", "extra_minutes", "reason"]

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = Quiz.objects.filter(course=target).order_by("module__path", "pk")


# --- one view for the five actions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    title: str
    target: str  # "quiz", "module" or "course"
    form_class: type
    button: str
    explanation: str


ACTIONS = {
    "extra-attempts": Action(
        "Grant extra attempts",
        "quiz",
        ExtraAttemptsForm,
        "Grant",
        "The learner may start this many more attempts at this quiz than it allows everyone.",
    ),
    "reset-quiz": Action(
        "Reset the quiz",
        "quiz",
        ReasonForm,
        "Reset",
        "The learner's attempts so far stop counting against the limit, as if starting again. They stay on "
        "the record (scores, answers, item analysis) and are never deleted; a pass stays a pass.",
    ),
    "more-time": Action(
        "More time on timed quizzes",
        "course",
        TimeAccommodationForm,
        "Save the accommodation",
        "An accommodation for this learner: their time limit is the quiz's, times the multiplier, plus the "
        "extra minutes.",
    ),
    "complete-module": Action(
        "Mark the module complete",
        "module",
        ReasonForm,
        "Mark complete",
        "The module counts as complete for this learner whatever its rules (order, quiz), and the modules after "
        "it open. The course's completion rules are checked at once: a certificate follows when every one is met "
        "(a course that requires every module quiz passed still does: grant an attempt or reset the quiz for that).",
    ),
    "waive-seat-time": Action(
        "Waive the seat time",
        "course",
        ReasonForm,
        "Waive",
        "The course's minimum time on task no longer applies to this learner (for the post-test and the "
        "certificate). Every other rule still does.",
    ),
}


def _target(action: Action, viewer, learner, target_id: int):
    """The quiz, module or course, within the viewer's courses and the learner's enrollments; else 404."""
    courses = staff_courses(viewer).filter(enrollments__user=learner)
    if action.target == "course":
        return get_object_or_404(courses.select_related("provider"), pk=target_id)
    if action.target == "quiz":
        return get_object_or_404(
            Quiz.objects.filter(course__in=courses).select_related("course", "module"), pk=target_id
        )
    module = get_object_or_404(ModulePage, pk=target_id)
    course = CoursePage.objects.parent_of(module).filter(pk__in=courses.values("pk")).first()
    if course is None:
        raise Http404
    module.course = course
    return module


def _course_of(action: Action, target) -> CoursePage:
    return {"course": lambda t: t, "quiz": lambda t: t.course, "module": lambda t: t.course}[action.target](
        target
    )


class LearnerOverrideView(RecordsPage):
    template_name = "courses/admin/learner_override_form.html"
    header_icon = "user"

    def load(self, request, **kwargs):
        self.action = ACTIONS.get(kwargs["action"])
        if self.action is None:
            raise Http404
        self.learner = get_object_or_404(learners_visible_to(request.user), pk=kwargs["user_id"])
        self.target = _target(self.action, request.user, self.learner, kwargs["target_id"])
        self.course = _course_of(self.action, self.target)

    def get_page_title(self):
        return f"{self.action.title}: {self.learner.display_name}"

    def done_url(self) -> str:
        """Where to go when done or cancelled: the page that sent us (the roster), else the learner record."""
        return get_valid_next_url_from_request(self.request) or self.record_url()

    def record_url(self) -> str:
        return reverse("insight_learner", args=[self.learner.pk]) + f"#course-{self.course.pk}"

    def trail(self):
        return [
            {"url": reverse("insight_learners"), "label": "Learner records"},
            {"url": self.record_url(), "label": self.learner.display_name},
            {"url": "", "label": self.action.title},
        ]

    def form(self, data=None):
        return self.action.form_class(data, target=self.target)

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or self.form()
        allowance = (
            allowance_for(user=self.learner, quiz=self.target) if self.action.target == "quiz" else None
        )
        return {
            **super().get_context_data(**kwargs),
            "action": self.action,
            "learner": self.learner,
            "target": self.target,
            "course": self.course,
            "allowance": allowance,
            "form": form,
            "record_url": self.done_url(),
        }

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                self.apply(form.cleaned_data)
            except OverrideError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    f"{self.action.title}: done for {self.learner.display_name}. Recorded in the history.",
                )
                return redirect(self.done_url())
        return self.render_to_response(self.get_context_data(form=form))

    def apply(self, data):
        actor, learner, target, reason = self.request.user, self.learner, self.target, data["reason"]
        if self.action is ACTIONS["extra-attempts"]:
            return override_extra_attempts(
                actor=actor, learner=learner, quiz=target, count=data["count"], reason=reason
            )
        if self.action is ACTIONS["reset-quiz"]:
            return override_quiz_reset(actor=actor, learner=learner, quiz=target, reason=reason)
        if self.action is ACTIONS["more-time"]:
            return override_time_accommodation(
                actor=actor,
                learner=learner,
                course=target,
                quiz=data["quiz"],
                multiplier=data["multiplier"],
                extra_minutes=data["extra_minutes"],
                reason=reason,
            )
        if self.action is ACTIONS["complete-module"]:
            return override_module_complete(actor=actor, learner=learner, module=target, reason=reason)
        return override_seat_time_waiver(actor=actor, learner=learner, course=target, reason=reason)


# --- needs attention --------------------------------------------------------------------------------------


class NeedsAttentionView(RecordsPage):
    page_title = "Needs attention"
    template_name = "courses/admin/needs_attention.html"
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "rows": needs_attention(self.request.user)}


# --- the audit export -------------------------------------------------------------------------------------


class OverridesCsvView(CourseCsvView):
    export_name = "overrides"
    header = OVERRIDES_CSV_HEADER

    def rows(self, course):
        return overrides_csv_rows(course)


learner_override_view = LearnerOverrideView.as_view()
needs_attention_view = NeedsAttentionView.as_view()
overrides_csv_view = OverridesCsvView.as_view()
