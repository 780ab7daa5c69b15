"""Open Badges 3.0: each issued certificate as a signed OpenBadgeCredential (a W3C Verifiable Credential, VC-JWT),
and the revocation list its credentialStatus points at. Built and checked with openbadgeslib.

- The credential is built from the certificate's frozen snapshot (what the PDF prints), so it says what the
  certificate says; the learner's license number goes in `credentialSubject.licenseNumber` when they have one.
- It is signed with the provider's Ed25519 key (courses/badge_keys.py) and stored (OpenBadgeCredential).
- Revocation: a Bitstring Status List at /credentials/status/revocation, the bit of each credential being its
  certificate's id, set when the certificate is revoked. The list is built from the certificates' status
  and signed (a VC-JWT), then kept in Django's cache for a minute per site address; revoking a certificate
  (courses.services.certificate_revoke) drops every cached copy when it commits, so a revocation shows at
  once and a verifier polling the list costs one signature a minute.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from openbadgeslib.ob3 import (
    Achievement,
    IdentityObject,
    Issuer,
    OB3Signer,
    OB3VerificationError,
    OB3Verifier,
    OpenBadgeCredential,
    build_status_list_credential,
    check_credential_status,
    sign_status_list_credential,
    status_entry,
)
from openbadgeslib.ob3.status_list import DEFAULT_SIZE_BITS

from .approvals import certificate_hours
from .badge_keys import ALGORITHM, SigningKeyMissing, issuer_did, signing_key
from .badge_models import OpenBadgeCredential as BadgeRecord
from .certificate_models import Certificate
from .criteria import criteria_facts, criteria_narrative
from .links import site_url

log = logging.getLogger(__name__)

STATUS_PURPOSE = "revocation"
STATUS_LIST_VALIDITY = timedelta(days=1)  # a copy older than this is refused by verifiers (anti-replay)
STATUS_LIST_CACHE_SECONDS = 60  # what the view's Cache-Control allows proxies too
# Indexes past the highest badge's that a list already covers, so a list cached for a minute covers the
# badges signed during that minute (a bit beyond the list's end fails the credential's status check).
STATUS_LIST_HEADROOM = 4096
_STATUS_LIST_GENERATION = "open-badges:status-list:generation"


def status_index(certificate_id: int) -> int:
    return certificate_id


def status_list_url(base_url: str) -> str:
    return base_url.rstrip("/") + reverse("courses:badge_status_list")


def _datetime(value) -> datetime:
    return value if value is not None else timezone.now()


def _criteria(certificate: Certificate) -> dict:
    """The course's completion rules as the certificate froze them; a certificate from before they were
    frozen (snapshot without "criteria") reads the course's rules as they are now."""
    facts = certificate.snapshot.get("criteria")
    return facts if facts is not None else criteria_facts(certificate.enrollment.course)


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def hours_description(s: dict, summary: dict, *, provider: str, number: str) -> str:
    """The achievement's description, naming the body behind every figure as the certificate does
    (courses.approvals.certificate_hours): NCBTMB only when it approved the course."""
    kind = f"continuing education for massage therapists ({s['course_type'].lower()})"
    rows = summary["by_body"]
    if not rows:
        hours = f"{summary['text']} of {kind}, from {provider} (no approving body recorded)"
    elif summary["uniform"]:
        hours = (
            f"{summary['text']} of {kind} approved by {_names([r['name'] for r in rows])}, from {provider}"
        )
    else:
        hours = f"{kind[0].upper()}{kind[1:]} from {provider}, approved for {summary['text']}"
    return hours + (f"; NCBTMB approved provider no. {number}." if number else ".")


def credits_earned(summary: dict) -> float | None:
    """creditsEarned, from the certificate's hours (courses.approvals.certificate_hours): NCBTMB's when it
    approved the course; otherwise the one body's that did; with none or several, left out (optional in OB
    3.0) rather than crediting hours no body approved, or one body's as if they were another's."""
    if summary["ncbtmb_approved"]:
        return float(summary["ncbtmb"])
    if len(summary["by_body"]) == 1:
        return float(summary["by_body"][0]["hours"])
    return None


def credential_payload(certificate: Certificate, *, base_url: str, email: str = "") -> dict:
    """The JWT payload (the credential itself, with iss/sub/jti/nbf beside it) for `certificate`."""
    s = certificate.snapshot
    base_url = base_url.rstrip("/")
    verify_url = base_url + reverse("courses:certificate_verify", args=[certificate.code])
    summary = certificate_hours(s)
    # creditsAvailable and creditsEarned: only hours a body approved (credits_earned); the description says
    # whose hours are whose
    credits = credits_earned(summary)
    provider = s.get("provider_name", "")
    number = s.get("provider_number", "") if summary["ncbtmb_approved"] else ""
    issuer = Issuer(
        id=issuer_did(base_url),
        name=provider,
        url=s.get("provider_website") or base_url,
        email=s.get("provider_email") or None,
    )
    achievement = Achievement(
        # one achievement per course on this site: the same id on every learner's credential for it
        id="urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url}/courses/{s['course_id']}")),
        name=s["course_title"],
        description=hours_description(s, summary, provider=provider, number=number),
        criteria_narrative=criteria_narrative(_criteria(certificate)),
        achievement_type="Certificate",
        credits_available=credits,
    )
    identifiers = [IdentityObject(identity_hash=s["participant_name"], identity_type="name", hashed=False)]
    if email:
        # salted per certificate: the address is not readable from the credential, only checkable
        salt = hashlib.sha256(f"{certificate.code}:salt".encode()).hexdigest()[:16]
        identifiers.append(IdentityObject.create(email.strip().lower(), salt=salt))
    credential = OpenBadgeCredential(
        issuer=issuer,
        recipient_id=None,
        achievement=achievement,
        id=verify_url,
        name=f"{s['course_title']} ({summary['text']})",
        issuance_date=_datetime(certificate.issued_at),
        credits_earned=credits,
        identifiers=identifiers,
        credential_status=[
            status_entry(status_list_url(base_url), STATUS_PURPOSE, status_index(certificate.pk))
        ],
    )
    payload = credential.to_jwt_payload()
    subject = payload["credentialSubject"]
    completed = date.fromisoformat(s["completion_date"])
    subject["activityEndDate"] = f"{completed.isoformat()}T00:00:00Z"
    if s.get("license_number") and s.get("learner_status", "licensed") == "licensed":
        subject["licenseNumber"] = s["license_number"]
    return payload


def credential_sign(payload: dict) -> str:
    return OB3Signer(signing_key().private_pem, algorithm=ALGORITHM).sign_payload(payload)


@transaction.atomic
def badge_issue(certificate: Certificate, *, base_url: str | None = None) -> BadgeRecord | None:
    """Sign (or sign again, after a reissue refreshed the snapshot) the certificate's credential.

    Only an issued certificate gets one; a revoked one keeps the one it had (its status bit says revoked)."""
    certificate = (
        Certificate.objects.select_for_update().select_related("enrollment__user").get(pk=certificate.pk)
    )
    if certificate.status != Certificate.Status.ISSUED:
        return BadgeRecord.objects.filter(certificate=certificate).first()
    payload = credential_payload(
        certificate, base_url=base_url or site_url(), email=certificate.enrollment.user.email
    )
    key = signing_key()
    record, _ = BadgeRecord.objects.update_or_create(
        certificate=certificate,
        defaults={
            "credential_id": payload["id"],
            "jwt": credential_sign(payload),
            "key_id": key.kid,
            "signed_at": timezone.now(),
        },
    )
    return record


def badge_for(certificate: Certificate) -> BadgeRecord | None:
    """The certificate's credential; signed now if it was issued before badges were (or signing failed)."""
    record = BadgeRecord.objects.filter(certificate=certificate).first()
    if record is None and certificate.status == Certificate.Status.ISSUED:
        try:
            record = badge_issue(certificate)
        except SigningKeyMissing:  # production before its key is set: the page says "not ready yet"
            log.warning("Certificate %s: no Open Badges signing key configured", certificate.pk)
    return record


def badge_issue_after_commit(certificate_id: int) -> None:
    """For transaction.on_commit after a certificate is issued or reissued: a failure (no key configured) is
    logged and leaves the certificate as it is; badge_for signs it when it is next asked for."""
    try:
        badge_issue(Certificate.objects.get(pk=certificate_id))
    except (
        SigningKeyMissing
    ):  # production before its key is set (README, "Signing keys"): expected, not an error
        log.warning(
            "Certificate %s: no Open Badges signing key configured; no credential signed", certificate_id
        )
    except Exception:
        log.exception("Certificate %s: the Open Badges credential could not be signed", certificate_id)


def badges_backfill() -> int:
    """Sign a credential for every issued certificate that has none (`manage.py open_badges_key --backfill`)."""
    missing = Certificate.objects.filter(status=Certificate.Status.ISSUED, open_badge__isnull=True)
    count = 0
    for certificate in missing.iterator():
        badge_issue(certificate)
        count += 1
    return count


# --- the status list ---------------------------------------------------------------------------------------


def _list_size(highest_index: int) -> int:
    """The spec's minimum (131072 bits), grown in whole steps of it as certificate ids grow."""
    return max(1, -(-(highest_index + 1) // DEFAULT_SIZE_BITS)) * DEFAULT_SIZE_BITS


def _status_list_generation() -> str:
    """The current generation of cached status lists: a random token, replaced when a certificate is revoked.
    A token is never reused, so a generation lost from the cache (evicted, Redis restarted) can never bring
    back a list cached under it; a new one is simply a cache miss for every address."""
    generation = cache.get(_STATUS_LIST_GENERATION)
    if generation is None:
        cache.add(_STATUS_LIST_GENERATION, uuid.uuid4().hex, timeout=None)
        generation = cache.get(_STATUS_LIST_GENERATION) or "uncached"
    return generation


def status_list_changed() -> None:
    """Drop every cached status list (each site address has its own; this replaces their generation, so all
    go at once). Called once a revocation commits."""
    cache.set(_STATUS_LIST_GENERATION, uuid.uuid4().hex, timeout=None)


def _status_list_key(generation: str, base_url: str) -> str:
    return f"open-badges:status-list:{generation}:{hashlib.sha256(base_url.encode()).hexdigest()[:32]}"


def status_list_jwt(base_url: str) -> str:
    """The signed BitstringStatusListCredential for `base_url`: a bit set for each revoked certificate that has
    a badge. Built and signed at most once a minute per address (Django's cache), and again as soon as a
    certificate is revoked (status_list_changed). The generation is read before the database: a list built
    from rows read before a revocation committed is cached under the generation the revocation replaces."""
    generation = _status_list_generation()
    key = _status_list_key(generation, base_url)
    token = cache.get(key)
    if token is None:
        token = _status_list_sign(base_url)
        if generation != "uncached":
            cache.set(key, token, timeout=STATUS_LIST_CACHE_SECONDS)
    return token


def _status_list_sign(base_url: str) -> str:
    revoked = list(
        BadgeRecord.objects.filter(certificate__status=Certificate.Status.REVOKED).values_list(
            "certificate_id", flat=True
        )
    )
    highest = BadgeRecord.objects.aggregate(top=Max("certificate_id"))["top"] or 0
    now = timezone.now()
    key = signing_key()
    document = build_status_list_credential(
        issuer_did(base_url),
        status_list_url(base_url),
        STATUS_PURPOSE,
        [status_index(pk) for pk in revoked],
        size_bits=_list_size(highest + STATUS_LIST_HEADROOM),
        issued=now - timedelta(minutes=1),  # a verifier's clock a little behind ours still accepts it
        valid_until=now + STATUS_LIST_VALIDITY,
    )
    return sign_status_list_credential(document, key.private_pem, ALGORITHM)


# --- verification ------------------------------------------------------------------------------------------


@dataclass
class BadgeCheck:
    signature_valid: bool
    revoked: bool
    error: str = ""

    @property
    def valid(self) -> bool:
        """Signed by us and its status checked and clear: a status list that could not be checked is no pass."""
        return self.signature_valid and not self.revoked and not self.error


def badge_verify(token: str, *, base_url: str, public_pem: bytes | None = None) -> BadgeCheck:
    """Check a credential as an outside verifier would, with openbadgeslib: the signature against the published
    key, the structure and dates, then its status bit in our revocation list (built here, not fetched)."""
    public_pem = public_pem or signing_key().public_pem
    verifier = OB3Verifier(public_pem)
    try:
        credential = verifier.verify(token)
    except OB3VerificationError as error:
        return BadgeCheck(signature_valid=False, revoked=False, error=str(error))
    ours = status_list_url(base_url)

    def download(url: str) -> bytes:
        # The credential is ours (its signature checked above), so its status list is ours whichever of the
        # site's host names it was signed under (the canonical address, or the one this page was opened on).
        # The list names the same issuer (did:web of that host) as the credential.
        signed_under = urlsplit(url)
        if signed_under.path != urlsplit(ours).path:
            raise OB3VerificationError(f"not this site's status list: {url}")
        return status_list_jwt(f"{signed_under.scheme}://{signed_under.netloc}").encode()

    try:
        check_credential_status(credential, download=download, verify_list=True, list_pubkey_pem=public_pem)
    except OB3VerificationError as error:
        return BadgeCheck(signature_valid=True, revoked="is set at index" in str(error), error=str(error))
    return BadgeCheck(signature_valid=True, revoked=False)


def credential_json(token: str) -> dict:
    """The credential inside a VC-JWT (its payload without the JWT's registered claims), as a wallet shows it."""
    body = token.split(".")[1]
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return {k: v for k, v in payload.items() if k not in {"iss", "sub", "jti", "nbf", "exp", "iat"}}


def certificate_badge_check(certificate: Certificate, *, base_url: str) -> BadgeCheck | None:
    """The verification page's check of the certificate's credential; None when it has none."""
    record = BadgeRecord.objects.filter(certificate=certificate).first()
    if record is None:
        return None
    try:
        return badge_verify(record.jwt, base_url=base_url)
    except SigningKeyMissing:  # the key was removed from the configuration: nothing to check against
        return BadgeCheck(signature_valid=False, revoked=False, error="no signing key configured")
