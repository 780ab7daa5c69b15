"""Courses in the Wagtail admin: providers (certificate details), certificates (staff actions),
course instructors (who teaches which course) and the guard on deleting pages with learner records."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views import (
    can_manage_certificates,
    certificate_action,
    certificate_detail_view,
    certificate_index_view,
)
from .models import CourseInstructor, Provider
from .selectors import learner_records_under, records_text


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
        from .services import course_staff_sync

        instance = super().save_instance()
        course_staff_sync(instance.course)
        return instance


class CourseInstructorEditView(generic.EditView):
    def save_instance(self):
        from .models import CoursePage
        from .services import course_staff_sync

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
        from .services import course_staff_sync

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
    from wagtail.models import Page

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
