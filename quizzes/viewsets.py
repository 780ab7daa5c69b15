"""The question bank and quizzes in the Wagtail admin, grouped in a "Quizzes" menu.

Other parts of the quiz engine add their own entries to that menu through the
"register_quizzes_menu_item" hook (see QUIZZES_MENU_HOOK).
"""

from django.http import Http404
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    CopyView,
    CreateView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from .admin_views import generate_questions_view
from .models import Question, Quiz

QUIZZES_MENU_HOOK = "register_quizzes_menu_item"


def _stem_short(question) -> str:
    return question.stem if len(question.stem) <= 90 else question.stem[:87] + "…"


class QuestionIndexView(IndexView):
    def _get_title_column(self, field_name, *args, **kwargs):
        # The stem, shortened, links to the edit view (the model's __str__ also names the kind).
        if field_name != "stem":
            return super()._get_title_column(field_name, *args, **kwargs)
        column = super()._get_title_column(field_name, *args, accessor=_stem_short, **kwargs)
        column.label = "Question"
        return column


class _NoAutosaveWhileCreating:
    """Wagtail 8 autosaves new snippets too: the first autosave creates the question, and a Save clicked
    while that request is in flight creates it again (two identical questions; compare wagtail#14568).
    Autosave stays on when editing, where a second save only adds a revision."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.autosave_enabled = False


class QuestionCreateView(_NoAutosaveWhileCreating, CreateView):
    pass


class QuestionCopyView(_NoAutosaveWhileCreating, CopyView):
    pass


class QuestionViewSet(SnippetViewSet):
    model = Question
    index_view_class = QuestionIndexView
    add_view_class = QuestionCreateView
    copy_view_class = QuestionCopyView
    icon = "help"
    menu_label = "Question bank"
    menu_name = "questions"
    list_display = [
        "stem",
        "kind",
        "topic",
        "difficulty",
        BooleanColumn("critical"),
        Column("module", label="Module"),
        UpdatedAtColumn(),
    ]
    list_filter = ["topic", "kind", "difficulty", "critical", "muscle", "red_flag", "module", "retired"]
    list_export = [
        "stem",
        "kind",
        "topic",
        "difficulty",
        "critical",
        "muscle",
        "red_flag",
        "module",
        "section_anchor",
        "retired",
        "generator_key",
        "explanation",
    ]
    # The ORM rather than the search index: results never depend on an index being up to date,
    # and generated questions can be found by their key ("insertion:psoas-major").
    search_fields = ["stem", "explanation", "generator_key"]
    search_backend_name = None
    ordering = ["topic", "pk"]
    list_per_page = 50
    copy_view_enabled = True
    inspect_view_enabled = True

    def get_queryset(self, request):
        return Question.objects.select_related("module", "muscle", "red_flag")


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = "Quizzes and post-tests"
    menu_name = "quizzes"
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
    list_filter = ["course", "feedback_policy"]
    search_fields = ["title", "instructions"]
    search_backend_name = None
    ordering = ["course", "module__path"]

    def get_queryset(self, request):
        from courses.selectors import staff_courses

        # An instructor lists, edits and deletes only the quizzes of the courses they teach.
        return Quiz.objects.filter(course__in=staff_courses(request.user)).select_related("course", "module")


class QuizzesGroup(SnippetViewSetGroup):
    items = (QuestionViewSet, QuizViewSet)
    menu_label = "Quizzes"
    menu_name = "quizzes-menu"
    menu_icon = "help"
    menu_order = 250
    submenu_hook = QUIZZES_MENU_HOOK


register_snippet(QuizzesGroup)


def _quiz_out_of_scope(user, quizzes) -> bool:
    from courses.selectors import sees_every_course, staff_courses

    if sees_every_course(user):
        return False
    allowed = set(staff_courses(user).values_list("pk", flat=True))
    return any(quiz.course_id not in allowed for quiz in quizzes)


@hooks.register("before_edit_snippet")
def quiz_edit_in_scope(request, instance):
    # The snippet views look objects up by primary key alone: another course's quiz is "not found".
    if isinstance(instance, Quiz) and _quiz_out_of_scope(request.user, [instance]):
        raise Http404("No quiz here.")


@hooks.register("before_delete_snippet")
def quiz_delete_in_scope(request, instances):
    from django.contrib import messages
    from django.shortcuts import redirect

    from .models import Attempt

    quizzes = [instance for instance in instances if isinstance(instance, Quiz)]
    if not quizzes:
        return None
    if _quiz_out_of_scope(request.user, quizzes):
        raise Http404("No quiz here.")
    taken = Attempt.objects.filter(quiz__in=quizzes).values_list("quiz__title", flat=True).distinct()
    if taken:
        # Attempts are learners' records (PROTECTed): say so rather than fail with a ProtectedError.
        messages.error(
            request,
            "Learners have taken "
            + ", ".join(f"“{title}”" for title in taken)
            + ": a quiz with attempts is kept with its records. "
            "Retire its questions or change its rules instead.",
        )
        return redirect("wagtailsnippets_quizzes_quiz:list")
    return None


class GenerateQuestionsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("quizzes.add_question")


@hooks.register(QUIZZES_MENU_HOOK)
def generate_questions_menu_item():
    return GenerateQuestionsMenuItem(
        "Generate from knowledge base",
        reverse("quizzes_generate"),
        name="generate-questions",
        icon_name="cogs",
        order=900,
    )


@hooks.register("register_admin_urls")
def generate_questions_urls():
    return [path("quizzes/generate/", generate_questions_view, name="quizzes_generate")]


# --- insight: item analysis, roster, evaluations, learner records (quizzes/insight_*.py) -----------


class InsightMenuItem(MenuItem):
    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self._check = check

    def is_shown(self, request):
        return self._check(request.user)


@hooks.register(QUIZZES_MENU_HOOK)
def item_analysis_menu_item():
    from .insight_views import can_see_item_analysis

    return InsightMenuItem(
        "Item analysis",
        reverse("insight_quizzes"),
        name="item-analysis",
        icon_name="table",
        order=950,
        check=can_see_item_analysis,
    )


@hooks.register("register_admin_urls")
def insight_urls():
    from django.urls import include

    return [path("", include("quizzes.insight_urls"))]


@hooks.register("register_snippet_listing_buttons")
def item_analysis_listing_button(snippet, user, next_url=None):
    from wagtail.admin.widgets import Button

    from .insight_views import can_see_item_analysis

    if isinstance(snippet, Quiz) and can_see_item_analysis(user):
        yield Button(
            "Item analysis",
            reverse("insight_item_analysis", args=[snippet.pk]),
            icon_name="table",
            priority=15,
        )


@hooks.register("register_admin_menu_item")
def records_menu_item():
    from .insight_views import can_see_records

    return InsightMenuItem(
        "Course records",
        reverse("insight_courses"),
        name="course-records",
        icon_name="group",
        order=260,
        check=can_see_records,
    )
