"""A course's records for instructors and providers: the roster and the evaluations summary.

The roster is one query for every row, whatever their number: progress, post-test figures and
the evaluation come from correlated subqueries, the learner and the certificate from joins.
Providers keep these records for six years: nothing here writes, and a deactivated learner
stays on the roster (marked inactive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.apps import apps as global_apps
from django.db.models import Avg, Count, DecimalField, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from quizzes.models import Attempt, Quiz

from .models import CertificateEvent, CourseEvaluation, CoursePage, Enrollment, ModulePage, ModuleProgress

# Staff permissions the records pages need (granted to the Instructors group by records_permissions_grant).
RECORDS_PERMISSIONS = [
    ("courses", "enrollment", "view_enrollment"),
    ("courses", "certificate", "view_certificate"),
    ("courses", "courseevaluation", "view_courseevaluation"),
]

DATE_FIELDS = {"enrolled": "enrolled_at", "completed": "completed_at"}


@dataclass(frozen=True)
class RosterFilters:
    status: str = ""
    date_field: str = "enrolled"
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""


def live_module_ids(course: CoursePage) -> list[int]:
    return list(ModulePage.objects.child_of(course).live().values_list("pk", flat=True))


def final_quiz_id(course: CoursePage) -> int | None:
    return Quiz.objects.filter(course=course, module__isnull=True).values_list("pk", flat=True).first()


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_enrollments(course: CoursePage, filters: RosterFilters):
    enrollments = Enrollment.objects.filter(course=course)
    if filters.status:
        enrollments = enrollments.filter(status=filters.status)
    field = DATE_FIELDS.get(filters.date_field, "enrolled_at")
    if filters.date_from:
        enrollments = enrollments.filter(**{f"{field}__gte": _day_start(filters.date_from)})
    if filters.date_to:
        enrollments = enrollments.filter(
            **{f"{field}__lt": _day_start(filters.date_to) + timezone.timedelta(days=1)}
        )
    if filters.search:
        term = filters.search.strip()
        enrollments = enrollments.filter(
            Q(user__legal_name__icontains=term)
            | Q(user__username__icontains=term)
            | Q(user__email__icontains=term)
            | Q(user__license_number__icontains=term)
            | Q(certificate__code__iexact=term)
        )
    return enrollments


def roster_queryset(
    course: CoursePage, filters: RosterFilters = RosterFilters(), *, module_ids=None, quiz_id=None
):
    """Enrollments with everything a roster row shows, in one query (module ids and quiz id passed in)."""
    module_ids = live_module_ids(course) if module_ids is None else module_ids
    done = (
        ModuleProgress.objects.filter(
            enrollment=OuterRef("pk"), completed_at__isnull=False, module_id__in=module_ids
        )
        .order_by()
        .values("enrollment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    attempts = Attempt.objects.filter(user=OuterRef("user_id"), quiz_id=quiz_id).order_by()
    graded = attempts.filter(score__isnull=False)
    return (
        filtered_enrollments(course, filters)
        .select_related("user", "certificate")
        .annotate(
            modules_done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
            best_score=Subquery(
                graded.order_by("-score").values("score")[:1],
                output_field=DecimalField(max_digits=5, decimal_places=2),
            ),
            attempts_used=Coalesce(
                Subquery(
                    attempts.values("user").annotate(n=Count("pk")).values("n"), output_field=IntegerField()
                ),
                Value(0),
            ),
            post_test_passed=Exists(attempts.filter(passed=True)),
            evaluated=Exists(CourseEvaluation.objects.filter(enrollment=OuterRef("pk"))),
        )
        .order_by("user__legal_name", "user__username", "pk")
    )


@dataclass(frozen=True)
class RosterRow:
    enrollment: Enrollment
    module_total: int

    @property
    def user(self):
        return self.enrollment.user

    @property
    def progress_percent(self) -> int:
        total = self.module_total
        return (self.enrollment.modules_done * 100) // total if total else 0

    @property
    def best_score(self) -> Decimal | None:
        # SQLite hands a subquery's decimal back unquantized (93.3300000000000).
        score = self.enrollment.best_score
        return None if score is None else Decimal(score).quantize(Decimal("0.01"))

    @property
    def certificate(self):
        try:
            return self.enrollment.certificate
        except Enrollment.certificate.RelatedObjectDoesNotExist:
            return None


def roster_rows(course: CoursePage, filters: RosterFilters = RosterFilters()):
    """(rows queryset, module total, final quiz id): three queries, then rows as they are read."""
    module_ids = live_module_ids(course)
    quiz_id = final_quiz_id(course)
    return roster_queryset(course, filters, module_ids=module_ids, quiz_id=quiz_id), len(module_ids), quiz_id


ROSTER_CSV_HEADER = [
    "legal_name",
    "username",
    "email",
    "license_number",
    "license_state",
    "account_active",
    "enrollment_status",
    "enrolled_at",
    "completed_at",
    "modules_completed",
    "modules_total",
    "progress_percent",
    "post_test_best_score",
    "post_test_attempts",
    "post_test_passed",
    "evaluation_submitted",
    "certificate_code",
    "certificate_status",
    "certificate_issued_at",
    "certificate_revoked_at",
    "certificate_revoked_reason",
]


def roster_csv_rows(queryset, module_total: int):
    for enrollment in queryset.iterator(chunk_size=1000):
        row = RosterRow(enrollment, module_total)
        user, certificate = enrollment.user, row.certificate
        yield [
            user.legal_name,
            user.username,
            user.email,
            user.license_number,
            user.license_state,
            user.is_active,
            enrollment.get_status_display(),
            enrollment.enrolled_at,
            enrollment.completed_at,
            enrollment.modules_done,
            module_total,
            row.progress_percent,
            row.best_score,
            enrollment.attempts_used,
            enrollment.post_test_passed,
            enrollment.evaluated,
            certificate.code if certificate else "",
            certificate.get_status_display() if certificate else "",
            certificate.issued_at if certificate else None,
            certificate.revoked_at if certificate else None,
            certificate.revoked_reason if certificate else "",
        ]


# --- evaluations ---------------------------------------------------------------------------------------


def rating_fields() -> list[tuple[str, str]]:
    """(field name, the statement rated) for each 1–5 rating of the evaluation form."""
    return [
        (name, str(CourseEvaluation._meta.get_field(name).verbose_name))
        for name in CourseEvaluation.RATING_FIELDS
    ]


def course_evaluations(course: CoursePage):
    return CourseEvaluation.objects.filter(enrollment__course=course)


def evaluation_summary(course: CoursePage) -> dict:
    """Count, mean and 1–5 distribution of every rating, in one query."""
    scale = [value for value, _ in CourseEvaluation.RATINGS]
    aggregates = {"count": Count("pk")}
    for name, _ in rating_fields():
        aggregates[f"{name}__mean"] = Avg(name)
        for value in scale:
            aggregates[f"{name}__{value}"] = Count("pk", filter=Q(**{name: value}))
    agg = course_evaluations(course).aggregate(**aggregates)
    count = agg["count"]
    ratings = []
    for name, label in rating_fields():
        distribution = [
            {
                "value": value,
                "count": agg[f"{name}__{value}"],
                "percent": round(100 * agg[f"{name}__{value}"] / count) if count else 0,
            }
            for value in sorted(scale)
        ]
        ratings.append(
            {
                "field": name,
                "label": label,
                "mean": agg[f"{name}__mean"],
                "distribution": distribution,
                "stack": _stacked(distribution, count),
            }
        )
    overall = [r["mean"] for r in ratings if r["mean"] is not None]
    return {"count": count, "ratings": ratings, "overall": sum(overall) / len(overall) if overall else None}


def _stacked(distribution: list[dict], count: int) -> list[dict]:
    """Segments of a 100-unit bar, one per rating value (for the summary's SVG bars)."""
    x, segments = 0.0, []
    for d in distribution:
        width = 100 * d["count"] / count if count else 0
        segments.append({"value": d["value"], "x": round(x, 2), "percent": round(width, 2)})
        x += width
    return segments


def evaluation_comments(course: CoursePage):
    return (
        course_evaluations(course)
        .exclude(comments="")
        .select_related("enrollment__user")
        .order_by("-submitted_at", "-pk")
    )


def evaluation_csv_header() -> list[str]:
    return [
        "submitted_at",
        "legal_name",
        "username",
        "license_number",
        "license_state",
        *CourseEvaluation.RATING_FIELDS,
        "comments",
    ]


def evaluation_csv_rows(course: CoursePage):
    rows = course_evaluations(course).select_related("enrollment__user").order_by("submitted_at", "pk")
    for evaluation in rows.iterator(chunk_size=1000):
        user = evaluation.enrollment.user
        yield [
            evaluation.submitted_at,
            user.legal_name,
            user.username,
            user.license_number,
            user.license_state,
            *(getattr(evaluation, name) for name in CourseEvaluation.RATING_FIELDS),
            evaluation.comments,
        ]


def certificate_history(user) -> dict[str, list]:
    """{certificate code: [events, oldest first]} of a learner's certificates (one query)."""
    events: dict[str, list] = {}
    rows = CertificateEvent.objects.filter(certificate__enrollment__user=user).select_related(
        "certificate", "user"
    )
    for event in rows.order_by("created_at", "pk"):
        events.setdefault(event.certificate.code, []).append(event)
    return events


def records_permissions_grant(apps=None) -> int:
    """Give the Instructors group the records permissions; idempotent. Call from a data migration with
    its `apps` (after the courses migration that creates Certificate and CourseEvaluation)."""
    if apps is None:
        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    instructors, _ = Group.objects.get_or_create(name="Instructors")
    granted = 0
    for app_label, model, codename in RECORDS_PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, content_type__model=model, codename=codename
        ).first()
        if permission is not None:
            instructors.permissions.add(permission)
            granted += 1
    return granted
