"""The opt-in e-mail digest of due review cards: off unless the learner switches it on at /review/,
sent by Celery beat (`send_review_digests`, a few times a day) at most once every
REVIEW_DIGEST_INTERVAL_DAYS (7) days and only when cards are due. Each e-mail carries a signed
unsubscribe link (django.core.signing; no log-in needed, no expiry) and the matching List-Unsubscribe
headers: opening the link only asks (mail scanners fetch links), a POST to it unsubscribes (the
confirmation's button, or the mail client's RFC 8058 one-click POST)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from quizzes.models import ReviewPreference
from quizzes.review_selectors import due_counts

from .links import site_url

log = logging.getLogger(__name__)
SALT = "courses.review_digest.unsubscribe"
DIGEST_BATCH = 500


def digest_preference(user) -> ReviewPreference | None:
    return ReviewPreference.objects.filter(user=user).first()


def digest_set(user, *, on: bool) -> ReviewPreference:
    preference, _ = ReviewPreference.objects.update_or_create(user=user, defaults={"digest": on})
    return preference


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=SALT, compress=True)


def unsubscribe_token_user_id(token: str) -> int:
    """The id of the learner an unsubscribe token names (changes nothing); raises signing.BadSignature."""
    data = signing.loads(token, salt=SALT)
    if not isinstance(data, dict) or type(data.get("u")) is not int:
        raise signing.BadSignature("Not an unsubscribe token.")
    return data["u"]


def unsubscribe_user(token: str) -> None:
    """Switch the digest off for the learner the token names; raises signing.BadSignature."""
    ReviewPreference.objects.filter(user_id=unsubscribe_token_user_id(token)).update(digest=False)


def send_review_digests(*, now=None, limit: int = DIGEST_BATCH) -> int:
    """E-mail every opted-in learner with cards due and no digest in the last interval. Returns the count."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.REVIEW_DIGEST_INTERVAL_DAYS)
    candidates = list(
        ReviewPreference.objects.filter(digest=True)
        .filter(Q(digest_sent_at__isnull=True) | Q(digest_sent_at__lte=since))
        .select_related("user")
        .order_by("digest_sent_at", "pk")[:limit]
    )
    due = due_counts(user_ids=[p.user_id for p in candidates], now=now)
    sent = 0
    base = site_url()
    for preference in candidates:
        count = due.get(preference.user_id, 0)
        if not count or not preference.user.email or not preference.user.is_active:
            continue
        try:
            _send(preference.user, count, base)
        except Exception:  # a refused address must not stop the others; retried at the next run
            log.exception("Review digest to user %s failed", preference.user_id)
            continue
        ReviewPreference.objects.filter(pk=preference.pk).update(digest_sent_at=now)
        sent += 1
    return sent


def _send(user, count: int, base: str) -> None:
    unsubscribe_url = base + reverse("review:unsubscribe", args=[unsubscribe_token(user)])
    context = {"user": user, "count": count, "review_url": base + reverse("review:home")}
    context["unsubscribe_url"] = unsubscribe_url
    body = render_to_string("courses/review_digest_email.txt", context)
    subject = f"{count} review card{'s' if count != 1 else ''} due"
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    EmailMessage(subject, body, None, [user.email], headers=headers).send(fail_silently=False)
