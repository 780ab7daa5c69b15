"""The course page's admin form and panels: what an instructor may fill in, what a provider admin
approves, and what a course needs before it is submitted or published.

Wagtail defers required fields when a draft is saved (WagtailAdminModelForm.is_deferred_validation), so
an instructor may save a half-written course; "Submit for moderation" and "Publish" validate in full.
"""

from django import forms
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel

# Whoever keeps the provider's details (its NCBTMB approved-provider number) approves a course's CE hours
# and provider: Provider admins and superusers, never the Instructors group (they only view providers).
CE_APPROVAL_PERMISSION = "courses.change_provider"


class ApprovalFieldPanel(FieldPanel):
    """A field holders of `permission` edit and everyone else sees read-only (Wagtail's FieldPanel
    `permission=` alone would hide it from them). The form leaves the field out for those without the
    permission (Wagtail's PermissionedForm), so a tampered POST cannot change it either."""

    def __init__(self, field_name, *args, **kwargs):
        kwargs.setdefault("read_only", True)  # shown read-only where the form has no such field
        super().__init__(field_name, *args, **kwargs)

    def get_form_options(self):
        read_only, self.read_only = self.read_only, False
        try:
            return super().get_form_options()
        finally:
            self.read_only = read_only

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self):
            return self.read_only or super().is_shown()


class CoursePageForm(WagtailAdminPageForm):
    """Submitting or publishing needs learning objectives and, where the editor approves them, CE hours
    above zero (a course made from the template starts at 0 until a provider admin approves its hours)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        provider = self.fields.get("provider")
        if provider is not None and self.instance.pk is None and len(provider.queryset[:2]) == 1:
            self.initial.setdefault("provider", provider.queryset[0].pk)  # the only provider there is

    def clean(self):
        cleaned = super().clean()
        if self.is_deferred_validation:  # saving a draft
            return cleaned
        if "learning_objectives" in self.fields and not cleaned.get("learning_objectives"):
            self.add_error(
                "learning_objectives",
                forms.ValidationError("Add at least one learning objective before submitting the course."),
            )
        # The approval fields, where this editor has them (provider admins, superusers): Publish and Approve
        # are refused here with the field marked; for others, the workflow task and hooks refuse
        # (courses/publish_checks.py).
        if "ce_hours" in self.fields and cleaned.get("ce_hours") is not None and cleaned["ce_hours"] <= 0:
            self.add_error("ce_hours", "Approve the CE hours (above 0) before publishing the course.")
        provider = cleaned.get("provider")
        if "provider" in self.fields and provider is not None and not provider.ncbtmb_provider_number.strip():
            self.add_error(
                "provider",
                f"The provider “{provider.name}” has no NCBTMB approved-provider number: add it under CE "
                "providers before publishing the course.",
            )
        return cleaned
