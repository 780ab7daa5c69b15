"""What a course needs before it goes live, checked by every route that publishes one: the page editor's
Publish and workflow Approve (courses.page_forms.CoursePageForm), the Course moderation task's Approve
from the dashboard (courses.approval_task.CourseApprovalTask), the editor's `before_publish_page` hook
and bulk publishing (courses.wagtail_hooks).

A course is certified against its approved CE hours and its provider's NCBTMB approved-provider number,
both printed on every certificate: it never goes live with 0 hours or a provider without a number, nor with
approvals that disagree with them (an NCBTMB approval of other hours or under another number, a state's of
more hours than the course) or a Florida or Georgia approval without its CE Broker course number, nor with
approvals that add up past the course (two NCBTMB, Florida or Georgia approvals in force on one day, or
another board's in force together on one day for more than the course's hours) or with a delivery type
its course type does not allow (a home study course's "live hands-on"). Approvals that have ended
are left alone: they print only on the certificates of their time. A course goes live only with an NCBTMB
approval in force on the day it does (NCBTMB approves the course itself, and its certificates print
NCBTMB's seal and hours). These checks run where a provider publishes (the routes above); pages made live
by code (the demo set-up, test factories) are not checked.
"""

from django.apps import apps
from django.utils import timezone
from wagtail.models import Page

from .approval_models import (
    CE_BROKER_BODIES,
    ONE_AT_A_TIME_BODIES,
    ApprovalBody,
    CourseApproval,
    Delivery,
    delivery_name,
    delivery_types,
    hours_text,
    most_in_force,
    overlap,
)
from .approvals import HOURS_NAMES


def _which(approval) -> str:
    return (
        f"its {HOURS_NAMES.get(approval.body, approval.body)} approval from {approval.valid_from:%b %-d, %Y}"
    )


def approval_problems(course, provider, today=None) -> list[str]:
    """What the course's approvals in force today or later (one query) need to agree with `course`'s CE
    hours and `provider`'s NCBTMB number, and with each other, as CourseApproval.clean asks of each when
    it is saved."""
    if course.pk is None:
        return []
    today = today or timezone.localdate()
    approvals = [
        approval
        for approval in CourseApproval.objects.filter(course_id=course.pk).order_by(
            "body", "valid_from", "pk"
        )
        if approval.current(today)
    ]
    problems = []
    for approval in approvals:
        which = _which(approval)
        if approval.body == ApprovalBody.NCBTMB:
            if course.ce_hours and approval.hours != course.ce_hours:
                problems.append(
                    f"{which} to be for the course's {hours_text(course.ce_hours)} CE hours (it says "
                    f"{hours_text(approval.hours)}; CE approvals)"
                )
            number = (provider.ncbtmb_provider_number or "").strip() if provider else ""
            if number and approval.provider_number.strip() != number:
                problems.append(
                    f"{which} to carry the provider's NCBTMB number #{number} (it says "
                    f"#{approval.provider_number}; CE approvals)"
                )
        elif course.ce_hours and approval.hours > course.ce_hours:
            problems.append(
                f"{which} to be for at most the course's {hours_text(course.ce_hours)} CE hours (it says "
                f"{hours_text(approval.hours)}; CE approvals)"
            )
        if approval.body in CE_BROKER_BODIES and not approval.ce_broker_course_number.strip():
            problems.append(f"{which} to have the course's CE Broker course number (CE approvals)")
        allowed = delivery_types(course.course_type)
        if approval.delivery not in allowed:
            problems.append(
                f"{which} to have a delivery type a “{course.get_course_type_display()}” course can have, "
                f"{' or '.join(delivery_name(d) for d in Delivery if d in allowed)} (it says "
                f"{delivery_name(approval.delivery)}; CE approvals)"
            )
    return problems + _together_problems(course, approvals) + _ncbtmb_problems(course, approvals, today)


def _ncbtmb_problems(course, approvals: list, today) -> list[str]:
    """An NCBTMB approval in force on the day the course goes live (today, or the day its publication is
    scheduled for): NCBTMB's approved-provider standards require the course itself be approved, and every
    certificate prints NCBTMB's seal and hours."""
    go_live_at = getattr(course, "go_live_at", None)
    day = max(today, timezone.localdate(go_live_at)) if go_live_at else today
    if any(a.body == ApprovalBody.NCBTMB and a.covers(day) for a in approvals):
        return []
    return [
        f"an NCBTMB approval of the course in force on {day:%b %-d, %Y}, the day it goes live (NCBTMB "
        "approves the course itself, and every certificate prints NCBTMB's seal and hours; CE approvals)"
    ]


def _together_problems(course, approvals: list) -> list[str]:
    """One NCBTMB, Florida or Georgia approval in force on any day; another board's approvals in force on
    one day total at most the course's hours (CourseApproval.clean asks the same of each)."""
    problems = []
    for body in dict.fromkeys(a.body for a in approvals):
        rows = [a for a in approvals if a.body == body]
        name = HOURS_NAMES.get(body, body)
        if body in ONE_AT_A_TIME_BODIES:
            why = (
                "CE Broker tracks one course number per course"
                if body in CE_BROKER_BODIES
                else ("a certificate prints one NCBTMB figure")
            )
            problems += [
                f"its {name} approvals from {a.valid_from:%b %-d, %Y} and from {b.valid_from:%b %-d, %Y} not "
                f"to be in force on the same days (one {name} approval at a time: {why}; CE approvals)"
                for i, a in enumerate(rows)
                for b in rows[i + 1 :]
                if overlap(a, b)
            ]
        elif course.ce_hours:
            total, day = most_in_force(rows)
            if total > course.ce_hours:
                problems.append(
                    f"its {name} approvals in force on {day:%b %-d, %Y} to total at most the course's "
                    f"{hours_text(course.ce_hours)} CE hours (they total {hours_text(total)}; CE approvals)"
                )
    return problems


def course_publish_problems(course) -> list[str]:
    """What is missing before `course` (a page or a revision's copy of one) may go live; empty if nothing."""
    problems = []
    if course.ce_hours is None or course.ce_hours <= 0:
        problems.append("the approved CE hours (above 0): a provider admin sets them in the course editor")
    provider = course.provider if course.provider_id else None
    if provider is None:
        problems.append("a CE provider")
    elif not (provider.ncbtmb_provider_number or "").strip():
        problems.append(
            f"the NCBTMB approved-provider number of the provider “{provider.name}” (CE providers)"
        )
    return problems + approval_problems(course, provider)


def page_publish_problems(page: Page) -> list[str]:
    """For a course, what its latest revision (what publishing would put live) lacks; nothing for other pages."""
    page = page.specific_deferred if type(page) is Page else page
    if not isinstance(page, apps.get_model("courses", "CoursePage")):  # (courses.models imports this module)
        return []
    return course_publish_problems(page.get_latest_revision_as_object())


def refusal_text(course: Page, problems: list[str]) -> str:
    return f"“{course.get_admin_display_title()}” cannot be published yet. It needs {'; '.join(problems)}."
