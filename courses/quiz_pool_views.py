"""Quiz authoring in one place (issue 14): from a quiz's edit view, its pool (every question it may
draw, by topic, kind and family, with item statistics), a new question or one from the bank added
to it, and a preview as a learner sees the quiz that records nothing.

Every view looks the quiz up through the course scope (`quiz_in_scope`): another course's quiz,
pool and preview are "not found". Adding needs "can change quiz" and "can add/change question".
"""

import random

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import FormView, View
from wagtail.admin.panels import Panel
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.snippets.widgets import AdminSnippetChooser

from quizzes import grading
from quizzes.answers import answers_from_form, validate_answers
from quizzes.errors import AnswerError
from quizzes.models import Question, Quiz
from quizzes.pool import pool_question_add, quiz_pool_view
from quizzes.selectors import describe_answer, question_widget, zones_with_shapes
from quizzes.services import quiz_snapshot
from quizzes.snapshots import item_fails_critical, public_item
from quizzes.viewsets import QuestionCreateView

from .models import ModulePage
from .permissions import sees_every_course, staff_courses

CHANGE_QUIZ = "quizzes.change_quiz"
ADD_QUESTION = "quizzes.add_question"
CHANGE_QUESTION = "quizzes.change_question"
SEED_LIMIT = 2**62


def quiz_for_author(user, quiz_id, *, permissions=(CHANGE_QUIZ,)) -> Quiz:
    """The quiz, if `user` may change quizzes and teaches its course; PermissionDenied or Http404."""
    if not (user.is_active and all(user.has_perm(p) for p in permissions)):
        raise PermissionDenied
    courses = (
        Quiz.objects.all() if sees_every_course(user) else Quiz.objects.filter(course__in=staff_courses(user))
    )
    return get_object_or_404(courses.select_related("course", "module"), pk=quiz_id)


def pool_modules(quiz: Quiz) -> list[ModulePage]:
    """The modules whose questions the quiz draws: its module, or every module of its course."""
    if quiz.module_id:
        return [quiz.module]
    return list(ModulePage.objects.child_of(quiz.course).order_by("path"))


def quiz_edit_url(quiz: Quiz) -> str:
    return reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])


def new_question_url(quiz: Quiz, module: ModulePage) -> str:
    query = urlencode({"quiz": quiz.pk, "module": module.pk})
    return f"{reverse('wagtailsnippets_quizzes_question:add')}?{query}"


# --- the pool, in the quiz's edit view -----------------------------------------------------------------


class QuizPoolPanel(Panel):
    """The quiz's pool as a tab of its edit view (read-only: the actions are links)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "courses/admin/quiz_pool_panel.html"

        class Media:
            css = {"all": ["quizzes/quiz_pool.css"]}

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            quiz = self.instance
            if quiz is None or quiz.pk is None:
                return {**context, "unsaved": True}
            context.update(
                pool=quiz_pool_view(quiz),
                add_links=[(module, new_question_url(quiz, module)) for module in pool_modules(quiz)],
                add_existing_url=reverse("wagtailsnippets_quizzes_quiz:pool_add", args=[quiz.pk]),
                preview_url=reverse("wagtailsnippets_quizzes_quiz:preview", args=[quiz.pk]),
                analysis_url=reverse("insight_item_analysis", args=[quiz.pk]),
            )
            return context


# --- a new question, pre-attached -------------------------------------------------------------------


class PoolQuestionCreateView(QuestionCreateView):
    """The question bank's add view; with ?quiz=&module= (a quiz this user may change, one of the
    modules it draws from) the new question is taught in that module, so it lands in the quiz's
    pool, and saving returns to the quiz. Parameters that do not fit are ignored."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.pool_quiz, self.pool_module = self._pool_target(request)

    def _pool_target(self, request):
        quiz_id, module_id = request.GET.get("quiz", ""), request.GET.get("module", "")
        if not (quiz_id.isdigit() and module_id.isdigit()) or len(quiz_id) > 12 or len(module_id) > 12:
            return None, None
        try:
            quiz = quiz_for_author(request.user, int(quiz_id))
        except (Http404, PermissionDenied):
            return None, None
        module = next((m for m in pool_modules(quiz) if m.pk == int(module_id)), None)
        return (quiz, module) if module else (None, None)

    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance()
        if self.pool_module is None:
            return instance
        instance = instance or Question()
        instance.module = self.pool_module
        return instance

    def get_add_url(self):
        url = super().get_add_url()
        if self.pool_module is None:
            return url
        query = urlencode({"quiz": self.pool_quiz.pk, "module": self.pool_module.pk})
        return f"{url}{'&' if '?' in url else '?'}{query}"

    def get_success_url(self):
        if self.pool_quiz is None:
            return super().get_success_url()
        return quiz_edit_url(self.pool_quiz)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pool_quiz"], context["pool_module"] = self.pool_quiz, self.pool_module
        return context


# --- an existing question from the bank ---------------------------------------------------------------


class PoolAddForm(forms.Form):
    question = forms.ModelChoiceField(
        queryset=Question.objects.filter(retired=False),
        widget=AdminSnippetChooser(Question),
        help_text="Search the question bank. A question taught in another module stays there and a copy "
        "(same family: never drawn with it) joins this pool; one taught nowhere yet moves here.",
    )
    module = forms.ModelChoiceField(
        queryset=ModulePage.objects.none(),
        empty_label=None,
        help_text="The module that teaches it: the post-test draws from every module of the course.",
    )

    def __init__(self, *args, modules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = ModulePage.objects.filter(pk__in=[m.pk for m in modules])
        if len(modules) == 1:
            self.fields["module"].initial = modules[0].pk
            self.fields["module"].widget = forms.HiddenInput()


class QuizPoolAddView(WagtailAdminTemplateMixin, FormView):
    template_name = "courses/admin/quiz_pool_add.html"
    form_class = PoolAddForm
    header_icon = "help"

    def dispatch(self, request, *args, **kwargs):
        permissions = (CHANGE_QUIZ, ADD_QUESTION, CHANGE_QUESTION)
        self.quiz = quiz_for_author(request.user, kwargs["pk"], permissions=permissions)
        self.modules = pool_modules(self.quiz)
        if not self.modules:
            messages.error(request, "This course has no module yet: add one, then its questions.")
            return redirect(quiz_edit_url(self.quiz))
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Add a question from the bank to “{self.quiz.title}”"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wagtailsnippets_quizzes_quiz:list"), "label": "Quizzes and post-tests"},
            {"url": quiz_edit_url(self.quiz), "label": self.quiz.title},
            {"url": "", "label": "Add from the bank"},
        ]

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "modules": self.modules}
        if "data" in kwargs:  # the chooser re-renders what was posted: only a plausible id, or nothing
            data = kwargs["data"].copy()
            for name in ("question", "module"):
                value = data.get(name, "")
                if not (value.isascii() and value.isdigit() and len(value) <= 12):
                    data[name] = ""
            kwargs["data"] = data
        return kwargs

    def form_valid(self, form):
        question, copied = pool_question_add(
            question=form.cleaned_data["question"], module=form.cleaned_data["module"], user=self.request.user
        )
        how = "A copy of the question" if copied else "The question"
        messages.success(self.request, f"{how} is now in this quiz's pool: {question}")
        return redirect(quiz_edit_url(self.quiz))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "quiz": self.quiz,
            "cancel_url": quiz_edit_url(self.quiz),
        }


# --- the preview ---------------------------------------------------------------------------------------


class QuizPreviewView(View):
    """The quiz drawn and shown as a learner sees it; submitting grades the answers in memory and only
    then shows the key. Nothing is written: no attempt, no response. The draw is made again from the
    seed the form carries (the seed says nothing about the answers)."""

    def dispatch(self, request, *args, **kwargs):
        self.quiz = quiz_for_author(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        seed = random.SystemRandom().randrange(SEED_LIMIT)
        snapshot = quiz_snapshot(self.quiz, random.Random(seed))
        zones = zones_with_shapes(snapshot.get("zones", []))
        questions = [question_widget(public_item(item), None, zones) for item in snapshot["questions"]]
        return self._render(request, seed=seed, questions=questions)

    def post(self, request, pk):
        seed = request.POST.get("seed", "")
        if not seed.isdigit() or int(seed) >= SEED_LIMIT:
            return HttpResponseBadRequest("This preview's draw is not valid: open the preview again.")
        seed = int(seed)
        snapshot = quiz_snapshot(self.quiz, random.Random(seed))
        try:
            answers = validate_answers(snapshot, answers_from_form(snapshot, request.POST))
        except AnswerError as error:
            return HttpResponseBadRequest(str(error))
        zones = snapshot.get("zones", [])
        rows, items = [], []
        for item in snapshot["questions"]:
            answer = answers.get(item["qid"])
            score, correct = grading.grade(item["kind"], item["key"], answer)
            fails = item_fails_critical(item, answer, correct)
            rows.append((item["position"], score, correct, fails))
            items.append(
                {
                    "position": item["position"],
                    "stem": item["stem"],
                    "critical": item["critical"],
                    "is_correct": correct,
                    "score_percent": round(score * 100),
                    "fails_critical": fails,
                    "your_answer": describe_answer(item, answer, zones),
                    "correct_answer": describe_answer(item, item["key"], zones),
                    "explanation": item.get("explanation", ""),
                    "edit_url": reverse("wagtailsnippets_quizzes_question:edit", args=[item["qid"]]),
                }
            )
        outcome = grading.attempt_outcome(rows, self.quiz.pass_mark)
        return self._render(request, seed=seed, results=items, outcome=outcome)

    def _render(self, request, **context):
        context.update(
            quiz=self.quiz,
            edit_url=quiz_edit_url(self.quiz),
            preview_url=reverse("wagtailsnippets_quizzes_quiz:preview", args=[self.quiz.pk]),
        )
        return render(request, "courses/quiz_preview.html", context)
