"""Course approvals in the Wagtail admin ("CE approvals"): provider admins add, change and delete them;
instructors (anyone with the admin) read them. The course page shows its approvals read-only, with links
here (templates/courses/admin/course_approvals_panel.html).

Who may edit is the course page's own rule for CE hours (courses.page_forms.CE_APPROVAL_PERMISSION:
whoever keeps the provider's details), so no new permission has to be granted to any group.
"""

from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from .approval_models import CourseApproval
from .page_forms import CE_APPROVAL_PERMISSION
from .permissions import reads_every_module

EDIT_ACTIONS = {"add", "change", "delete"}
APPROVAL_FIELDS = (  # a tuple: the form and the listing share it, and neither may change it
    "course",
    "body",
    "provider_number",
    "ce_broker_course_number",
    "hours",
    "subject",
    "delivery",
    "valid_from",
    "valid_to",
)


def can_edit_approvals(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(CE_APPROVAL_PERMISSION))


class ApprovalPermissionPolicy(BasePermissionPolicy):
    def user_has_permission(self, user, action):
        if action in EDIT_ACTIONS:
            return can_edit_approvals(user)
        if action == "view":
            return can_edit_approvals(user) or reads_every_module(user)
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model  # noqa: PLC0415 - only for Wagtail's rare callers

        users = get_user_model().objects.filter(is_active=True)
        return [user for user in users if self.user_has_any_permission(user, actions)]

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def instances_user_has_any_permission_for(self, user, actions):
        if self.user_has_any_permission(user, actions):
            return CourseApproval.objects.all()
        return CourseApproval.objects.none()


register_permission_policy(CourseApproval, ApprovalPermissionPolicy(CourseApproval))


class ApprovalIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("course")


class ApprovalCreateView(generic.CreateView):
    def get_initial(self):
        initial = super().get_initial()
        course = self.request.GET.get("course", "")
        if course.isascii() and course.isdigit() and len(course) < 12:
            initial["course"] = int(course)
        return initial


class ApprovalEditView(generic.EditView):
    pass


class ApprovalDeleteView(generic.DeleteView):
    pass


class ApprovalInspectView(generic.InspectView):
    pass


class CourseApprovalViewSet(ModelViewSet):
    model = CourseApproval
    icon = "tick-inverse"
    menu_label = "CE approvals"
    menu_name = "ce-approvals"
    menu_order = 263
    add_to_admin_menu = True
    # the listing shows every field the form has (one list: a field added to the form is listed too)
    form_fields = list_display = APPROVAL_FIELDS
    list_filter = ["course", "body"]
    ordering = ["course__title", "body", "valid_from"]
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ApprovalIndexView
    add_view_class = ApprovalCreateView
    edit_view_class = ApprovalEditView
    delete_view_class = ApprovalDeleteView
    inspect_view_class = ApprovalInspectView
