"""Open Badges 3.0 (issue 15, deliverable 4): every issued certificate has a signed OpenBadgeCredential that
openbadgeslib verifies, that a second, independent check accepts (the 1EdTech JSON schema, vendored, and the
Ed25519 signature checked by hand with `cryptography` against the published JWKS), that fails after one byte
of it changes, and that fails as revoked once the certificate is revoked."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.urls import reverse
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier, check_credential_status

from courses import open_badges
from courses.badge_keys import key_file_create, signing_key
from courses.criteria import criteria_narrative
from courses.models import Certificate, OpenBadgeCredential
from courses.open_badges import badge_issue, badge_verify, credential_json
from courses.services import certificate_reissue, certificate_revoke
from quizzes.models import Quiz
from tests.courses.ce_records import approval_add
from tests.courses.certify import course_finish, small_course
from tests.factories import ProviderAdminFactory, UserFactory

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2] / "courses" / "schemas" / "ob_v3p0_achievementcredential.json"
    ).read_text()
)
BASE = "http://testserver"


@pytest.fixture
def issued(catalogue, django_capture_on_commit_callbacks):
    learner = UserFactory(legal_name="Zoë O'Brien-Núñez", license_number="MA12345", license_state="FL")
    course, pages = small_course(catalogue)
    approval_add(course, "NCBTMB")  # creditsEarned is an approving body's hours: NCBTMB's 3
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(learner, course, pages)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.ISSUED
    return certificate


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _ed25519_check(token: str, jwks: dict) -> bool:
    """The independent check: the JWS signature over `header.payload`, by hand, with the key from the JWKS."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(_b64(header_b64))
    assert header["alg"] == "EdDSA"
    (jwk,) = jwks["keys"]
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    key = Ed25519PublicKey.from_public_bytes(_b64(jwk["x"]))
    try:
        key.verify(_b64(signature_b64), f"{header_b64}.{payload_b64}".encode())
    except InvalidSignature:
        return False
    return True


def _schema_errors(document: dict) -> list[str]:
    validator = jsonschema.Draft201909Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [error.message for error in validator.iter_errors(document)]


def test_an_issued_certificate_has_a_credential_that_openbadgeslib_verifies(issued):
    badge = OpenBadgeCredential.objects.get(certificate=issued)
    credential = OB3Verifier(signing_key().public_pem).verify(badge.jwt)
    assert credential.achievement.name == issued.snapshot["course_title"]
    assert credential.credits_earned == 3.0
    assert badge_verify(badge.jwt, base_url=BASE).valid


def _described(certificate, approvals) -> dict:
    certificate.snapshot = {**certificate.snapshot, "approvals": approvals}
    if approvals is None:
        certificate.snapshot.pop("approvals")
    return open_badges.credential_payload(certificate, base_url=BASE)["credentialSubject"]


def test_the_description_names_the_body_behind_the_hours_and_credits_earned_are_ncbtmbs(issued):
    """creditsEarned is NCBTMB's figure; the description says whose hours are whose, and claims NCBTMB only
    when the certificate holds its approval (a certificate from before approvals, without the key, did)."""
    ncbtmb, florida = {"body": "NCBTMB", "hours": "3.00"}, {"body": "FL", "hours": "2.00"}
    subject = _described(issued, [ncbtmb, florida])
    text = subject["achievement"]["description"]
    assert subject["creditsEarned"] == 3.0
    assert "approved for NCBTMB: 3 CE hours · Florida: 2 CE hours" in text
    assert text.endswith("NCBTMB approved provider no. 451234-10.")
    text = _described(issued, [ncbtmb, {**florida, "hours": "3.00"}])["achievement"]["description"]
    assert text.startswith("3 CE hours of continuing education") and "approved by NCBTMB and Florida" in text
    subject = _described(issued, [{**florida, "hours": "3.00"}])  # only Florida approved the course
    text = subject["achievement"]["description"]
    assert "NCBTMB" not in text and "Florida: 3 CE hours" in text
    assert "NCBTMB" not in _described(issued, [])["achievement"]["description"]  # no approval at all
    assert "approved by NCBTMB" in _described(issued, None)["achievement"]["description"]


def test_credits_earned_are_only_hours_a_body_approved(issued):
    """Without NCBTMB's approval creditsEarned is the one approving body's hours (a Florida-only 1.5 h approval
    of a 3 h course earns 1.5, not 3); with several bodies and no NCBTMB, or none, it is left out (optional)."""
    florida = {"body": "FL", "hours": "1.50"}
    assert _described(issued, [florida])["creditsEarned"] == 1.5
    assert _described(issued, [florida])["achievement"]["creditsAvailable"] == 1.5  # not the course's 3
    assert "creditsAvailable" not in _described(issued, [])["achievement"]
    assert _described(issued, [florida, {**florida, "hours": "0.50"}])["creditsEarned"] == 2.0  # two subjects
    assert "creditsEarned" not in _described(issued, [florida, {"body": "GA", "hours": "2.00"}])
    assert "creditsEarned" not in _described(issued, [])
    assert _described(issued, None)["creditsEarned"] == 3.0  # from before approvals: NCBTMB's, as printed
    issued.snapshot["approvals"] = []
    payload = open_badges.credential_payload(issued, base_url=BASE)
    vc = credential_json(open_badges.credential_sign(payload))
    assert "creditsEarned" not in vc["credentialSubject"] and _schema_errors(vc) == []
    assert (
        OB3Verifier(signing_key().public_pem).verify(open_badges.credential_sign(payload)).credits_earned
        is None
    )


def test_the_credential_carries_the_required_fields_and_meets_the_official_schema(issued):
    vc = credential_json(OpenBadgeCredential.objects.get(certificate=issued).jwt)
    assert _schema_errors(vc) == []
    assert vc["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["id"] == BASE + reverse("courses:certificate_verify", args=[issued.code])
    assert vc["issuer"]["id"] == "did:web:testserver"
    assert vc["issuer"]["type"] == ["Profile"] and vc["issuer"]["name"] == issued.snapshot["provider_name"]
    assert vc["validFrom"].startswith(issued.issued_at.date().isoformat())
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["creditsEarned"] == 3 and subject["licenseNumber"] == "MA12345"
    assert {
        "type": "IdentityObject",
        "hashed": False,
        "identityHash": "Zoë O'Brien-Núñez",
        "identityType": "name",
    } in (subject["identifier"])
    achievement = subject["achievement"]
    assert {"id", "type", "name", "description", "criteria"} <= set(achievement)
    assert achievement["type"] == ["Achievement"] and achievement["criteria"]["narrative"]
    assert achievement["name"] == "Massage for Low Back Pain"
    status = vc["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == BASE + reverse("courses:badge_status_list")
    assert status["statusListIndex"] == str(issued.pk)


def test_the_schema_check_is_not_vacuous(issued):
    vc = credential_json(OpenBadgeCredential.objects.get(certificate=issued).jwt)
    for field in ("validFrom", "issuer", "credentialSubject"):
        assert _schema_errors({k: v for k, v in vc.items() if k != field}), field
    broken = json.loads(json.dumps(vc))
    del broken["credentialSubject"]["achievement"]["criteria"]
    assert _schema_errors(broken)


def test_a_student_certificate_carries_no_license_number(catalogue, django_capture_on_commit_callbacks):
    student = UserFactory(learner_status="student", license_number="", license_state="")
    course, pages = small_course(catalogue)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(student, course, pages)
    vc = credential_json(OpenBadgeCredential.objects.get(certificate__enrollment=enrollment).jwt)
    assert "licenseNumber" not in vc["credentialSubject"]
    assert _schema_errors(vc) == []


def test_the_published_keys_verify_the_signature_independently(client, issued):
    token = OpenBadgeCredential.objects.get(certificate=issued).jwt
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    jwks = response.json()
    assert jwks["keys"][0]["kid"] == signing_key().kid and "d" not in jwks["keys"][0]
    assert _ed25519_check(token, jwks)

    did = client.get("/.well-known/did.json")
    assert did.status_code == 200 and did["Access-Control-Allow-Origin"] == "*"
    document = did.json()
    assert document["id"] == "did:web:testserver"
    (method,) = document["verificationMethod"]
    assert method["publicKeyJwk"]["x"] == jwks["keys"][0]["x"]
    assert document["assertionMethod"] == [method["id"]]


def test_one_byte_changed_in_the_payload_fails_both_checks(client, issued):
    token = OpenBadgeCredential.objects.get(certificate=issued).jwt
    jwks = client.get("/.well-known/jwks.json").json()
    header, payload, signature = token.split(".")
    raw = _b64(payload)
    at = raw.index(b'"creditsEarned":') + len(b'"creditsEarned":')
    tampered_raw = raw[:at] + b"9" + raw[at + 1 :]  # 3 CE hours -> 9: one byte
    assert len(tampered_raw) == len(raw) and sum(a != b for a, b in zip(raw, tampered_raw)) == 1
    tampered = f"{header}.{_b64encode(tampered_raw)}.{signature}"
    with pytest.raises(OB3VerificationError, match="signature"):
        OB3Verifier(signing_key().public_pem).verify(tampered)
    assert not _ed25519_check(tampered, jwks)
    assert not badge_verify(tampered, base_url=BASE).signature_valid
    assert _ed25519_check(token, jwks)  # the original still does


def test_a_revoked_certificate_revokes_its_credential(client, issued):
    token = OpenBadgeCredential.objects.get(certificate=issued).jwt
    verifier = OB3Verifier(signing_key().public_pem)

    def download(url):  # the list as any verifier would fetch it, from the site
        assert url == BASE + reverse("courses:badge_status_list")
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/vc+jwt"
        return response.content

    check_credential_status(verifier.verify(token), download=download, verify_list=True,
                            list_pubkey_pem=signing_key().public_pem)  # fmt: skip
    certificate_revoke(
        certificate=issued, user=ProviderAdminFactory(), reason="Completion recorded in error."
    )

    with pytest.raises(OB3VerificationError, match="revocation"):
        check_credential_status(verifier.verify(token), download=download, verify_list=True,
                                list_pubkey_pem=signing_key().public_pem)  # fmt: skip
    check = badge_verify(token, base_url=BASE)
    assert check.signature_valid and check.revoked and not check.valid
    page = client.get(reverse("courses:certificate_verify", args=[issued.code])).content.decode()
    assert 'data-badge-check="revoked"' in page


def test_a_status_list_signed_by_another_key_is_refused(client, issued, settings, tmp_path):
    """verify_list=True really checks the list's signature: a list signed by another key does not count."""
    ours = signing_key().public_pem
    credential = OB3Verifier(ours).verify(OpenBadgeCredential.objects.get(certificate=issued).jwt)
    settings.OPEN_BADGES_KEY_FILE = str(key_file_create(tmp_path / "other.pem")[0])
    foreign_list = client.get(reverse("courses:badge_status_list")).content
    with pytest.raises(OB3VerificationError, match="proof is invalid"):
        check_credential_status(
            credential, download=lambda url: foreign_list, verify_list=True, list_pubkey_pem=ours
        )


def test_the_verification_page_checks_the_credential_and_shows_the_issue_date(client, issued):
    page = client.get(reverse("courses:certificate_verify", args=[issued.code])).content.decode()
    assert 'data-badge-check="valid"' in page
    assert (
        "Issued on" in page
        and f"{issued.issued_at:%B} {issued.issued_at.day}, {issued.issued_at.year}" in page
    )


def test_a_reissue_signs_the_corrected_name(issued, django_capture_on_commit_callbacks):
    user = issued.enrollment.user
    user.legal_name = "Zoë Núñez"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        certificate_reissue(certificate=issued, user=ProviderAdminFactory(), reason="Name corrected")
    vc = credential_json(OpenBadgeCredential.objects.get(certificate=issued).jwt)
    names = [i["identityHash"] for i in vc["credentialSubject"]["identifier"] if i["identityType"] == "name"]
    assert names == ["Zoë Núñez"]
    assert OpenBadgeCredential.objects.filter(certificate=issued).count() == 1


def test_the_owner_downloads_the_credential_and_no_one_else_can(client, issued):
    badge = OpenBadgeCredential.objects.get(certificate=issued)
    json_url = reverse("courses:badge_json", args=[issued.code])
    jwt_url = reverse("courses:badge_jwt", args=[issued.code])
    assert client.get(json_url).status_code == 302  # to log in
    client.force_login(UserFactory())
    assert client.get(json_url).status_code == 404
    assert client.get(jwt_url).status_code == 404
    assert client.get(reverse("courses:certificate_detail", args=[issued.code])).status_code == 404
    client.force_login(issued.enrollment.user)
    response = client.get(json_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    assert response.json() == credential_json(badge.jwt)
    assert client.get(jwt_url).content.decode() == badge.jwt


def test_a_certificate_issued_before_badges_gets_one_when_asked(client, issued):
    OpenBadgeCredential.objects.filter(certificate=issued).delete()
    client.force_login(issued.enrollment.user)
    page = client.get(reverse("courses:certificate_detail", args=[issued.code]))
    assert (
        page.status_code == 200 and reverse("courses:badge_jwt", args=[issued.code]) in page.content.decode()
    )
    assert badge_verify(OpenBadgeCredential.objects.get(certificate=issued).jwt, base_url=BASE).valid


def test_the_backfill_command_signs_missing_credentials_and_keeps_the_key(issued, capsys):
    OpenBadgeCredential.objects.filter(certificate=issued).delete()
    kid = signing_key().kid
    call_command("open_badges_key", "--backfill")
    call_command("open_badges_key")
    out = capsys.readouterr().out
    assert "Open Badges signed: 1" in out and out.count(f"kid {kid}") == 2 and "kept" in out
    assert OpenBadgeCredential.objects.filter(certificate=issued).exists()


def test_the_key_file_is_private_and_created_once(tmp_path):
    path, created = key_file_create(tmp_path / "keys" / "k.pem")
    assert created and (path.stat().st_mode & 0o777) == 0o600
    first = path.read_bytes()
    assert key_file_create(path) == (path, False) and path.read_bytes() == first


def test_a_key_from_the_environment_wins(settings, tmp_path, issued):
    path, _ = key_file_create(tmp_path / "env.pem")
    settings.OPEN_BADGES_PRIVATE_KEY = path.read_text().replace("\n", "\\n")
    settings.OPEN_BADGES_KEY_FILE = str(tmp_path / "absent.pem")
    settings.OPEN_BADGES_CREATE_KEY = False
    key = signing_key()
    assert key.private_pem.strip() == path.read_bytes().strip()
    assert not (tmp_path / "absent.pem").exists()


def test_status_list_queries_do_not_grow_with_revocations(client, issued, django_assert_max_num_queries):
    certificate_revoke(certificate=issued, user=ProviderAdminFactory(), reason="Error")
    with django_assert_max_num_queries(3):
        assert client.get(reverse("courses:badge_status_list")).status_code == 200


def test_without_a_key_in_production_certificates_still_issue_and_nothing_errors(
    client, catalogue, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.OPEN_BADGES_CREATE_KEY = False
    settings.OPEN_BADGES_KEY_FILE = str(tmp_path / "none.pem")
    learner = UserFactory()
    course, pages = small_course(catalogue)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(learner, course, pages)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.status == Certificate.Status.ISSUED
    assert not OpenBadgeCredential.objects.filter(certificate=certificate).exists()
    for url in ("/.well-known/jwks.json", "/.well-known/did.json", reverse("courses:badge_status_list")):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("courses:certificate_verify", args=[certificate.code])).status_code == 200
    client.force_login(learner)
    page = client.get(reverse("courses:certificate_detail", args=[certificate.code]))
    assert page.status_code == 200 and "not ready yet" in page.content.decode()
    assert client.get(reverse("courses:badge_jwt", args=[certificate.code])).status_code == 404
    call_command("open_badges_key")  # set-up says what to do, creates nothing
    assert not (tmp_path / "none.pem").exists()


# --- the achievement's criteria follow the course ----------------------------------------------------------


def _criteria(certificate) -> str:
    vc = credential_json(OpenBadgeCredential.objects.get(certificate=certificate).jwt)
    assert _schema_errors(vc) == []
    return vc["credentialSubject"]["achievement"]["criteria"]["narrative"]


def test_the_criteria_say_what_this_course_asked(issued):
    """small_course: two modules, a quiz on the first, a post-test passed at 100%, 3 CE hours (150 minutes)."""
    assert _criteria(issued) == (
        "Completed all 2 modules of the course, passed its module quiz, studied for at least 150 minutes "
        "(reading and quizzes, timed by the server), passed the final post-test with a score of at least "
        "100% and submitted the course evaluation."
    )


def test_a_course_without_quizzes_or_evaluation_does_not_claim_them(
    catalogue, django_capture_on_commit_callbacks
):
    course, pages = small_course(
        catalogue,
        modules=1,
        module_quiz=False,
        post_test=False,
        require_post_test=False,
        require_evaluation=False,
        ce_hours=Decimal("1.00"),
        min_minutes_on_task=90,
    )
    with django_capture_on_commit_callbacks(execute=True):
        enrollment = course_finish(UserFactory(), course, pages, evaluate=False, post_test=False)
    narrative = _criteria(Certificate.objects.get(enrollment=enrollment))
    assert narrative == (
        "Completed the course's module and studied for at least 90 minutes (reading and quizzes, timed by "
        "the server)."
    )


def test_the_criteria_are_those_the_certificate_was_earned_under(issued, django_capture_on_commit_callbacks):
    Quiz.objects.filter(course=issued.enrollment.course, module__isnull=True).update(pass_mark=70)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_reissue(certificate=issued, user=ProviderAdminFactory(), reason="Typo in the name")
    assert "at least 100%" in _criteria(issued)  # frozen at completion, not today's 70%
    snapshot = {k: v for k, v in issued.snapshot.items() if k != "criteria"}  # from before criteria were kept
    Certificate.objects.filter(pk=issued.pk).update(snapshot=snapshot)
    issued.refresh_from_db()
    badge_issue(issued)
    assert "at least 70%" in _criteria(issued)  # read from the course as it is


@pytest.mark.parametrize(
    "facts, narrative",
    [
        ({"modules": 1}, "Completed the course's module."),
        (
            {"modules": 3, "module_quizzes": 3, "seat_minutes": 1, "post_test_pass_mark": 80},
            "Completed all 3 modules of the course, passed each of its 3 module quizzes, studied for at least "
            "1 minute (reading and quizzes, timed by the server) and passed the final post-test with a score of "
            "at least 80%.",
        ),
        (
            {"modules": 2, "post_test_pass_mark": 75, "evaluation": True},
            "Completed all 2 modules of the course, passed the final post-test with a score of at least 75% "
            "and submitted the course evaluation.",
        ),
    ],
)
def test_criteria_narrative(facts, narrative):
    assert criteria_narrative(facts) == narrative


# --- the status list is signed once a minute, and again at once after a revocation ---------------------------


@pytest.fixture
def signs(monkeypatch):
    """The status lists signed, as they are signed."""
    calls = []
    real = open_badges.sign_status_list_credential

    def counting(*args, **kwargs):
        calls.append(args[0]["id"])
        return real(*args, **kwargs)

    monkeypatch.setattr(open_badges, "sign_status_list_credential", counting)
    return calls


def test_two_requests_for_the_status_list_sign_it_once(client, issued, signs, django_assert_max_num_queries):
    url = reverse("courses:badge_status_list")
    first = client.get(url).content
    with django_assert_max_num_queries(0):  # nor ask the database
        assert client.get(url).content == first
    assert len(signs) == 1
    other_host = client.get(url, HTTP_HOST="127.0.0.1").content  # each site address has its own list
    assert other_host != first and len(signs) == 2


def test_a_revocation_shows_in_the_status_list_at_once(
    client, issued, signs, django_capture_on_commit_callbacks
):
    url = reverse("courses:badge_status_list")
    credential = OB3Verifier(signing_key().public_pem).verify(
        OpenBadgeCredential.objects.get(certificate=issued).jwt
    )

    def status_check():
        check_credential_status(credential, download=lambda _: client.get(url).content, verify_list=True,
                                list_pubkey_pem=signing_key().public_pem)  # fmt: skip

    status_check()
    client.get(url, HTTP_HOST="127.0.0.1")  # cached under another address too
    assert len(signs) == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        certificate_revoke(certificate=issued, user=ProviderAdminFactory(), reason="Recorded in error.")
    assert open_badges.status_list_changed in callbacks  # and again once the revocation commits
    with pytest.raises(OB3VerificationError, match="revocation"):
        status_check()
    client.get(url, HTTP_HOST="127.0.0.1")
    assert len(signs) == 4  # both addresses signed again, at once (not after the minute)
    assert not badge_verify(OpenBadgeCredential.objects.get(certificate=issued).jwt, base_url=BASE).valid
