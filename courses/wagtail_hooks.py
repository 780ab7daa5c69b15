"""Courses in the Wagtail admin: providers (certificate details), certificates (staff actions),
course instructors (who teaches which course), the guard on deleting pages with learner records,
and the quizzes menu (question bank, course-scoped quizzes, generator, item analysis, course records)."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from quizzes.models import Question, Quiz

from .admin_views import (
    can_manage_certificates,
    certificate_action,
    certificate_detail_view,
    certificate_index_view,
)
from .approval_admin import CourseApprovalViewSet
from .article_import_views import article_import_view
from .ce_broker_views import can_report_ce_broker, ce_broker_export_file, ce_broker_view
from .course_create_views import course_create_view
from .enrollment_code_views import (
    can_enroll_learners,
    enrollment_codes_csv_view,
    enrollment_codes_view,
    enrollment_home_view,
)
from .home_panels import CEBrokerDuePanel, attention_panels
from .insight_views import can_see_item_analysis, can_see_records
from .models import CourseInstructor, CoursePage, Provider
from .permissions import creates_courses, reads_every_module, sees_every_course, staff_courses
from .publish_checks import page_publish_problems, refusal_text
from .publish_views import course_publish_refused_view
from .question_generation_views import generate_questions_view
from .quiz_admin import (
    QUIZZES_MENU_HOOK,
    CheckedMenuItem,
    QuizzesGroup,
    question_in_scope,
    quiz_deletion_refusal,
)
from .selectors import learner_records_under, records_text
from .staff_services import course_staff_sync


class ProviderViewSet(SnippetViewSet):
    model = Provider
    icon = "group"
    menu_label = "CE providers"
    menu_name = "providers"
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name", "ncbtmb_provider_number", "email", "signatory_name"]
    search_fields = ["name", "ncbtmb_provider_number", "email"]
    search_backend_name = None


register_snippet(ProviderViewSet)


class CertificatesMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_certificates(request.user)


@hooks.register("register_admin_menu_item")
def certificates_menu_item():
    return CertificatesMenuItem(
        "Certificates", reverse("courses_certificates"), name="certificates", icon_name="doc-full", order=270
    )


@hooks.register("register_admin_urls")
def certificate_admin_urls():
    return [
        path("certificates/", certificate_index_view, name="courses_certificates"),
        path("certificates/<int:pk>/", certificate_detail_view, name="courses_certificate"),
        path("certificates/<int:pk>/<str:action>/", certificate_action, name="courses_certificate_action"),
    ]


# --- course instructors ---------------------------------------------------------------------------------
# Managed by whoever holds the CourseInstructor model permissions ("manage course staff"; superusers),
# never by the Instructors group. Every change re-syncs the course's page-permission group.


class CourseInstructorIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("course", "user")


class CourseInstructorCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        course_staff_sync(instance.course)
        return instance


class CourseInstructorEditView(generic.EditView):
    def save_instance(self):
        before = (
            CourseInstructor.objects.filter(pk=self.object.pk).values_list("course_id", flat=True).first()
        )
        instance = super().save_instance()
        course_staff_sync(instance.course)
        if before and before != instance.course_id:
            course_staff_sync(CoursePage.objects.get(pk=before))
        return instance


class CourseInstructorDeleteView(generic.DeleteView):
    def delete_action(self):
        course = self.object.course
        super().delete_action()
        course_staff_sync(course)


class CourseInstructorViewSet(ModelViewSet):
    model = CourseInstructor
    icon = "user"
    menu_label = "Course instructors"
    menu_name = "course-instructors"
    menu_order = 265
    add_to_admin_menu = True
    form_fields = ["course", "user"]
    list_display = ["user", "course", "added_at"]
    list_filter = ["course"]
    ordering = ["course__title", "user__legal_name"]
    copy_view_enabled = False
    index_view_class = CourseInstructorIndexView
    add_view_class = CourseInstructorCreateView
    edit_view_class = CourseInstructorEditView
    delete_view_class = CourseInstructorDeleteView


@hooks.register("register_admin_viewset")
def course_instructor_viewset():
    return CourseInstructorViewSet("course_instructors")


@hooks.register("register_admin_viewset")
def course_approval_viewset():
    return CourseApprovalViewSet("course_approvals")


# --- deleting pages: learners' records are never lost ----------------------------------------------------
# Enrollments, module progress and quiz attempts PROTECT their course, module and quiz; a module's quiz
# (and a course's post-test) is deleted with its page when nobody has taken it. Refuse up front, with a
# message, rather than fail half-way with a ProtectedError.

KEEP_INSTEAD = "Learners' records are kept for six years: unpublish the page instead."


def _deletion_refused(request, page, records):
    messages.error(
        request,
        f"“{page.get_admin_display_title()}” cannot be deleted: learners' records depend on it "
        f"({records_text(records)}). {KEEP_INSTEAD}",
    )


@hooks.register("before_delete_page")
def refuse_deleting_pages_with_records(request, page):
    records = learner_records_under(page)
    if any(records.values()):
        _deletion_refused(request, page, records)
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_bulk_action")
def refuse_bulk_deleting_pages_with_records(request, action_type, objects, action_class_instance):
    if action_type != "delete":
        return None
    refused = False
    for page in objects:
        if isinstance(page, Page):
            records = learner_records_under(page)
            if any(records.values()):
                _deletion_refused(request, page, records)
                refused = True
    if refused:
        return redirect(action_class_instance.next_url or reverse("wagtailadmin_home"))
    return None


# --- quizzes, the question bank and the quiz tools ------------------------------------------------------

register_snippet(QuizzesGroup)


@hooks.register("before_delete_snippet")
def refuse_deleting_questions_out_of_scope(request, instances):
    questions = [instance for instance in instances if isinstance(instance, Question)]
    if not all(question_in_scope(request.user, question) for question in questions):
        raise Http404("No question here.")
    return None


@hooks.register("before_delete_snippet")
def refuse_deleting_quizzes_out_of_scope_or_taken(request, instances):
    quizzes = [instance for instance in instances if isinstance(instance, Quiz)]
    refusal = quiz_deletion_refusal(request.user, quizzes) if quizzes else ""
    if refusal:
        messages.error(request, refusal)
        return redirect("wagtailsnippets_quizzes_quiz:list")
    return None


@hooks.register(QUIZZES_MENU_HOOK)
def generate_questions_menu_item():
    return CheckedMenuItem(
        "Generate from knowledge base",
        reverse("quizzes_generate"),
        name="generate-questions",
        icon_name="cogs",
        order=900,
        check=lambda user: user.has_perm("quizzes.add_question"),
    )


@hooks.register(QUIZZES_MENU_HOOK)
def item_analysis_menu_item():
    return CheckedMenuItem(
        "Item analysis",
        reverse("insight_quizzes"),
        name="item-analysis",
        icon_name="table",
        order=950,
        check=can_see_item_analysis,
    )


@hooks.register("register_admin_menu_item")
def records_menu_item():
    return CheckedMenuItem(
        "Course records",
        reverse("insight_courses"),
        name="course-records",
        icon_name="group",
        order=260,
        check=can_see_records,
    )


@hooks.register("register_admin_menu_item")
def needs_attention_menu_item():
    return CheckedMenuItem(
        "Needs attention",
        reverse("insight_attention"),
        name="needs-attention",
        icon_name="warning",
        order=261,
        check=can_see_records,
    )


@hooks.register("register_admin_urls")
def quiz_tool_urls():
    return [
        path("quizzes/generate/", generate_questions_view, name="quizzes_generate"),
        path("", include("courses.insight_urls")),
    ]


@hooks.register("register_snippet_listing_buttons")
def item_analysis_listing_button(snippet, user, next_url=None):
    if isinstance(snippet, Quiz) and can_see_item_analysis(user):
        yield Button(
            "Item analysis",
            reverse("insight_item_analysis", args=[snippet.pk]),
            icon_name="table",
            priority=15,
        )


# --- the article importer: a raw article becomes a draft module of a course ------------------------------


@hooks.register("register_admin_urls")
def article_import_urls():
    return [path("import-article/", article_import_view, name="content_article_import")]


@hooks.register("register_admin_menu_item")
def article_import_menu_item():
    return CheckedMenuItem(
        "Import article",
        reverse("content_article_import"),
        name="import-article",
        icon_name="doc-full-inverse",
        order=250,
        check=lambda user: user.has_perm("content.add_sourcearticle"),
    )


# --- group enrollment: class lists (cms/class_enrollment_views.py) and enrollment codes ------------------


@hooks.register("register_admin_urls")
def enrollment_admin_urls():
    return [
        path("enrollment/", enrollment_home_view, name="enrollment_home"),
        path("enrollment/<int:course_id>/codes/", enrollment_codes_view, name="enrollment_codes"),
        path("enrollment/<int:course_id>/codes.csv", enrollment_codes_csv_view, name="enrollment_codes_csv"),
    ]


@hooks.register("register_admin_menu_item")
def enrollment_menu_item():
    return CheckedMenuItem(
        "Enroll learners",
        reverse("enrollment_home"),
        name="enroll-learners",
        icon_name="user",
        order=262,
        check=can_enroll_learners,
    )


# --- the admin home and course staff's styles ----------------------------------------------------------


@hooks.register("construct_homepage_panels")
def needs_attention_panels(request, panels):
    panels.extend(attention_panels(request))
    if can_report_ce_broker(request.user):
        panels.append(CEBrokerDuePanel(request))


# --- CE Broker reporting (courses/ce_broker.py): provider admins --------------------------------------


@hooks.register("register_admin_urls")
def ce_broker_urls():
    return [
        path("ce-broker/", ce_broker_view, name="ce_broker"),
        path("ce-broker/exports/<int:pk>.xlsx", ce_broker_export_file, name="ce_broker_export_file"),
    ]


@hooks.register("register_admin_menu_item")
def ce_broker_menu_item():
    return CheckedMenuItem(
        "CE Broker reporting",
        reverse("ce_broker"),
        name="ce-broker",
        icon_name="upload",
        order=264,
        check=can_report_ce_broker,
    )


@hooks.register("insert_global_admin_css")
def course_staff_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("courses/admin.css"))


# --- instructors start courses (courses.course_drafts); nobody else's drafts in the page chooser ---------


@hooks.register("register_admin_urls")
def course_create_urls():
    return [path("courses/new/", course_create_view, name="courses_course_create")]


@hooks.register("register_admin_menu_item")
def course_create_menu_item():
    return CheckedMenuItem(
        "New course",
        reverse("courses_course_create"),
        name="new-course",
        icon_name="doc-full",
        order=90,
        check=creates_courses,
    )


@hooks.register("construct_page_chooser_queryset")
def hide_other_courses_drafts(pages, request):
    """The chooser lists every page of the site (Wagtail does not scope it by permission): live pages are
    public anyway, but a draft is only for the staff of its own course."""
    user = request.user
    if sees_every_course(user):
        return pages
    own_subtrees = Q(live=True)
    for course_path in staff_courses(user).values_list("path", flat=True):
        own_subtrees |= Q(path__startswith=course_path)
    return pages.filter(own_subtrees)


# --- a course goes live only with approved CE hours and a provider number (courses/publish_checks.py) -----
# The editor's form marks the fields; the Course moderation task refuses a dashboard Approve
# (courses.approval_task); these cover an editor without the approval fields and bulk publishing.


@hooks.register("register_admin_urls")
def course_publish_urls():
    return [
        path(
            "courses/<int:page_id>/not-published/", course_publish_refused_view, name="course_publish_refused"
        )
    ]


@hooks.register("before_publish_page")
def refuse_publishing_unready_course(request, page):
    """Runs after the editor saved the draft revision (nothing typed is lost)."""
    problems = page_publish_problems(page)
    if problems:
        messages.error(request, refusal_text(page, problems))
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


def _bulk_published_courses(request, objects):
    pages = [page for page in objects if isinstance(page, Page)]
    yield from pages
    if request.POST.get("include_descendants"):  # "Publish this page's draft descendants too"
        for page in pages:
            yield from CoursePage.objects.descendant_of(page).not_live()


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_unready_courses(request, action_type, objects, action_class_instance):
    if action_type != "publish":
        return None
    refused = False
    checked = set()
    for page in _bulk_published_courses(request, objects):
        if page.pk in checked:
            continue
        checked.add(page.pk)
        problems = page_publish_problems(page)
        if problems:
            messages.error(request, f"Nothing was published. {refusal_text(page, problems)}")
            refused = True
    if refused:
        return redirect(action_class_instance.next_url or reverse("wagtailadmin_home"))
    return None


# --- caption tracks: learners get them only through the module that shows them (courses/media_views.py) ---


@hooks.register("before_serve_document")
def caption_tracks_for_staff_only(document, request):
    """Wagtail's document URL serves a WebVTT caption track to course staff (the admin's document library)
    and to nobody else: a learner's player fetches it through the module, after the same check as the
    clip's (enrolled, the module open to them)."""
    if document.file.name.lower().endswith(".vtt") and not reads_every_module(request.user):
        raise Http404("No such document.")
    return None
