"""Quizzes in the Wagtail admin, scoped to the courses each instructor teaches, beside the shared
question bank (quizzes.viewsets), and the menu entries of the quiz tools (generator, item analysis).

An instructor lists, edits, copies, deletes and reads the history and usage of only their courses'
quizzes: every view that looks a quiz up by its id goes through `CourseScopedObjectMixin`, so
another course's quiz is "not found" (404).
"""

from functools import cached_property, reduce
from operator import or_

import django_filters
from django.db.models import Q
from django.http import Http404
from django.urls import path, reverse
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList, TabbedInterface
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.admin.widgets import HeaderButton
from wagtail.snippets.views import snippets as snippet_views

from quizzes.admin_forms import QuestionAdminForm
from quizzes.models import Attempt, Question, Quiz
from quizzes.viewsets import QuestionViewSet, TopicViewSet

from .models import ModulePage
from .override_selectors import quizzes_with_overrides
from .permissions import sees_every_course, staff_courses
from .quiz_pool_views import PoolQuestionCreateView, QuizPoolAddView, QuizPoolPanel, QuizPreviewView

QUIZZES_MENU_HOOK = "register_quizzes_menu_item"


def staff_modules(user):
    """The modules of the courses this instructor teaches."""
    paths = [Q(path__startswith=path) for path in staff_courses(user).values_list("path", flat=True)]
    return ModulePage.objects.filter(reduce(or_, paths)) if paths else ModulePage.objects.none()


class QuizAdminForm(WagtailAdminModelForm):
    """An instructor sets quizzes only on the courses they teach, and their modules."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is None or sees_every_course(for_user):
            return
        if "course" in self.fields:
            self.fields["course"].queryset = staff_courses(for_user)
        if "module" in self.fields:
            self.fields["module"].queryset = staff_modules(for_user)


class CourseQuestionAdminForm(QuestionAdminForm):
    """A bank question goes into a module of a course this instructor teaches (or none)."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not sees_every_course(for_user) and "module" in self.fields:
            self.fields["module"].queryset = staff_modules(for_user)


def question_in_scope(user, question) -> bool:
    """Anyone on staff may read and copy the shared bank; only a question's own course changes it."""
    if sees_every_course(user) or question.module_id is None:
        return True
    return staff_modules(user).filter(pk=question.module_id).exists()


class CourseScopedQuestionMixin:
    """Another course's question cannot be changed by this instructor: not found. (Deleting, single or
    bulk, is refused by the before_delete_snippet hook in courses.wagtail_hooks.)"""

    def get_object(self, *args, **kwargs):
        question = super().get_object(*args, **kwargs)
        if not question_in_scope(self.request.user, question):
            raise Http404("No question here.")
        return question


class QuestionEditView(CourseScopedQuestionMixin, snippet_views.EditView):
    pass


def quiz_in_scope(user, quiz) -> bool:
    return sees_every_course(user) or staff_courses(user).filter(pk=quiz.course_id).exists()


class CourseScopedObjectMixin:
    """Another course's quiz does not exist for this instructor."""

    def get_object(self, *args, **kwargs):
        quiz = super().get_object(*args, **kwargs)
        if not quiz_in_scope(self.request.user, quiz):
            raise Http404("No quiz here.")
        return quiz


class QuizEditView(CourseScopedObjectMixin, snippet_views.EditView):
    @cached_property
    def header_buttons(self):
        preview = reverse("wagtailsnippets_quizzes_quiz:preview", args=[self.object.pk])
        return [
            *super().header_buttons,
            HeaderButton("Preview as a learner", url=preview, icon_name="view", attrs={"target": "_blank"}),
        ]


class QuizCopyView(CourseScopedObjectMixin, snippet_views.CopyView):
    pass


class QuizUsageView(CourseScopedObjectMixin, snippet_views.UsageView):
    pass


class QuizHistoryView(CourseScopedObjectMixin, snippet_views.HistoryView):
    pass


class QuizInspectView(CourseScopedObjectMixin, snippet_views.InspectView):
    pass


class QuizDeleteView(CourseScopedObjectMixin, snippet_views.DeleteView):
    pass


def quiz_deletion_refusal(user, quizzes) -> str:
    """Why these quizzes may not be deleted (single or bulk delete), or ""; Http404 out of scope."""
    if not all(quiz_in_scope(user, quiz) for quiz in quizzes):
        raise Http404("No quiz here.")
    taken = Attempt.objects.filter(quiz__in=quizzes).values_list("quiz__title", flat=True).distinct()
    if not taken:
        kept = quizzes_with_overrides(quizzes)
        if kept:
            return (
                ", ".join(f"“{title}”" for title in kept)
                + ": course staff granted a learner an allowance on it (attempts or time), kept in the learner's "
                "records. Change its rules instead."
            )
        return ""
    # Attempts are learners' records (PROTECTed): say so rather than fail with a ProtectedError.
    return (
        "Learners have taken "
        + ", ".join(f"“{title}”" for title in taken)
        + ": a quiz with attempts is kept with its records. Retire its questions or change its rules instead."
    )


def _filter_courses(request):
    # The course filter offers one's own courses only: another course's title (a draft's too) is not shown.
    return staff_courses(request.user) if request is not None else Quiz.objects.none()


class QuizFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(queryset=_filter_courses, label="Course")

    class Meta:
        model = Quiz
        fields = ["course", "feedback_policy"]


class QuizViewSet(snippet_views.SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = "Quizzes and post-tests"
    menu_name = "quizzes"
    edit_handler = TabbedInterface(
        [ObjectList(Quiz.panels, heading="Quiz"), ObjectList([QuizPoolPanel()], heading="Question pool")],
        base_form_class=QuizAdminForm,
    )
    edit_view_class = QuizEditView
    copy_view_class = QuizCopyView
    usage_view_class = QuizUsageView
    history_view_class = QuizHistoryView
    inspect_view_class = QuizInspectView
    delete_view_class = QuizDeleteView
    list_display = [
        "title",
        Column("course", label="Course"),
        Column("module", label="Module (empty: final post-test)"),
        "pass_mark",
        "max_attempts",
        "time_limit_minutes",
        "feedback_policy",
        UpdatedAtColumn(),
    ]
    filterset_class = QuizFilterSet
    search_fields = ["title", "instructions"]
    search_backend_name = None
    ordering = ["course", "module__path"]

    def get_queryset(self, request):
        return Quiz.objects.filter(course__in=staff_courses(request.user)).select_related("course", "module")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("pool/<int:pk>/add/", QuizPoolAddView.as_view(), name="pool_add"),
            path("preview/<int:pk>/", QuizPreviewView.as_view(), name="preview"),
        ]


class CourseQuestionViewSet(QuestionViewSet):
    """The question bank, whose add view also takes a quiz and module to add the new question to."""

    add_view_class = PoolQuestionCreateView
    edit_view_class = QuestionEditView
    edit_handler = ObjectList(Question.panels, base_form_class=CourseQuestionAdminForm)


class QuizzesGroup(snippet_views.SnippetViewSetGroup):
    items = (CourseQuestionViewSet, QuizViewSet, TopicViewSet)
    menu_label = "Quizzes"
    menu_name = "quizzes-menu"
    menu_icon = "help"
    menu_order = 250
    submenu_hook = QUIZZES_MENU_HOOK


class CheckedMenuItem(MenuItem):
    """A menu entry shown to the users `check(user)` accepts."""

    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self._check = check

    def is_shown(self, request):
        return self._check(request.user)
