"""Thin views: look the page up, call a service, say what happened, redirect."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from . import certificates
from .certificates import code_normalize
from .completion import EvaluationError, evaluation_submit
from .enrollment_codes import code_redeem
from .exports import csv_response
from .forms import CertificateLookupForm, CourseEvaluationForm, EnrollmentCodeForm
from .gating import evaluation_refusal
from .journey import course_state
from .links import site_url
from .models import Certificate, CourseEvaluation, CoursePage, ModulePage
from .next_step import next_step
from .open_badges import certificate_badge_check
from .permissions import is_course_staff
from .selectors import dashboard_context, enrollment_for
from .services import ProgressError, enrollment_create, module_visit
from .services import module_complete as module_complete_service
from .transcript_selectors import transcript_rows, transcript_totals


@require_POST
def enroll(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not request.user.is_authenticated:
        return redirect_to_login(course.get_url(request))
    try:
        enrollment_create(user=request.user, course=course)
    except ProgressError as error:
        messages.error(request, error.message)
        return redirect(course.get_url(request))
    messages.success(
        request, f"You are enrolled in {course.title}. Modules open in order: start with the first."
    )
    return redirect(course.get_url(request))


@require_POST
def module_complete(request, module_id: int):
    module = get_object_or_404(ModulePage.objects.live(), pk=module_id)
    if not request.user.is_authenticated:
        return redirect_to_login(module.get_url(request))
    try:
        module_complete_service(user=request.user, module=module)
    except ProgressError as error:
        messages.error(request, error.message)
        return redirect(module.get_url(request))
    messages.success(request, f"“{module.title}” marked complete.")
    return redirect(_after_completion_url(request, module))


@require_POST
def module_study(request, module_id: int):
    """The module page's study clock: a ping each minute while the learner is active on the page
    (cms/static/js/site.js). The time is the server's, credited by courses.seat_time with its idle cap."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"ok": False, "error": "Your session has ended: please log in again."}, status=401
        )
    module = get_object_or_404(ModulePage.objects.live(), pk=module_id)
    if module_visit(user=request.user, module=module) is None:
        return JsonResponse({"ok": False, "error": "This module is not open to you."}, status=403)
    return JsonResponse({"ok": True})


def _after_completion_url(request, module: ModulePage) -> str:
    course = CoursePage.objects.parent_of(module).first()
    modules = course.live_modules()
    index = next(i for i, m in enumerate(modules) if m.pk == module.pk)
    if index + 1 < len(modules):
        return modules[index + 1].get_url(request)
    return course.get_url(request)


@login_required
def dashboard(request):
    return render(request, "courses/dashboard.html", dashboard_context(user=request.user))


# --- evaluation, certificates, transcript, verification ----------------------------------------------


def _staff_may_download(user, certificate: Certificate) -> bool:
    """Certificate managers ("change_certificate": provider-wide, like the admin's certificate pages)
    download any certificate; staff who read certificates ("view_certificate", the Instructors group)
    only those of the courses they teach (or of every course with "courses.view_all_records")."""
    if not user.is_active:
        return False
    if user.has_perm("courses.change_certificate"):
        return True
    return user.has_perm("courses.view_certificate") and is_course_staff(
        user, certificate.enrollment.course_id
    )


@login_required
def evaluation(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live().select_related("provider"), pk=course_id)
    enrollment = enrollment_for(user=request.user, course=course)
    if enrollment is None:
        messages.error(request, "Enroll in this course before evaluating it.")
        return redirect(course.get_url(request))
    if CourseEvaluation.objects.filter(enrollment=enrollment).exists():
        messages.info(request, "You have already evaluated this course. Thank you!")
        return redirect(course.get_url(request))
    enrollment.course = course
    state = course_state(enrollment)
    refusal = evaluation_refusal(state)
    if refusal:  # a clear page, no form; a post changes nothing
        context = {"course": course, "refusal": refusal, "next_step": next_step(state)}
        return render(
            request, "courses/evaluation.html", context, status=403 if request.method == "POST" else 200
        )
    form = CourseEvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_submit(
                enrollment=enrollment, ratings=form.ratings(), comments=form.cleaned_data["comments"]
            )
        except EvaluationError as error:
            messages.error(request, error.message)
            return redirect(course.get_url(request))
        certificate = Certificate.objects.filter(enrollment=enrollment).first()
        if certificate is not None:
            messages.success(
                request,
                "Thank you for your evaluation. You have completed the course: "
                "your CE certificate is on your dashboard.",
            )
            return redirect("dashboard")
        messages.success(request, "Thank you for your evaluation.")
        return redirect(course.get_url(request))
    return render(request, "courses/evaluation.html", {"course": course, "form": form})


def certificate_download(request, code: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    certificate = get_object_or_404(Certificate.objects.select_related("enrollment"), code=code)
    staff = _staff_may_download(request.user, certificate)
    owner = certificate.enrollment.user_id == request.user.pk
    # Someone else's certificate is "not found", never "forbidden": codes are not to be probed.
    if not (staff or (owner and certificate.status == Certificate.Status.ISSUED)):
        raise Http404("No certificate here.")
    if not certificate.pdf or not certificate.pdf.storage.exists(certificate.pdf.name):
        raise Http404("The certificate file is not ready yet.")
    filename = f"CE-certificate-{slugify(certificate.snapshot.get('course_title', 'course'))[:60]}-{code}.pdf"
    response = FileResponse(
        certificate.pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def transcript(request):
    rows = transcript_rows(user=request.user)
    total, by_body = transcript_totals(rows)
    return render(
        request, "courses/transcript.html", {"rows": rows, "total_hours": total, "hours_total": by_body}
    )


TRANSCRIPT_CSV_HEADER = [
    "Participant",
    "License",
    "Course",
    "Course type",
    "CE hours",
    "Enrolled",
    "Completed",
    "Provider",
    "NCBTMB provider #",
    "Certificate no.",
    "Status",
    "Approvals",
    "CE hours by approving body",
]


@login_required
def transcript_csv(request):
    user = request.user
    license_text = f"{user.license_number} {user.license_state}".strip()
    rows = (
        [
            user.display_name,
            license_text,
            row["course_title"],
            row["course_type"],
            row["ce_hours"],
            row["enrolled_at"].date(),
            row["completion_date"],
            row["provider_name"],
            row["provider_number"] if row["ncbtmb_approved"] else "",
            row["code"],
            row["status"],
            "; ".join(a["line"] for a in row["approvals"]),
            "; ".join(f"{b['name']}: {b['hours']}" for b in row["hours"]["by_body"]),
        ]
        for row in transcript_rows(user=user)
    )
    return csv_response("ce-transcript.csv", TRANSCRIPT_CSV_HEADER, rows, streaming=False)


@login_required
def transcript_pdf(request):
    rows = transcript_rows(user=request.user)
    total, by_body = transcript_totals(rows)
    html = render_to_string(
        "courses/transcript_pdf.html",
        {
            "rows": rows,
            "total_hours": total,
            "hours_total": by_body,
            "learner": request.user,
            "generated": timezone.now(),
            "verify_base": site_url(request),
        },
    )
    # looked up when called: a test that patches courses.certificates.html_to_pdf while the URLconf is first
    # imported must not leave its mock bound here
    response = HttpResponse(certificates.html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="ce-transcript.pdf"'
    return response


def _setting_rate(group: str, request) -> str:
    return settings.RATE_LIMITS[group]  # read per request, so a deployment or a test can change it


# Look-ups per client address (settings.RATE_LIMITS["certificate_verify"]): codes are not to be guessed.
# Over the rate, django-ratelimit's middleware answers with the site's 429 page (settings.RATELIMIT_VIEW).
verify_rate_limit = ratelimit(group="certificate_verify", key="ip", rate=_setting_rate, method="GET")


@verify_rate_limit
def certificate_lookup(request):
    form = CertificateLookupForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("courses:certificate_verify", code=form.cleaned_data["code"])
    return render(request, "courses/certificate_verify_form.html", {"form": form})


@verify_rate_limit
def certificate_verify(request, code: str):
    canonical = code_normalize(code)
    if canonical and canonical != code:
        return redirect("courses:certificate_verify", code=canonical)
    certificate = (
        Certificate.objects.filter(
            code=canonical, status__in=[Certificate.Status.ISSUED, Certificate.Status.REVOKED]
        ).first()
        if canonical
        else None
    )
    if certificate is None:
        return render(
            request,
            "courses/certificate_verify_not_found.html",
            {"code": code, "form": CertificateLookupForm()},
            status=404,
        )
    return render(
        request,
        "courses/certificate_verify.html",
        {
            "certificate": certificate,
            "s": certificate.snapshot,
            "completion_date": date.fromisoformat(certificate.snapshot["completion_date"]),
            "issue_date": certificate.issued_at or certificate.created_at,
            "badge_check": certificate_badge_check(certificate, base_url=site_url(request)),
        },
    )


# Redemptions per account (settings.RATE_LIMITS["enrollment_code"]): a class redeems its codes one each,
# and codes are not to be guessed; over the rate, the site's 429 page.
@ratelimit(group="enrollment_code", key="user_or_ip", rate=_setting_rate, method="POST")
def code_redeem_view(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = EnrollmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            redemption = code_redeem(user=request.user, course=course, text=form.cleaned_data["code"])
        except ProgressError as error:  # a CodeError, or the course closed for enrollment
            form.add_error("code", error.message)
        else:
            (messages.success if redemption.used_code else messages.info)(request, redemption.message)
            return redirect(course.get_url(request))
    return render(request, "courses/enrollment_code.html", {"course": course, "form": form})
