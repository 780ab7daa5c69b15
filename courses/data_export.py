"""A learner's own data, as one JSON file: profile, enrollments, module progress, evaluations,
certificates, quiz attempts with their answers, and what course staff changed for them (the overrides:
who, when, what and why).

What an attempt includes follows what the learner could already see: their answers in words,
the attempt's score and outcome, and per-question results only when the quiz's feedback policy
shows which questions were wrong. Answer keys and explanations are never exported (they would
let anyone harvest the question bank through a data request).

Review cards export what the learner sees of them (topic label, schedule, their ratings), never the
question served; renewal records export their fields, not the uploaded files (those download on their own).

`learner_data` runs a fixed number of queries (nine) whatever the amount of data; staff see the
same records in the admin (courses/insight_views.py).
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from fsrs import Rating

from quizzes.models import Attempt, AttemptStatus, FeedbackPolicy, Response
from quizzes.review_models import ReviewCard, ReviewPreference
from quizzes.selectors import describe_answer

from .models import Enrollment, ModuleProgress
from .override_selectors import override_export_rows
from .renewal_models import Credential, OutsideCertificate

FORMAT = "bodywork-ce-learner-data/1"
PROFILE_FIELDS = [
    "username",
    "email",
    "first_name",
    "last_name",
    "legal_name",
    "license_number",
    "license_state",
    "date_joined",
    "last_login",
    "is_active",
]


def _profile(user) -> dict:
    profile = {name: getattr(user, name) for name in PROFILE_FIELDS}
    profile["license_state_name"] = user.get_license_state_display() if user.license_state else ""
    return profile


def _one_to_one(instance, name):
    try:
        return getattr(instance, name)
    except ObjectDoesNotExist:  # no certificate or evaluation yet
        return None


def _certificate(certificate) -> dict | None:
    if certificate is None:
        return None
    return {
        "code": certificate.code,
        "status": certificate.status,
        "created_at": certificate.created_at,
        "issued_at": certificate.issued_at,
        "revoked_at": certificate.revoked_at,
        "revoked_reason": certificate.revoked_reason,
        "printed_details": certificate.snapshot,
    }


def _evaluation(evaluation) -> dict | None:
    if evaluation is None:
        return None
    data = {name: getattr(evaluation, name) for name in evaluation.RATING_FIELDS}
    data.update(comments=evaluation.comments, submitted_at=evaluation.submitted_at)
    return data


def _enrollments(user) -> list[dict]:
    enrollments = list(
        Enrollment.objects.filter(user=user)
        .select_related("course", "certificate", "evaluation")
        .order_by("enrolled_at", "pk")
    )
    progress: dict[int, list[dict]] = {}
    rows = (
        ModuleProgress.objects.filter(enrollment__in=enrollments)
        .order_by("module__path")
        .values("enrollment_id", "module_id", "module__title", "started_at", "completed_at", "seconds_spent")
    )
    for row in rows:
        progress.setdefault(row["enrollment_id"], []).append(
            {
                "module_id": row["module_id"],
                "module": row["module__title"],
                "started_at": row["started_at"],
                "completed_at": row["completed_at"],
                "seconds_spent": row["seconds_spent"],
            }
        )
    return [
        {
            "course_id": e.course_id,
            "course": e.course.title,
            "approved_title": e.course.approved_title,
            "ce_hours": e.course.ce_hours,
            "status": e.status,
            "enrolled_at": e.enrolled_at,
            "enrolled_through": e.source_text,  # self sign-up, a class list (by whom), a code
            "completed_at": e.completed_at,
            "modules_completed": sum(1 for m in progress.get(e.pk, []) if m["completed_at"]),
            "modules": progress.get(e.pk, []),
            "evaluation": _evaluation(_one_to_one(e, "evaluation")),
            "certificate": _certificate(_one_to_one(e, "certificate")),
        }
        for e in enrollments
    ]


def _question(item: dict, response, zones: list[dict], per_question: bool) -> dict:
    answer = response.answer if response else None
    data = {
        "position": item["position"],
        "question": item["stem"],
        "kind": item["kind"],
        "options": [o["text"] for o in item.get("options", [])],
        "your_answer": describe_answer(item, answer, zones),
    }
    if per_question and response is not None and response.score is not None:
        data.update(score=response.score, correct=response.is_correct)
    return data


def _attempts(user, *, include_responses: bool) -> list[dict]:
    attempts = list(
        Attempt.objects.filter(user=user).select_related("quiz", "quiz__course").order_by("started_at", "pk")
    )
    responses: dict[int, dict[int, Response]] = {}
    if include_responses and attempts:
        for response in Response.objects.filter(attempt__in=attempts):
            responses.setdefault(response.attempt_id, {})[response.position] = response
    out = []
    for attempt in attempts:
        data = {
            "quiz_id": attempt.quiz_id,
            "quiz": attempt.quiz.title,
            "course": attempt.quiz.course.title,
            "number": attempt.number,
            "status": attempt.status,
            "started_at": attempt.started_at,
            "deadline": attempt.deadline,
            "submitted_at": attempt.submitted_at,
            "score": attempt.score,
            "passed": attempt.passed,
            "failed_critical": attempt.failed_critical,
            "fail_reason": attempt.fail_reason,
        }
        if include_responses:
            graded = attempt.status != AttemptStatus.IN_PROGRESS
            per_question = graded and attempt.quiz.feedback_policy != FeedbackPolicy.SCORE_ONLY
            saved = responses.get(attempt.pk, {})
            zones = attempt.snapshot.get("zones", [])
            data["questions"] = [
                _question(item, saved.get(item["position"]), zones, per_question)
                for item in attempt.questions
            ]
        out.append(data)
    return out


def learner_data(user, *, include_responses: bool = True) -> dict:
    """Everything the platform holds about what `user` did, as JSON-ready Python values."""
    return {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "profile": _profile(user),
        "enrollments": _enrollments(user),
        "quiz_attempts": _attempts(user, include_responses=include_responses),
        "overrides": override_export_rows(user),
        "review": _review(user),
        "renewals": _renewals(user),
    }


def _review(user) -> dict:
    preference = ReviewPreference.objects.filter(user=user).first()
    cards = ReviewCard.objects.filter(user=user).order_by("created_at", "pk")
    return {
        "digest_emails": bool(preference and preference.digest),
        "cards": [
            {
                "about": card.label,
                "why": card.get_source_display(),
                "safety_critical": card.critical,
                "added_at": card.created_at,
                "due": card.due,
                "reviews": [_rating(log) for log in card.reviews],
            }
            for card in cards
        ],
    }


def _rating(log: dict) -> dict:
    return {"rating": Rating(log["rating"]).name, "at": log.get("review_datetime")}


def _renewals(user) -> dict:
    return {
        "credentials": list(
            Credential.objects.filter(user=user)
            .order_by("pk")
            .values("kind", "license_number", "renewal_date", "created_at")
        ),
        "outside_certificates": list(
            OutsideCertificate.objects.filter(user=user)
            .order_by("pk")
            .values(
                "title",
                "provider_name",
                "completed_on",
                "hours",
                "minutes",
                "subject",
                "delivery",
                "uploaded_at",
            )
        ),
    }


def learner_data_response(user) -> HttpResponse:
    body = json.dumps(learner_data(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"bodywork-ce-data-{user.pk}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
def profile_export(request):
    """/accounts/profile/export/: the signed-in learner's own data, and nobody else's."""
    return learner_data_response(request.user)
