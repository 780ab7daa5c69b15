"""A course's records for instructors and providers: the roster and the evaluations summary.

The roster is one query for every row, whatever their number: progress, post-test figures and
the evaluation come from correlated subqueries, the learner and the certificate from joins.
Providers keep these records for six years: nothing here writes, and a deactivated learner
stays on the roster (marked inactive).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps as global_apps
from django.db.models import Avg, Count, DecimalField, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from quizzes.models import Attempt, Quiz

from .models import CertificateEvent, CourseEvaluation, CoursePage, Enrollment, ModulePage, ModuleProgress
from .seat_time import quiz_seconds_by_learner, seat_time_required_seconds

# Staff permissions the records pages need (granted to the Instructors group by records_permissions_grant).
RECORDS_PERMISSIONS = [
    ("courses", "enrollment", "view_enrollment"),
    ("courses", "certificate", "view_certificate"),
    ("courses", "courseevaluation", "view_courseevaluation"),
]


def live_module_ids(course: CoursePage) -> list[int]:
    return list(ModulePage.objects.child_of(course).live().values_list("pk", flat=True))


def final_quiz_id(course: CoursePage) -> int | None:
    return Quiz.objects.filter(course=course, module__isnull=True).values_list("pk", flat=True).first()


def roster_queryset(course: CoursePage, enrollments=None, *, module_ids=None, quiz_id=None):
    """Enrollments (the course's, or `enrollments` already filtered) with everything a roster row shows, in
    one query (module ids and quiz id passed in)."""
    module_ids = live_module_ids(course) if module_ids is None else module_ids
    progress = ModuleProgress.objects.filter(enrollment=OuterRef("pk")).order_by().values("enrollment")
    done = (
        progress.filter(completed_at__isnull=False, module_id__in=module_ids)
        .annotate(n=Count("pk"))
        .values("n")
    )
    reading = progress.annotate(s=Sum("seconds_spent")).values("s")  # as seat_time.module_seconds counts
    attempts = Attempt.objects.filter(user=OuterRef("user_id"), quiz_id=quiz_id).order_by()
    graded = attempts.filter(score__isnull=False)
    enrollments = Enrollment.objects.filter(course=course) if enrollments is None else enrollments
    return (
        enrollments.filter(course=course)
        .select_related("user", "certificate")
        .annotate(
            modules_done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
            reading_seconds=Coalesce(Subquery(reading, output_field=IntegerField()), Value(0)),
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
    # What the roster page adds (roster_page_rows): time on task and what an instructor may act on.
    seconds_on_task: int | None = None
    seconds_required: int = 0
    next_module: ModulePage | None = None  # the first live module not complete
    open_quiz: Quiz | None = None  # the first quiz attempted and not passed

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

    @property
    def seat_time_met(self) -> bool:
        return self.seconds_on_task is not None and self.seconds_on_task >= self.seconds_required


def roster_rows(course: CoursePage, enrollments=None):
    """(rows queryset, module total, final quiz id): three queries, then rows as they are read."""
    module_ids = live_module_ids(course)
    quiz_id = final_quiz_id(course)
    queryset = roster_queryset(course, enrollments, module_ids=module_ids, quiz_id=quiz_id)
    return queryset, len(module_ids), quiz_id


def roster_page_rows(course: CoursePage, enrollments: list[Enrollment], module_total: int) -> list[RosterRow]:
    """Rows for one page of the roster (annotated enrollments): time on task, the next module to complete and
    the quiz the learner is working on, for the per-learner actions. Four queries whatever the page's size."""
    enrollments = list(enrollments)
    if not enrollments:
        return []
    user_ids = [e.user_id for e in enrollments]
    quiz_seconds = quiz_seconds_by_learner(course.pk, user_ids)
    modules = list(ModulePage.objects.child_of(course).live().only("pk", "title", "path").order_by("path"))
    completed = set(
        ModuleProgress.objects.filter(enrollment__in=enrollments, completed_at__isnull=False).values_list(
            "enrollment_id", "module_id"
        )
    )
    quizzes = sorted(
        Quiz.objects.filter(course=course)
        .select_related("module")
        .only("pk", "title", "max_attempts", "module__path"),
        key=lambda q: (q.module_id is None, q.module.path if q.module_id else ""),
    )
    tried = {
        (row["user_id"], row["quiz_id"]): row["passes"]
        for row in Attempt.objects.filter(quiz__in=quizzes, user_id__in=user_ids)
        .order_by()
        .values("user_id", "quiz_id")
        .annotate(passes=Count("pk", filter=Q(passed=True)))
    }
    rows = []
    for e in enrollments:
        e.course = course  # seat_time_required_seconds reads it: no query per row
        rows.append(
            RosterRow(
                e,
                module_total,
                seconds_on_task=e.reading_seconds + quiz_seconds.get(e.user_id, 0),
                seconds_required=seat_time_required_seconds(e),
                next_module=next((m for m in modules if (e.pk, m.pk) not in completed), None),
                open_quiz=next((q for q in quizzes if tried.get((e.user_id, q.pk)) == 0), None),
            )
        )
    return rows


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
