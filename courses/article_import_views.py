"""Wagtail admin view: import an article as a draft module."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from content.importer import ArticleError

from .article_import import UNCHANGED, article_import
from .article_import_form import ArticleImportForm

IMPORT_PERMISSION = "content.add_sourcearticle"


class ArticleImportView(WagtailAdminTemplateMixin, FormView):
    form_class = ArticleImportForm
    template_name = "content/admin/article_import.html"
    page_title = "Import article"
    header_icon = "doc-full-inverse"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def form_valid(self, form):
        data = form.cleaned_data
        course = data["course"]
        if not course.permissions_for_user(self.request.user).can_add_subpage():
            form.add_error("course", "You may not add modules to this course.")
            return self.form_invalid(form)
        try:
            result = article_import(
                raw=data["raw"], file_name=data["source_name"], course=course, user=self.request.user
            )
        except ArticleError as exc:
            form.add_error(data["source_field"], str(exc))
            return self.form_invalid(form)
        level = messages.info if result.status == UNCHANGED else messages.success
        level(self.request, result.message)
        return redirect(reverse("wagtailadmin_pages:edit", args=[result.module.pk]))


article_import_view = ArticleImportView.as_view()
