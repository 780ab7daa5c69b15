"""The CE Broker export in the Wagtail admin (provider admins: whoever keeps the provider's details and
approvals). Pick a state and completion dates; the page lists what is ready to report and what needs
fixing first; "Record export" stores the roster file and marks its completions reported; past exports
download again from the list."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from . import ce_broker
from .approval_admin import can_edit_approvals
from .ce_broker_models import CEBrokerExport

MAX_RANGE_DAYS = 400
# Completion dates a range may name: the site's certificates lie well inside, and a date near the calendar's
# end (9999-12-31) would overflow when the day after it is computed (ce_broker._day_bounds).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def can_report_ce_broker(user) -> bool:
    return can_edit_approvals(user)


class RangeForm(forms.Form):
    state = forms.ChoiceField()
    date_from = forms.DateField(label="Completed from", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="to", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        states = ce_broker.rules().states
        self.fields["state"].choices = [(code, f"{s.name} ({code})") for code, s in sorted(states.items())]

    def _bounded(self, name):
        value = self.cleaned_data[name]
        if not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(
                f"Choose a date between {EARLIEST:%b %-d, %Y} and {LATEST:%b %-d, %Y}."
            )
        return value

    def clean_date_from(self):
        return self._bounded("date_from")

    def clean_date_to(self):
        return self._bounded("date_to")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", "The end date is before the start date.")
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("date_to", f"Export at most {MAX_RANGE_DAYS} days at a time.")
        return cleaned


def _default_range() -> dict:
    today = timezone.localdate()
    return {
        "state": ce_broker.ce_broker_states()[0],
        "date_from": today - timedelta(days=90),
        "date_to": today,
    }


class CEBrokerView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "CE Broker reporting"
    header_icon = "upload"
    template_name = "courses/admin/ce_broker.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_report_ce_broker(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        form = form or RangeForm(
            self.request.GET if "state" in self.request.GET else None, initial=_default_range()
        )
        data = (
            form.cleaned_data
            if form.is_bound and form.is_valid()
            else (None if form.is_bound else _default_range())
        )
        rows = ce_broker.roster_rows(**data) if data else []
        state = ce_broker.rules().states[data["state"]] if data else None
        exported = self.request.GET.get("exported", "")
        context.update(
            {
                "form": form,
                "state": state,
                "ready": [row for row in rows if not row.problem],
                "problems": [row for row in rows if row.problem],
                "exports": ce_broker.exports_recent(),
                "just_exported": int(exported)
                if exported.isascii() and exported.isdigit() and len(exported) < 12
                else None,
                "report_within_days": ce_broker.rules().report_within_days,
                "columns": ce_broker.COLUMNS,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        form = RangeForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            export = ce_broker.ce_broker_export_create(user=request.user, **form.cleaned_data)
        except ce_broker.ExportError as error:
            messages.error(request, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request, f"Recorded: {export.row_count} completions reported in {export.state}'s roster."
        )
        query = "&".join(f"{k}={form.data[k]}" for k in ("state", "date_from", "date_to"))
        return redirect(f"{reverse('ce_broker')}?{query}&exported={export.pk}")


def ce_broker_export_file(request, pk: int):
    if not can_report_ce_broker(request.user):
        raise PermissionDenied
    export = get_object_or_404(CEBrokerExport, pk=pk)
    if not export.file:
        raise Http404("This export has no file.")
    name = export.file.name.rsplit("/", 1)[-1]
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=name)


ce_broker_view = CEBrokerView.as_view()
