"""The JSON verification API and the LinkedIn "Add to profile" link (issue 15, deliverable 5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from courses.models import Certificate, CourseApproval
from courses.services import certificate_revoke
from courses.share_links import linkedin_add_url
from courses.verification_api import hours_by_body
from tests.courses.certify import course_finish, small_course
from tests.factories import ProviderAdminFactory, UserFactory


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # the rate limit counts in the cache
    yield
    cache.clear()


@pytest.fixture
def issued(catalogue, django_capture_on_commit_callbacks):
    learner = UserFactory(legal_name="Anaïs Dubois & Co", license_number="MA77", license_state="FL")
    course, pages = small_course(catalogue, title="Ethics & Boundaries: Part 1/2")
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(learner, course, pages)
    return Certificate.objects.get(enrollment=enrollment)


def api(code):
    return reverse("courses:certificate_api", args=[code])


def test_the_api_answers_the_certificate_as_printed(client, issued):
    response = client.get(api(issued.code))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    s = issued.snapshot
    assert body == {
        "code": issued.code,
        "status": "valid",
        "revoked": False,
        "revoked_on": None,
        "name": "Anaïs Dubois & Co",
        "course": "Ethics & Boundaries: Part 1/2",
        "course_type": s["course_type"],
        "hours": "3.00",
        "hours_by_body": [],  # the course holds no approval: no body's hours to name
        "completion_date": s["completion_date"],
        "issue_date": issued.issued_at.date().isoformat(),
        "provider": {"name": s["provider_name"], "ncbtmb_provider_number": s["provider_number"]},
        "approvals": [],
        "verification_url": "http://testserver" + reverse("courses:certificate_verify", args=[issued.code]),
    }
    assert "MA77" not in response.content.decode()  # no license number, as on the public page


def test_the_api_lists_the_approvals_the_certificate_prints(
    client, catalogue, django_capture_on_commit_callbacks
):
    learner = UserFactory(license_number="MA99", license_state="FL")
    course, pages = small_course(catalogue)
    for body, number in (("NCBTMB", "1234"), ("FL", "50-0001"), ("TX", "TX-1")):
        CourseApproval.objects.create(
            course=course,
            body=body,
            provider_number=number.removeprefix("50-"),
            ce_broker_course_number="9990042" if body == "FL" else "",
            hours=Decimal("2.00" if body == "FL" else "3.00"),
            valid_from=date(2020, 1, 1),
        )
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(learner, course, pages)
    certificate = Certificate.objects.get(enrollment=enrollment)
    body = client.get(api(certificate.code)).json()
    approvals = body["approvals"]
    # each body's hours, named: "hours" alone is the course's (NCBTMB's), not Florida's
    assert body["hours"] == "3.00" and body["hours_by_body"] == [
        {"body": "NCBTMB", "name": "NCBTMB", "hours": "3.00"},
        {"body": "FL", "name": "Florida", "hours": "2.00"},
    ]
    assert [a["body"] for a in approvals] == ["NCBTMB", "FL"]  # not Texas: the learner is licensed in Florida
    assert approvals == certificate.snapshot["approvals"]
    assert approvals[1]["ce_broker_course_number"] == "9990042" and "20-9990042" in approvals[1]["line"]
    page = client.get(reverse("courses:certificate_verify", args=[certificate.code])).content.decode()
    assert approvals[1]["line"] in page and "TX-1" not in page


def test_hours_by_body_names_no_body_that_did_not_approve_the_course(issued):
    """Only Florida's approval on the certificate: its hours, not NCBTMB's; no approvals key (a certificate
    from before approvals): NCBTMB's, as it printed."""
    florida = {**issued.snapshot, "approvals": [{"body": "FL", "hours": "3.00"}]}
    assert hours_by_body(florida) == [{"body": "FL", "name": "Florida", "hours": "3.00"}]
    old = {k: v for k, v in issued.snapshot.items() if k != "approvals"}
    assert hours_by_body(old) == [{"body": "NCBTMB", "name": "NCBTMB", "hours": "3.00"}]


def test_the_api_says_revoked(client, issued):
    certificate_revoke(certificate=issued, user=ProviderAdminFactory(), reason="Recorded in error")
    body = client.get(api(issued.code)).json()
    assert body["status"] == "revoked" and body["revoked"] is True
    assert body["revoked_on"] == Certificate.objects.get(pk=issued.pk).revoked_at.date().isoformat()


def test_a_code_typed_loosely_is_found(client, issued):
    assert client.get(api(issued.code.lower().replace("-", ""))).json()["code"] == issued.code


@pytest.mark.parametrize(
    "code",
    [
        "AAAAA-BBBBB-CCCCC-DDDDD",
        "nonsense",
        "A" * 10_000,
        "Zoë-日本語-😀",
        "'; DROP TABLE",
        "%E2%80%AE%20",
    ],
)
def test_unknown_and_junk_codes_are_a_json_404(client, db, code):
    response = client.get(f"/api/certificates/{code}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json()["error"]
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("code", ["%00", "AAAAA%00BBBBB-CCCCC-DDDDD"])
def test_a_nul_byte_is_a_bad_request_never_an_error(client, db, code):
    """The site refuses NUL bytes in any request (cms/middleware.py) before a view runs: a 400, not a 500."""
    assert client.get(f"/api/certificates/{code}/").status_code == 400


def test_a_pending_certificate_is_not_found(client, issued):
    Certificate.objects.filter(pk=issued.pk).update(status=Certificate.Status.PENDING)
    assert client.get(api(issued.code)).status_code == 404


def test_cors_is_open_for_get_only(client, issued):
    preflight = client.options(
        api(issued.code), HTTP_ORIGIN="https://employer.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    response = client.get(api(issued.code), HTTP_ORIGIN="https://employer.example")
    assert response["Access-Control-Allow-Origin"] == "*" and "Origin" in response["Vary"]
    assert client.post(api(issued.code)).status_code in (403, 405)  # CSRF refuses it first, else 405
    assert client.put(api(issued.code)).status_code == 405


def test_the_api_shares_the_lookups_rate_limit(client, issued, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "certificate_verify": "5/m"}
    statuses = [client.get(api(issued.code)).status_code for _ in range(3)]
    statuses += [
        client.get(reverse("courses:certificate_verify", args=[issued.code])).status_code for _ in range(2)
    ]
    assert statuses == [200] * 5
    limited = client.get(api(issued.code))
    assert limited.status_code == 429 and limited["Content-Type"] == "application/json"
    assert int(limited["Retry-After"]) >= 1 and limited["Access-Control-Allow-Origin"] == "*"
    assert client.get(reverse("courses:certificate_verify", args=[issued.code])).status_code == 429
    assert client.get(api(issued.code), REMOTE_ADDR="10.0.0.9").status_code == 200  # another address


def test_the_linkedin_link_carries_exactly_the_certificate():
    url = linkedin_add_url(
        name="Ethics & Boundaries: Part 1/2 — Zoë",
        organization="Bodywork CE, LLC",
        issued=date(2026, 3, 9),
        cert_url="https://ce.example.com/certificates/verify/K7QHD-2MZXA-PL4RT-WN6EB/",
        cert_id="K7QHD-2MZXA-PL4RT-WN6EB",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(parts.query, strict_parsing=True) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Ethics & Boundaries: Part 1/2 — Zoë"],
        "organizationName": ["Bodywork CE, LLC"],
        "issueYear": ["2026"],
        "issueMonth": ["3"],
        "certUrl": ["https://ce.example.com/certificates/verify/K7QHD-2MZXA-PL4RT-WN6EB/"],
        "certId": ["K7QHD-2MZXA-PL4RT-WN6EB"],
    }
    # every value encoded: nothing that could end or split a parameter is left bare
    for raw in parts.query.split("&"):
        _, value = raw.split("=")
        assert not set(value) & set(" &/:?#=,") and value.isascii()


def test_the_certificate_page_links_to_linkedin_with_the_verification_url(client, issued):
    client.force_login(issued.enrollment.user)
    response = client.get(reverse("courses:certificate_detail", args=[issued.code]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    start = html.index('href="https://www.linkedin.com/profile/add?') + len('href="')
    link = html[start : html.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["certUrl"] == [
        "http://testserver" + reverse("courses:certificate_verify", args=[issued.code])
    ]
    assert query["certId"] == [issued.code]
    assert query["name"] == ["Ethics & Boundaries: Part 1/2"]
    assert query["organizationName"] == [issued.snapshot["provider_name"]]
    assert query["issueYear"] == [str(issued.issued_at.year)] and query["issueMonth"] == [
        str(issued.issued_at.month)
    ]


def test_the_certificate_page_of_a_revoked_certificate_offers_no_badge(client, issued):
    certificate_revoke(certificate=issued, user=ProviderAdminFactory(), reason="Recorded in error")
    client.force_login(issued.enrollment.user)
    html = client.get(reverse("courses:certificate_detail", args=[issued.code])).content.decode()
    assert "revoked" in html and "linkedin.com" not in html
    assert client.get(reverse("courses:badge_json", args=[issued.code])).status_code == 404


def test_a_badge_whose_status_could_not_be_checked_is_not_valid():
    from courses.open_badges import BadgeCheck

    assert BadgeCheck(signature_valid=True, revoked=False).valid
    assert not BadgeCheck(signature_valid=True, revoked=False, error="not this site's status list: x").valid


def test_the_signing_keys_repr_hides_the_private_half():
    from courses.badge_keys import SigningKey

    key = SigningKey(private_pem=b"PRIVATE PEM", public_pem=b"PUBLIC PEM", public_jwk={"kid": "k"})
    assert "PRIVATE PEM" not in repr(key) and "PUBLIC PEM" in repr(key)
