"""The question bank in the Wagtail admin (shared by every instructor). courses registers it in the
"Quizzes" menu beside the quizzes, which it scopes to each instructor's courses."""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, UpdatedAtColumn
from wagtail.snippets.views.snippets import (
    CopyView,
    CreateView,
    DeleteView,
    IndexView,
    SnippetViewSet,
)

from content.spreadsheets import FormulaSafeExport

from .admin_forms import QuestionAdminForm
from .models import Question, QuizRule, Topic


def _stem_short(question) -> str:
    return question.stem if len(question.stem) <= 90 else question.stem[:87] + "…"


class QuestionIndexView(FormulaSafeExport, IndexView):
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
    edit_handler = ObjectList(Question.panels, base_form_class=QuestionAdminForm)
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


class TopicDeleteView(DeleteView):
    """A topic that questions or quiz rules use stays (they point at it): say so instead of failing."""

    def form_valid(self, form):
        topic = self.object
        used = Question.objects.filter(topic=topic).count()
        rules = QuizRule.objects.filter(topic=topic).count()
        if used or rules:
            messages.error(
                self.request,
                f"“{topic}” is the topic of {used} question(s) and {rules} quiz rule(s); "
                "move them to another topic first.",
            )
            return redirect(self.get_success_url())
        return super().form_valid(form)


class TopicViewSet(SnippetViewSet):
    """Question topics: instructors add and rename them; quiz rules draw by them."""

    model = Topic
    delete_view_class = TopicDeleteView
    icon = "tag"
    menu_label = "Topics"
    menu_name = "topics"
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    search_backend_name = None
