"""The admin home's "needs attention" panels (Wagtail's construct_homepage_panels, courses/wagtail_hooks.py):
one Component per kind of trouble, each reading courses/attention.py for the viewer's courses only and
linking every row to where it is dealt with. Shown to course staff (courses.insight_views.can_see_records);
a panel with nothing to show says so.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from . import attention, ce_broker
from .admin_views import can_manage_certificates
from .insight_views import can_see_records
from .permissions import staff_courses


class AttentionPanel(Component):
    order = 90  # above Wagtail's own panels (moderation 210+, recent edits 250)
    heading = ""
    panel_id = ""

    def __init__(self, request):
        self.request = request

    @property
    def user(self):
        return self.request.user

    def get_context_data(self, parent_context=None):
        return {"panel_id": self.panel_id, "heading": self.heading, **self.contents()}

    def contents(self) -> dict:
        raise NotImplementedError

    @staticmethod
    def listed(listing: attention.Listing, row) -> dict:
        """The template's rows (`row` makes one from each item), the full count and how many are left out."""
        return {"rows": [row(item) for item in listing.rows], "total": listing.total, "more": listing.more}


def person_name(user) -> str:
    """Who someone is, for staff: their full (legal) name, else their e-mail (never the bare username)."""
    if user is None:
        return ""
    return (
        (user.legal_name or "").strip() or user.get_full_name().strip() or user.email or user.get_username()
    )


def learner_record_url(user_id, course_id) -> str:
    return reverse("insight_learner", args=[user_id]) + f"#course-{course_id}"


class LearnersPanel(AttentionPanel):
    heading = "Learners who may need help"
    panel_id = "attention-learners"
    template_name = "courses/admin/home/learners_panel.html"
    order = 91

    def contents(self):
        out = attention.learners_out_of_attempts(self.user)
        stalled = attention.learners_stalled(self.user)
        return {
            "out_of_attempts": [
                {
                    "row": row,
                    "record_url": learner_record_url(row.learner.pk, row.quiz.course_id),
                    "grant_url": reverse(
                        "insight_learner_override", args=[row.learner.pk, "extra-attempts", row.quiz.pk]
                    ),
                }
                for row in out.rows
            ],
            "out_total": out.total,
            "out_more": out.more,
            "stalled": [
                {"enrollment": e, "record_url": learner_record_url(e.user_id, e.course_id)}
                for e in stalled.rows
            ],
            "stalled_total": stalled.total,
            "stalled_more": stalled.more,
            "stalled_days": attention.STALLED_AFTER.days,
            "attention_url": reverse("insight_attention"),
        }


class FlaggedQuestionsPanel(AttentionPanel):
    heading = "Questions flagged by item analysis"
    panel_id = "attention-questions"
    template_name = "courses/admin/home/questions_panel.html"
    order = 92

    def contents(self):
        flagged, analysed = attention.flagged_questions(self.user)

        def row(item):
            return {
                "item": item,
                "analysis_url": reverse("insight_item_analysis", args=[item.quiz.pk]) + "#section-flagged",
                "edit_url": reverse("wagtailsnippets_quizzes_question:edit", args=[item.stat.question_id]),
            }

        return {
            **self.listed(flagged, row),
            "analysed": analysed,
            "analysed_max": attention.ANALYSED_QUIZZES,
            "index_url": reverse("insight_quizzes"),
        }


class CertificatesPanel(AttentionPanel):
    heading = "Certificates failed or stuck"
    panel_id = "attention-certificates"
    template_name = "courses/admin/home/certificates_panel.html"
    order = 93

    def contents(self):
        found = attention.certificates_in_trouble(self.user)
        manage = can_manage_certificates(self.user)

        def url(certificate):
            if manage:
                return reverse("courses_certificate", args=[certificate.pk])
            roster = reverse("insight_roster", args=[certificate.enrollment.course_id])
            return f"{roster}?q={certificate.code}"

        return {
            **self.listed(found, lambda c: {"certificate": c, "url": url(c)}),
            "pending_minutes": int(attention.CERTIFICATE_PENDING_FOR.total_seconds() // 60),
            "index_url": reverse("courses_certificates") if manage else "",
        }


class EvaluationsPanel(AttentionPanel):
    heading = "New evaluations with comments"
    panel_id = "attention-evaluations"
    template_name = "courses/admin/home/evaluations_panel.html"
    order = 94

    def contents(self):
        found = attention.new_evaluations(self.user)
        return {
            **self.listed(
                found,
                lambda e: {
                    "evaluation": e,
                    "url": reverse("insight_evaluations", args=[e.enrollment.course_id]),
                },
            ),
            "days": attention.NEW_EVALUATIONS.days,
        }


class ModerationPanel(AttentionPanel):
    heading = "Course drafts awaiting moderation"
    panel_id = "attention-moderation"
    template_name = "courses/admin/home/moderation_panel.html"
    order = 95

    def contents(self):
        found = attention.drafts_in_moderation(self.user)
        return self.listed(
            found,
            lambda item: {
                "item": item,
                "url": reverse("wagtailadmin_pages:edit", args=[item.page.pk]),
                "requested_by": person_name(item.state.requested_by),
            },
        )


class CEBrokerDuePanel(AttentionPanel):
    """Provider admins only (wagtail_hooks): completions owed to CE Broker, oldest first, with the date each
    is due by (completion + the state's reporting window)."""

    heading = "Not yet reported to CE Broker"
    panel_id = "attention-ce-broker"
    template_name = "courses/admin/home/ce_broker_panel.html"
    order = 96

    def contents(self):
        rows, total = ce_broker.unreported_due(attention.PANEL_ROWS)
        today = timezone.localdate()
        for row in rows:
            row["overdue"] = row["due"] < today
        return {
            "rows": rows,
            "total": total,
            "more": max(0, total - len(rows)),
            "index_url": reverse("ce_broker"),
            "days": ce_broker.rules().report_within_days,
        }


PANELS = (LearnersPanel, FlaggedQuestionsPanel, CertificatesPanel, EvaluationsPanel, ModerationPanel)


def attention_panels(request) -> list[AttentionPanel]:
    """The panels for this user: none for anyone who sees no course records or teaches no course."""
    if not can_see_records(request.user) or not staff_courses(request.user).exists():
        return []
    return [panel(request) for panel in PANELS]
