"""Enrollment codes: issuing a batch, redeeming one (ok, used, expired, another course's, mistyped), the
rate limit, the staff pages (list, printable, CSV) and their scope."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from courses.enrollment_codes import CODE_LENGTH, CodeError, code_normalize, code_redeem, codes_issue
from courses.models import Enrollment, EnrollmentCode
from courses.services import course_instructor_assign, enrollment_create
from tests.factories import InstructorFactory, UserFactory, course_create


@pytest.fixture
def codes(course, assigned_instructor):
    return codes_issue(course=course, count=3, by=assigned_instructor, batch="Spring cohort")


def _redeem_url(course):
    return reverse("courses:code_redeem", args=[course.pk])


def test_issue_makes_distinct_unused_codes(codes, course):
    assert len({c.code for c in codes}) == 3
    assert all(
        len(c.code) == CODE_LENGTH and c.redeemed_by is None and c.batch == "Spring cohort" for c in codes
    )
    assert EnrollmentCode.objects.filter(course=course).count() == 3


@pytest.mark.parametrize("count", [0, 501])
def test_issue_refuses_odd_counts(course, count):
    with pytest.raises(CodeError):
        codes_issue(course=course, count=count, by=None)


def test_typing_is_forgiving(codes):
    shown = codes[0].display_code
    assert code_normalize(f"  {shown.lower()} ") == codes[0].code
    assert code_normalize(shown.replace("O", "0").replace("I", "1")) == codes[0].code


def test_redeem_enrolls_and_records_the_code(codes, course, learner):
    redemption = code_redeem(user=learner, course=course, text=codes[0].display_code)
    assert redemption.used_code and redemption.enrollment.source == Enrollment.Source.CODE
    assert redemption.enrollment.source_detail == f"code {codes[0].display_code}"
    codes[0].refresh_from_db()
    assert codes[0].redeemed_by == learner and codes[0].redeemed_at is not None
    again = code_redeem(user=learner, course=course, text=codes[0].code)  # the same learner, again: no harm
    assert again.enrollment == redemption.enrollment and "before" in again.message


def test_a_used_code_is_refused_to_someone_else(codes, course, learner, other_learner):
    code_redeem(user=learner, course=course, text=codes[0].code)
    with pytest.raises(CodeError, match="already been used"):
        code_redeem(user=other_learner, course=course, text=codes[0].code)
    assert not Enrollment.objects.filter(user=other_learner).exists()


def test_an_expired_code_is_refused(codes, course, learner):
    EnrollmentCode.objects.filter(pk=codes[0].pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(CodeError, match="expired on"):
        code_redeem(user=learner, course=course, text=codes[0].code)
    assert not Enrollment.objects.filter(user=learner).exists()


def test_another_courses_code_is_refused(codes, catalogue, learner):
    other = course_create(catalogue, title="Neck Pain", slug="neck-pain")
    with pytest.raises(CodeError, match="another course"):
        code_redeem(user=learner, course=other, text=codes[0].code)
    codes[0].refresh_from_db()
    assert codes[0].redeemed_by is None


@pytest.mark.parametrize("text", ["", "ABC", "\u202eABCDE-FGHIJ", "ЖЖЖЖЖ-ЖЖЖЖЖ", "AAAAA-AAAAA"])
def test_mistyped_or_unknown_codes_are_refused(codes, course, learner, text):
    with pytest.raises(CodeError):
        code_redeem(user=learner, course=course, text=text)


def test_an_enrolled_learner_keeps_the_code_free(codes, course, learner):
    enrollment_create(user=learner, course=course)
    redemption = code_redeem(user=learner, course=course, text=codes[0].code)
    assert not redemption.used_code and "not used" in redemption.message
    codes[0].refresh_from_db()
    assert codes[0].redeemed_by is None
    assert Enrollment.objects.get(user=learner, course=course).source == Enrollment.Source.SELF


# --- the learner's page ---------------------------------------------------------------------------------


def test_redeem_page(client, codes, course, learner):
    assert client.get(_redeem_url(course)).status_code == 302  # log in first
    client.force_login(learner)
    page = client.get(_redeem_url(course))
    assert page.status_code == 200 and b"Enrollment code" in page.content
    assert client.post(_redeem_url(course), {"code": "nul\x00byte"}).status_code == 400  # cms.middleware
    wrong = client.post(_redeem_url(course), {"code": codes[0].code[:-1]})
    assert wrong.status_code == 200 and b"has 10 letters and digits" in wrong.content
    ok = client.post(_redeem_url(course), {"code": codes[1].display_code})
    assert ok.status_code == 302 and ok["Location"] == course.url
    assert Enrollment.objects.filter(user=learner, course=course, source=Enrollment.Source.CODE).exists()
    used = client.post(_redeem_url(course), {"code": codes[1].code})
    assert used.status_code == 302  # the same learner again: told they used it before


def test_redemptions_are_rate_limited(client, course, learner, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "enrollment_code": "3/h"}
    cache.clear()
    client.force_login(learner)
    statuses = [
        client.post(_redeem_url(course), {"code": f"AAAAA-BBBB{n}"}).status_code for n in "234567"[:4]
    ]
    assert statuses == [200, 200, 200, 429]
    cache.clear()


# --- the staff pages ------------------------------------------------------------------------------------


def test_staff_issue_list_print_and_csv(
    client, course, assigned_instructor, learner, django_assert_max_num_queries
):
    client.force_login(assigned_instructor)
    url = reverse("enrollment_codes", args=[course.pk])
    response = client.post(url, {"count": "4", "batch": '=HYPERLINK("x")', "expires_on": ""})
    assert response.status_code == 302
    codes = list(EnrollmentCode.objects.filter(course=course))
    assert len(codes) == 4
    code_redeem(user=learner, course=course, text=codes[0].code)
    UserFactory.create_batch(2)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    body = page.content.decode()
    assert all(code.display_code in body for code in codes) and learner.display_name in body
    printable = client.get(url + "?print=1").content.decode()
    assert (
        "<ul>" in printable
        and codes[1].display_code in printable
        and reverse("wagtailadmin_home") not in printable
    )
    export = client.get(reverse("enrollment_codes_csv", args=[course.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Code" and len(rows) == 5
    assert all(row[1].startswith("'=") for row in rows[1:])  # the batch name cannot run as a formula
    assert {row[3] for row in rows[1:]} == {"Used", "Unused"}


def test_staff_form_refuses_a_past_expiry(client, course, assigned_instructor):
    client.force_login(assigned_instructor)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        reverse("enrollment_codes", args=[course.pk]), {"count": "2", "expires_on": yesterday}
    )
    assert response.status_code == 200 and "This day has passed" in response.content.decode()
    assert not EnrollmentCode.objects.exists()


def test_another_courses_instructor_can_do_nothing_with_the_codes(client, codes, course, catalogue):
    stranger = InstructorFactory()
    course_instructor_assign(course=course_create(catalogue, title="Theirs", slug="theirs"), user=stranger)
    client.force_login(stranger)
    for url in (
        reverse("enrollment_codes", args=[course.pk]),
        reverse("enrollment_codes_csv", args=[course.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("enrollment_codes", args=[course.pk]), {"count": "5"}).status_code == 404
    assert EnrollmentCode.objects.count() == 3
    home = client.get(reverse("enrollment_home")).content.decode()
    assert course.title not in home and "Theirs" in home
