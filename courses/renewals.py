"""Renewal tracking (issue 15): per credential a learner holds, the hours required in its cycle, what they
earned (this site's certificates and the outside certificates they uploaded), by required subject, and
what is missing before the deadline; and the reminder e-mails at 90, 30 and 7 days.

The figures are data, courses/data/renewal_rules.yaml, checked when loaded (courses/renewal_rules.py). The
arithmetic (`progress`, courses/renewal_progress.py) is a pure function of a rule, a date and credit items,
so it is tested without a database. A certificate of this site counts only under an approval the
credential's board accepts (`RenewalRule.accepts`) printed on it; one without is listed as "not counted",
never added to the totals.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .approval_models import ApprovalBody, Delivery, Subject
from .approvals import SHORT_NAMES
from .certificate_models import Certificate
from .links import site_url
from .renewal_models import Credential, OutsideCertificate, RenewalReminder
from .renewal_progress import CreditItem, Progress, Requirement, credited_hours, progress
from .renewal_rules import (
    CE_CYCLE,
    RULES_FILE,
    RenewalRule,
    RulesError,
    ce_deadline,
    cycle_deadline,
    rules,
    rules_parse,
)

__all__ = [
    "RULES_FILE",
    "CreditItem",
    "Progress",
    "RenewalRule",
    "Requirement",
    "RulesError",
    "ce_deadline",
    "credited_hours",
    "cycle_deadline",
    "progress",
    "rules",
    "rules_parse",
]

log = logging.getLogger(__name__)
REMINDER_DAYS = (90, 30, 7)
MINUTES_PER_SITE_HOUR = 50  # courses.models.MINUTES_PER_CE_HOUR: this site's CE hour is a 50-minute hour


# --- reads ---------------------------------------------------------------------------------------------


def _site_items(certificate: Certificate, rule: RenewalRule) -> list[CreditItem]:
    """A certificate of this site as `rule` counts it: under the first approval body the rule accepts that
    the certificate printed (one item per approval of that body: a course approved for two subjects counts
    for both). Without one it is a single item, not accepted, shown with the NCBTMB approval's figures (or
    the course's) so the learner can ask their board. A certificate from before approvals were recorded (no
    "approvals" in its snapshot) printed NCBTMB's, for the course's hours."""
    s = certificate.snapshot
    live = s.get("course_type", "").lower().startswith("live")
    delivery = Delivery.LIVE_IN_PERSON if live else Delivery.HOME_STUDY
    printed = [a for a in s.get("approvals") or [] if isinstance(a, dict)]
    if "approvals" not in s:  # from before approvals were recorded: it printed NCBTMB's (ncbtmb_approved)
        hours = s.get("ce_hours") or "0"
        printed = [
            {"body": ApprovalBody.NCBTMB, "hours": hours, "subject": Subject.GENERAL, "delivery": delivery}
        ]
    body = next((b for b in rule.accepts if any(a.get("body") == b for a in printed)), None)
    title, day = s.get("course_title", ""), certificate.completion_date
    if body is not None:
        return [_approval_item(title, day, a) for a in printed if a.get("body") == body]
    shown = next((a for a in printed if a.get("body") == ApprovalBody.NCBTMB), None)
    if shown is not None:
        return [_approval_item(title, day, shown, accepted=False)]
    hours = Decimal(s.get("ce_hours") or "0")
    return [
        CreditItem(
            title=title,
            completed_on=day,
            hours=hours,
            subject=Subject.GENERAL,
            delivery=delivery,
            minutes=int(hours * MINUTES_PER_SITE_HOUR),
            accepted=False,
        )
    ]


def _approval_item(title: str, day: date, approval: dict, *, accepted: bool = True) -> CreditItem:
    hours = Decimal(approval["hours"])
    return CreditItem(
        title=title,
        completed_on=day,
        hours=hours,
        subject=approval["subject"],
        delivery=approval["delivery"],
        minutes=int(hours * MINUTES_PER_SITE_HOUR),
        accepted=accepted,
    )


def _outside_item(upload: OutsideCertificate) -> CreditItem:
    return CreditItem(
        title=upload.title,
        provider=upload.provider_name,
        completed_on=upload.completed_on,
        hours=upload.hours,
        subject=upload.subject,
        delivery=upload.delivery,
        minutes=upload.minutes,
        outside=True,
    )


def _issued_certificates(user_ids) -> dict[int, list[Certificate]]:
    """The issued certificates of these learners, by learner (one query)."""
    found = defaultdict(list)
    certificates = (
        Certificate.objects.filter(enrollment__user_id__in=user_ids, status=Certificate.Status.ISSUED)
        .annotate(owner_id=F("enrollment__user_id"))
        .only("snapshot", "status", "code")
        .order_by("pk")
    )
    for certificate in certificates:
        if certificate.completion_date:
            found[certificate.owner_id].append(certificate)
    return found


def _uploads(user_ids) -> dict[int, list[OutsideCertificate]]:
    found = defaultdict(list)
    for upload in OutsideCertificate.objects.filter(user_id__in=user_ids):
        found[upload.user_id].append(upload)
    return found


def accepted_label(rule: RenewalRule) -> str:
    """The approvals a rule accepts, as the page names them: "Florida Board of Massage Therapy (CE Broker)"."""
    return " or ".join(SHORT_NAMES.get(body, body) for body in rule.accepts)


def _rows(credentials, certificates, uploads, *, today: date) -> list[dict]:
    known = rules()
    rows = []
    for credential in credentials:
        rule = known.get(credential.kind)
        if rule is None:  # a rule removed from the data: shown, not counted
            rows.append({"credential": credential, "rule": None, "progress": None})
            continue
        items = [i for c in certificates for i in _site_items(c, rule)] + [_outside_item(u) for u in uploads]
        rows.append(
            {
                "credential": credential,
                "rule": rule,
                "accepted_label": accepted_label(rule),
                "hands_on_subjects": [Subject(s).label for s in rule.hands_on_subjects],
                "progress": progress(rule, credential.renewal_date, items, today=today),
            }
        )
    return rows


def renewal_overview(*, user, today: date | None = None) -> dict:
    """The renewal page: each credential's progress, and the outside certificates (three queries)."""
    today = today or timezone.localdate()
    credentials = list(Credential.objects.filter(user=user))
    certificates = _issued_certificates([user.pk])[user.pk]
    uploads = _uploads([user.pk])[user.pk]
    return {
        "rows": _rows(credentials, certificates, uploads, today=today),
        "uploads": uploads,
        "today": today,
    }


# --- reminders -----------------------------------------------------------------------------------------


def reminder_threshold(days_left: int) -> int | None:
    """The reminder due with `days_left` days to go: the smallest of 90, 30, 7 not below it."""
    due = [days for days in REMINDER_DAYS if 0 <= days_left <= days]
    return min(due) if due else None


def renewal_reminders_send(*, today: date | None = None) -> list[RenewalReminder]:
    """E-mail each learner whose credential reached 90, 30 or 7 days before its deadline, once per
    threshold: the reminder rows are claimed first (unique per credential, deadline and threshold), so a
    second run, or two workers at once, send nothing more. A send that fails gives its claim back.

    The queries do not grow with the credentials: the due ones, the reminders already sent, one insert of
    the new claims, then the certificates and uploads of all their learners at once."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    known = rules()
    # A CE cycle fixed whatever the license date: every such credential is due when the cycle's end is near.
    cycle_kinds = [
        kind
        for kind, rule in known.items()
        if rule.deadline == CE_CYCLE and ce_deadline(rule, today, today=today) <= horizon
    ]
    due = {}
    for credential in Credential.objects.filter(
        Q(renewal_date__gte=today, renewal_date__lte=horizon) | Q(kind__in=cycle_kinds)
    ).select_related("user"):
        rule = known.get(credential.kind)
        if rule is None or not credential.user.email:
            continue
        deadline = ce_deadline(rule, credential.renewal_date, today=today)
        days = reminder_threshold((deadline - today).days)
        if days is not None:
            due[(credential.pk, deadline, days)] = credential
    if not due:
        return []
    sent_before = RenewalReminder.objects.filter(credential_id__in={pk for pk, _, _ in due}).values_list(
        "credential_id", "deadline", "days_before"
    )
    for key in sent_before:
        due.pop(key, None)
    claimed = _claim(
        [
            RenewalReminder(credential=c, deadline=deadline, days_before=days)
            for (_, deadline, days), c in due.items()
        ]
    )
    learners = {reminder.credential.user_id for reminder in claimed}
    certificates, uploads = _issued_certificates(learners), _uploads(learners)
    renewals_url = site_url() + reverse("courses:renewals") if claimed else ""
    sent = []
    for reminder in claimed:
        credential = reminder.credential
        try:
            [row] = _rows(
                [credential], certificates[credential.user_id], uploads[credential.user_id], today=today
            )
            _reminder_email(row, renewals_url=renewals_url)
        except Exception:
            log.exception("Renewal reminder for credential %s failed; it will be tried again", credential.pk)
            RenewalReminder.objects.filter(
                credential=credential, deadline=reminder.deadline, days_before=reminder.days_before
            ).delete()
            continue
        sent.append(reminder)
    return sent


def _claim(claims: list[RenewalReminder]) -> list[RenewalReminder]:
    """Insert the claims at once; if another run claimed one of them meanwhile (the unique constraint),
    claim them one by one and keep those that were still free."""
    if not claims:
        return []
    try:
        with transaction.atomic():
            return RenewalReminder.objects.bulk_create(claims)
    except IntegrityError:
        pass
    claimed = []
    for claim in claims:
        try:
            with transaction.atomic():
                claimed.append(
                    RenewalReminder.objects.create(
                        credential=claim.credential, deadline=claim.deadline, days_before=claim.days_before
                    )
                )
        except IntegrityError:
            continue  # already sent for this threshold
    return claimed


def _reminder_email(row: dict, *, renewals_url: str) -> None:
    credential, rule, deadline = row["credential"], row["rule"], row["progress"].deadline
    context = {
        "credential": credential,
        "rule": rule,
        "progress": row["progress"],
        "accepted_label": row["accepted_label"],
        "user": credential.user,
        "renewals_url": renewals_url,
    }
    send_mail(
        f"{rule.name}: CE due by {deadline:%B %-d, %Y}",
        render_to_string("courses/renewal_reminder_email.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [credential.user.email],
    )
