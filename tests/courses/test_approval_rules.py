"""What an approval must agree with (the CE-compliance review): NCBTMB's hours are the course's CE hours and
its number the provider's NCBTMB number; a state approves at most the course's hours; Florida and Georgia
approvals carry CE Broker's course number, and CE Broker's numbers are digits. A course whose approvals
disagree does not go live; a certificate never prints two figures without saying whose each is."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.approvals import ce_hours_summary
from courses.models import CourseApproval
from courses.publish_checks import course_publish_problems
from tests.courses.ce_records import approval_add
from tests.courses.test_course_creation import _post_edit, _with_objective
from tests.factories import ProviderAdminFactory

pytestmark = pytest.mark.django_db


def _errors(course, body, **fields) -> dict:
    with pytest.raises(ValidationError) as error:
        approval_add(course, body, **fields)
    return error.value.message_dict


def test_ncbtmb_is_for_the_courses_hours_under_the_providers_number(course):
    assert set(_errors(course, "NCBTMB", hours=Decimal("3"))) == {"hours"}
    assert "approved CE hours (2)" in _errors(course, "NCBTMB", hours=Decimal("3"))["hours"][0]
    message = _errors(course, "NCBTMB", provider_number="999999-99")["provider_number"][0]
    assert "#451234-10" in message
    assert approval_add(course, "NCBTMB").hours == course.ce_hours  # as the course says: accepted


def test_a_state_approves_at_most_the_courses_hours(course):
    assert (
        "At most the course's 2 approved CE hours" in _errors(course, "TX", hours=Decimal("2.5"))["hours"][0]
    )
    assert approval_add(course, "FL", hours=Decimal("1.5")).hours == Decimal("1.5")  # fewer: fine


def test_florida_and_georgia_need_the_ce_broker_course_number(course):
    for body in ("FL", "GA"):
        message = _errors(course, body, ce_broker_course_number="")["ce_broker_course_number"][0]
        assert "need the course's CE Broker course number" in message
    assert (
        "leave it empty" in _errors(course, "TX", ce_broker_course_number="123")["ce_broker_course_number"][0]
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("provider_number", '=HYPERLINK("http://x","y")'),
        ("provider_number", "+1234"),
        ("provider_number", "12 34"),
        ("provider_number", "１２３"),  # full-width digits: str.isdigit says yes, CE Broker would not
        ("ce_broker_course_number", "@SUM(A1)"),
        ("ce_broker_course_number", "-12"),
        ("ce_broker_course_number", "12²"),
    ],
)
def test_ce_broker_numbers_are_digits_only(course, field, value):
    assert "digits only" in _errors(course, "FL", **{field: value})[field][0]


def test_an_ended_approval_is_left_as_it_was(course):
    """An approval that has ended prints only on its time's certificates: a later change of the course's
    hours does not make it wrong (nor stop the course from being published)."""
    old = approval_add(course, "NCBTMB", valid_from=date(2020, 1, 1), valid_to=date(2021, 12, 31))
    course.ce_hours = Decimal("3.00")
    course.save()
    old.full_clean()
    approval_add(course, "NCBTMB", valid_from=date(2022, 1, 1))  # the approval in force today: 3 hours
    assert course_publish_problems(course) == []


def test_publishing_refuses_approvals_that_disagree_with_the_course(course):
    approval_add(course, "NCBTMB")
    florida = approval_add(course, "FL", hours=Decimal("1.5"))
    assert course_publish_problems(course) == []
    # approvals saved before these rules (no clean): what the course needs is named, per approval
    CourseApproval.objects.filter(pk=florida.pk).update(ce_broker_course_number="", hours=Decimal("4"))
    course.provider.ncbtmb_provider_number = "451234-11"
    course.provider.save()
    course.ce_hours = Decimal("3.00")
    problems = course_publish_problems(course)
    assert len(problems) == 4, problems
    assert "Florida approval from Jan 1, 2020 to be for at most the course's 3 CE hours" in problems[0]
    assert "Florida approval from Jan 1, 2020 to have the course's CE Broker course number" in problems[1]
    assert "NCBTMB approval from Jan 1, 2020 to be for the course's 3 CE hours (it says 2;" in problems[2]
    assert "NCBTMB number #451234-11 (it says #451234-10;" in problems[3]


def test_the_hours_can_change_with_the_course_in_moderation_order(client, course):
    """A provider admin raises the course's hours: Publish saves the draft and is refused (the NCBTMB
    approval still says 2); the approval then takes the draft's 3 hours; Publish goes through."""
    approval = approval_add(course, "NCBTMB")
    course.save_revision().publish()
    client.force_login(ProviderAdminFactory())
    response = _post_edit(client, course, "action-publish", **_with_objective(ce_hours="3.00"))
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.ce_hours == Decimal("2.00")  # not published
    messages = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert any("NCBTMB approval" in m and "3 CE hours" in m for m in messages), messages

    edit = reverse("course_approvals:edit", args=[approval.pk])
    data = {
        "course": course.pk,
        "body": "NCBTMB",
        "provider_number": approval.provider_number,
        "ce_broker_course_number": "",
        "hours": "3",
        "subject": "general",
        "delivery": "home_study",
        "valid_from": "2020-01-01",
        "valid_to": "",
    }
    assert (
        client.post(edit, {**data, "hours": "4"}).status_code == 200
    )  # neither the live 2 nor the draft's 3
    assert client.post(edit, data).status_code == 302
    response = _post_edit(client, course, "action-publish", **_with_objective(ce_hours="3.00"))
    course.refresh_from_db()
    assert course.ce_hours == Decimal("3.00") and course.live


def test_the_admin_form_says_what_a_florida_approval_needs(client, course):
    client.force_login(ProviderAdminFactory())
    data = {
        "course": course.pk,
        "body": "FL",
        "provider_number": "=1+1",
        "ce_broker_course_number": "",
        "hours": "2",
        "subject": "general",
        "delivery": "home_study",
        "valid_from": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "valid_to": "",
    }
    response = client.post(reverse("course_approvals:add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "need the course&#x27;s CE Broker course number" in page and "digits only" in page
    assert not CourseApproval.objects.exists()


# --- what the certificate prints -------------------------------------------------------------------------


def _snapshot(ce_hours="3.00", *approvals):
    return {"ce_hours": ce_hours, "approvals": [{"body": b, "hours": h} for b, h in approvals]}


def test_one_figure_when_every_body_approved_the_courses_hours():
    for snapshot in (_snapshot(), _snapshot("3.00", ("NCBTMB", "3.00"), ("FL", "3.00"))):
        summary = ce_hours_summary(snapshot)
        assert summary["uniform"] and summary["text"] == "3 CE hours"


def test_each_bodys_figure_when_a_state_approved_fewer():
    summary = ce_hours_summary(_snapshot("3.00", ("NCBTMB", "3.00"), ("FL", "2.00")))
    assert not summary["uniform"]
    assert summary["text"] == "NCBTMB: 3 CE hours · Florida: 2 CE hours"
    # a board's subjects add up (two rows: 1 h ethics, 0.5 h laws and rules)
    summary = ce_hours_summary(_snapshot("3.00", ("NCBTMB", "3.00"), ("GA", "1.00"), ("GA", "0.50")))
    assert summary["text"] == "NCBTMB: 3 CE hours · Georgia: 1.5 CE hours"
    # no NCBTMB row: NCBTMB's are the course's hours (the provider's NCBTMB approval covers the course)
    assert (
        ce_hours_summary(_snapshot("3.00", ("TX", "2.5")))["text"]
        == "NCBTMB: 3 CE hours · Texas: 2.5 CE hours"
    )


def test_an_ncbtmb_row_that_disagrees_is_never_hidden_behind_one_figure():
    """A certificate frozen before the rules: its NCBTMB row said 2 h of a 3-hour course."""
    summary = ce_hours_summary(_snapshot("3.00", ("NCBTMB", "2.00")))
    assert not summary["uniform"] and summary["ncbtmb"] == "2"


# --- approvals together: hours never add up past the course's (CE-compliance review, rules 1 and 2) ------


def _three_hours(course):
    course.ce_hours = Decimal("3.00")
    course.save()
    return course


def test_one_ncbtmb_approval_at_a_time(course):
    """Two NCBTMB approvals in force on one day would print "NCBTMB: 6 CE hours" on a 3-hour course."""
    _three_hours(course)
    first = approval_add(course, "NCBTMB", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    message = _errors(course, "NCBTMB", valid_from=date(2026, 6, 1))["valid_from"][0]
    assert "NCBTMB approval from Jan 1, 2026 to Dec 31, 2026 is in force on some of these days" in message
    assert _errors(course, "NCBTMB", valid_from=date(2025, 1, 1), valid_to=date(2026, 1, 1))  # one day is one
    approval_add(course, "NCBTMB", valid_from=date(2027, 1, 1))  # the next one, from the day after: fine
    first.full_clean()  # an edit of a saved approval does not meet itself
    first.valid_to = date(2027, 1, 1)
    assert "valid_from" in pytest.raises(ValidationError, first.full_clean).value.message_dict


def test_a_ce_broker_state_has_one_approval_at_a_time_so_no_split_by_subject(course):
    """Florida 3 h ethics + 3 h laws and rules would print "Florida: 6 CE hours"; and even 1 h + 2 h cannot
    be reported to CE Broker, which takes one course number per course (the export reports the first)."""
    _three_hours(course)
    approval_add(course, "FL", subject="ethics", valid_from=date(2026, 1, 1))
    for hours in ("3", "2"):
        message = _errors(
            course, "FL", subject="laws_rules", hours=Decimal(hours), valid_from=date(2026, 3, 1)
        )["valid_from"][0]
        assert "Florida Board of Massage Therapy approval from Jan 1, 2026, with no end" in message
        assert "CE Broker tracks one course number per course" in message
    approval_add(course, "GA", subject="ethics", valid_from=date(2026, 1, 1))  # another state: its own
    assert "valid_from" in _errors(course, "GA", hours=Decimal("1"), valid_from=date(2025, 1, 1))


def test_another_states_approvals_in_force_together_total_at_most_the_courses_hours(course):
    _three_hours(course)
    approval_add(course, "TX", provider_number="TX-1", subject="ethics", hours=Decimal("1"))
    approval_add(course, "TX", provider_number="TX-1", hours=Decimal("2"))  # 1 h ethics + 2 h general: fine
    message = _errors(
        course,
        "TX",
        provider_number="TX-1",
        subject="laws_rules",
        hours=Decimal("0.5"),
        valid_from=date(2026, 2, 1),
    )["hours"][0]
    assert (
        "in force on Feb 1, 2026, Texas Department of Licensing and Regulation would approve 3.5" in message
    )
    # after the others end, a new one is alone on its days
    TX = CourseApproval.objects.filter(course=course, body="TX")
    TX.update(valid_to=date(2026, 1, 31))
    approval_add(course, "TX", provider_number="TX-1", hours=Decimal("3"), valid_from=date(2026, 2, 1))


def test_publishing_refuses_approvals_that_add_up_past_the_course(course):
    """Rows saved before these rules (no clean): every route to live is refused, each conflict named."""
    _three_hours(course)
    rows = [
        ("NCBTMB", "451234-10", "", "3", date(2025, 1, 1), None),
        ("NCBTMB", "451234-10", "", "3", date(2026, 1, 1), None),
        ("FL", "9990001", "9990042", "3", date(2025, 1, 1), None),
        ("FL", "9990001", "9990042", "3", date(2025, 6, 1), None),
        ("TX", "TX-1", "", "2", date(2025, 1, 1), None),
        ("TX", "TX-1", "", "2", date(2025, 3, 1), date(2025, 12, 31)),  # ended: left alone
        ("TX", "TX-1", "", "2", date(2026, 3, 1), None),
    ]
    CourseApproval.objects.bulk_create(
        CourseApproval(
            course=course,
            body=body,
            provider_number=number,
            ce_broker_course_number=course_number,
            hours=Decimal(hours),
            valid_from=start,
            valid_to=end,
        )
        for body, number, course_number, hours, start, end in rows
    )
    problems = course_publish_problems(course)
    assert problems == [
        "its Florida approvals from Jan 1, 2025 and from Jun 1, 2025 not to be in force on the same days (one "
        "Florida approval at a time: CE Broker tracks one course number per course; CE approvals)",
        "its NCBTMB approvals from Jan 1, 2025 and from Jan 1, 2026 not to be in force on the same days (one "
        "NCBTMB approval at a time: a certificate prints one NCBTMB figure; CE approvals)",
        "its Texas approvals in force on Mar 1, 2026 to total at most the course's 3 CE hours (they total 4; "
        "CE approvals)",
    ], problems


def test_the_admin_form_refuses_a_second_ncbtmb_approval_and_edits_the_first(client, course):
    approval = approval_add(course, "NCBTMB")
    client.force_login(ProviderAdminFactory())
    data = {
        "course": course.pk,
        "body": "NCBTMB",
        "provider_number": approval.provider_number,
        "ce_broker_course_number": "",
        "hours": "2",
        "subject": "general",
        "delivery": "home_study",
        "valid_from": "2024-01-01",
        "valid_to": "",
    }
    response = client.post(reverse("course_approvals:add"), data)
    assert response.status_code == 200 and "one NCBTMB approval at a time" in response.content.decode()
    assert CourseApproval.objects.count() == 1
    edit = reverse("course_approvals:edit", args=[approval.pk])
    assert client.post(edit, {**data, "valid_to": "2030-12-31"}).status_code == 302  # itself: no conflict
    approval.refresh_from_db()
    assert approval.valid_to == date(2030, 12, 31)


# --- delivery type agrees with the course type (rule 4) -------------------------------------------------


def test_a_home_study_course_has_home_study_approvals_only(course):
    """Else the certificate prints "Course type: Home Study" beside "live hands-on", and trackers count the
    course toward hands-on minimums."""
    for delivery in ("hands_on", "live", "live_online"):
        message = _errors(course, "TX", provider_number="TX-1", delivery=delivery)["delivery"][0]
        assert message.startswith("A “Home Study” course's approvals are Home study (online, self-paced):")
    assert approval_add(course, "TX", provider_number="TX-1").delivery == "home_study"


def test_a_live_course_has_live_in_person_or_hands_on_approvals(course):
    course.course_type = "live"
    course.save()
    approval_add(course, "NCBTMB", delivery="hands_on")
    approval_add(course, "TX", provider_number="TX-1", delivery="live")
    for delivery in ("home_study", "live_online"):  # a webinar is not "Live / in person"
        assert "delivery" in _errors(course, "GA", delivery=delivery)


def test_the_course_type_and_its_approvals_change_in_either_order(course):
    """A home study course made live: its draft says live, so a hands-on approval is accepted; publishing
    the draft then finds the old home study approval, and refuses until it is changed."""
    course.save_revision().publish()
    old = approval_add(course, "NCBTMB")
    course.course_type = "live"
    course.save_revision()
    course.refresh_from_db()
    assert course.course_type == "home_study" and course.has_unpublished_changes  # live: still home study
    approval_add(course, "TX", provider_number="TX-1", delivery="hands_on")  # the draft's type: accepted
    draft = course.get_latest_revision_as_object()
    assert course_publish_problems(draft) == [
        "its NCBTMB approval from Jan 1, 2020 to have a delivery type a “Live / in person” course can have, "
        "live in person or live hands-on (it says home study; CE approvals)"
    ]
    old.delivery = "live"
    old.full_clean()
    old.save()
    assert course_publish_problems(draft) == []


# --- an NCBTMB approval to go live (rule 3) ---------------------------------------------------------------


def _ncbtmb_missing(course) -> list[str]:
    return [p for p in course_publish_problems(course) if p.startswith("an NCBTMB approval of the course")]


def test_a_course_goes_live_only_with_an_ncbtmb_approval_in_force_that_day(course):
    """NCBTMB's approved-provider standards: the course itself is approved; its certificates print NCBTMB's
    seal and hours."""
    today = timezone.localdate()
    (missing,) = _ncbtmb_missing(course)
    assert f"in force on {today:%b %-d, %Y}, the day it goes live" in missing
    approval_add(course, "NCBTMB", valid_from=today - timedelta(days=400), valid_to=today - timedelta(days=1))
    approval_add(course, "NCBTMB", valid_from=today + timedelta(days=1))  # ended and not yet begun: refused
    assert _ncbtmb_missing(course)
    approval_add(course, "TX", provider_number="TX-1")  # a state's approval is no NCBTMB approval
    assert _ncbtmb_missing(course)
    course.go_live_at = timezone.now() + timedelta(days=1)  # published tomorrow, when it begins: fine
    assert _ncbtmb_missing(course) == []
    course.go_live_at = None
    CourseApproval.objects.filter(course=course, valid_from__gt=today).update(valid_from=today)
    assert _ncbtmb_missing(course) == []
