"""Renewal tracking (issue 15): per credential a learner holds, the hours required in its cycle, what they
earned (this site's certificates and the outside certificates they uploaded), by required subject, and
what is missing before the deadline; and the reminder e-mails at 90, 30 and 7 days.

The figures are data, courses/data/renewal_rules.yaml, checked when loaded (`rules_parse`). The arithmetic
(`progress`) is a pure function of a rule, a deadline and credit items, so it is tested without a database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .approval_models import ApprovalBody, Delivery, Subject
from .certificate_models import Certificate
from .links import site_url
from .renewal_models import Credential, OutsideCertificate, RenewalReminder

log = logging.getLogger(__name__)
RULES_FILE = Path(__file__).resolve().parent / "data" / "renewal_rules.yaml"
REMINDER_DAYS = (90, 30, 7)
MINUTES_PER_SITE_HOUR = 50  # courses.models.MINUTES_PER_CE_HOUR: this site's CE hour is a 50-minute hour
TWO_PLACES = Decimal("0.01")


class RulesError(ValueError):
    """courses/data/renewal_rules.yaml is malformed."""


@dataclass(frozen=True)
class RenewalRule:
    kind: str
    name: str
    cycle_years: int
    hours: Decimal
    source: str
    subjects: dict[str, Decimal] = field(default_factory=dict)
    hands_on: Decimal = Decimal(0)
    online_max: Decimal | None = None
    clock_hour_minutes: int | None = None
    required_courses: tuple[str, ...] = ()
    deadline_note: str = ""


def _number(value, where) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise RulesError(f"{where} must be a number of hours, 0 or more")
    return Decimal(str(value))


def rules_parse(data) -> dict[str, RenewalRule]:
    if not isinstance(data, dict) or not isinstance(data.get("credentials"), dict) or not data["credentials"]:
        raise RulesError("renewal_rules.yaml: 'credentials' must map each credential to its rule")
    known = {"name", "cycle_years", "hours", "source", "subjects", "hands_on", "online_max"}
    known |= {"clock_hour_minutes", "required_courses", "deadline_note"}
    found = {}
    for kind, entry in data["credentials"].items():
        where = f"renewal_rules.yaml: {kind}"
        if not isinstance(entry, dict):
            raise RulesError(f"{where}: a mapping of the rule's figures")
        if set(entry) - known:
            raise RulesError(f"{where}: unknown keys {sorted(set(entry) - known)}")
        if kind not in ApprovalBody.values:
            raise RulesError(f"{where}: not an approving body ({', '.join(ApprovalBody.values)})")
        for key in ("name", "source"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise RulesError(f"{where}: '{key}' is required (every figure needs its source)")
        years = entry.get("cycle_years")
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 10:
            raise RulesError(f"{where}: 'cycle_years' must be a whole number of years (1-10)")
        subjects = entry.get("subjects") or {}
        if not isinstance(subjects, dict) or set(subjects) - set(Subject.values):
            raise RulesError(f"{where}: 'subjects' keys must be among {', '.join(Subject.values)}")
        required = entry.get("required_courses") or []
        if not isinstance(required, list) or set(required) - set(Subject.values):
            raise RulesError(f"{where}: 'required_courses' must list subjects")
        minutes = entry.get("clock_hour_minutes")
        if minutes is not None and (not isinstance(minutes, int) or not 30 <= minutes <= 60):
            raise RulesError(f"{where}: 'clock_hour_minutes' must be whole minutes (30-60)")
        rule = RenewalRule(
            kind=kind,
            name=entry["name"].strip(),
            cycle_years=years,
            hours=_number(entry.get("hours"), f"{where}: 'hours'"),
            source=" ".join(entry["source"].split()),
            subjects={k: _number(v, f"{where}: subjects.{k}") for k, v in subjects.items()},
            hands_on=_number(entry.get("hands_on", 0), f"{where}: 'hands_on'"),
            online_max=None
            if entry.get("online_max") is None
            else _number(entry["online_max"], f"{where}: online_max"),
            clock_hour_minutes=minutes,
            required_courses=tuple(required),
            deadline_note=(entry.get("deadline_note") or "").strip(),
        )
        if sum(rule.subjects.values(), Decimal(0)) > rule.hours or rule.hands_on > rule.hours:
            raise RulesError(f"{where}: the minimums add up to more than the total hours")
        found[kind] = rule
    return found


@cache
def rules() -> dict[str, RenewalRule]:
    with RULES_FILE.open(encoding="utf-8") as handle:
        return rules_parse(yaml.safe_load(handle))


# --- the arithmetic ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreditItem:
    """One completed course as a renewal counts it."""

    title: str
    completed_on: date
    hours: Decimal
    subject: str
    delivery: str
    minutes: int | None = None
    outside: bool = False

    @property
    def subject_label(self) -> str:
        return Subject(self.subject).label if self.subject in Subject.values else self.subject

    @property
    def delivery_label(self) -> str:
        return Delivery(self.delivery).label if self.delivery in Delivery.values else self.delivery


@dataclass
class Requirement:
    label: str
    required: Decimal
    earned: Decimal

    @property
    def missing(self) -> Decimal:
        return max(Decimal(0), self.required - self.earned)

    @property
    def met(self) -> bool:
        return self.missing == 0


@dataclass
class Progress:
    rule: RenewalRule
    deadline: date
    cycle_start: date
    items: list[CreditItem]  # those in the cycle, each with the hours it is credited
    credited: dict[int, Decimal]
    total: Requirement
    requirements: list[Requirement]  # subject minimums and hands-on
    courses_missing: list[str]  # required courses not yet taken (labels)
    online_capped: Decimal  # home-study hours earned beyond online_max (not counted)
    days_left: int

    @property
    def complete(self) -> bool:
        return self.total.met and all(r.met for r in self.requirements) and not self.courses_missing

    @property
    def overdue(self) -> bool:
        return self.days_left < 0 and not self.complete


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def credited_hours(item: CreditItem, rule: RenewalRule) -> Decimal:
    """The hours an item counts for under `rule`: its minutes in the rule's clock hours when both are known,
    otherwise its hours as printed."""
    if rule.clock_hour_minutes and item.minutes:
        return (Decimal(item.minutes) / rule.clock_hour_minutes).quantize(TWO_PLACES, rounding=ROUND_DOWN)
    return item.hours


def progress(rule: RenewalRule, deadline: date, items: list[CreditItem], *, today: date) -> Progress:
    """What counts toward renewing by `deadline`: items completed in the cycle (after the same day
    `cycle_years` earlier, up to and including the deadline)."""
    start = years_before(deadline, rule.cycle_years) + timedelta(days=1)
    inside = sorted((i for i in items if start <= i.completed_on <= deadline), key=lambda i: i.completed_on)
    credited = {id(i): credited_hours(i, rule) for i in inside}
    online = sum((credited[id(i)] for i in inside if i.delivery == Delivery.HOME_STUDY), Decimal(0))
    other = sum((credited[id(i)] for i in inside if i.delivery != Delivery.HOME_STUDY), Decimal(0))
    counted_online = online if rule.online_max is None else min(online, rule.online_max)
    requirements = [
        Requirement(
            Subject(subject).label,
            minimum,
            sum((credited[id(i)] for i in inside if i.subject == subject), Decimal(0)),
        )
        for subject, minimum in rule.subjects.items()
    ]
    if rule.hands_on:
        hands_on = sum((credited[id(i)] for i in inside if i.delivery == Delivery.HANDS_ON), Decimal(0))
        requirements.append(Requirement("Live hands-on", rule.hands_on, hands_on))
    taken = {i.subject for i in inside}
    return Progress(
        rule=rule,
        deadline=deadline,
        cycle_start=start,
        items=inside,
        credited=credited,
        total=Requirement("Total", rule.hours, counted_online + other),
        requirements=requirements,
        courses_missing=[Subject(s).label for s in rule.required_courses if s not in taken],
        online_capped=online - counted_online,
        days_left=(deadline - today).days,
    )


# --- reads ---------------------------------------------------------------------------------------------


def _site_item(certificate: Certificate, kind: str) -> CreditItem:
    """A certificate of this site, counted under the credential's own approval if the certificate printed
    one, else NCBTMB's (every course here is from an NCBTMB approved provider), else the course's figures."""
    s = certificate.snapshot
    approvals = {a.get("body"): a for a in s.get("approvals", [])}
    approval = approvals.get(kind) or approvals.get(ApprovalBody.NCBTMB)
    home_study = not s.get("course_type", "").lower().startswith("live")
    hours = Decimal(approval["hours"] if approval else s.get("ce_hours", "0"))
    return CreditItem(
        title=s.get("course_title", ""),
        completed_on=certificate.completion_date,
        hours=hours,
        subject=approval["subject"] if approval else Subject.GENERAL,
        delivery=approval["delivery"] if approval else (Delivery.HOME_STUDY if home_study else Delivery.LIVE),
        minutes=int(hours * MINUTES_PER_SITE_HOUR),
    )


def _outside_item(upload: OutsideCertificate) -> CreditItem:
    return CreditItem(
        title=f"{upload.title} ({upload.provider_name})",
        completed_on=upload.completed_on,
        hours=upload.hours,
        subject=upload.subject,
        delivery=upload.delivery,
        minutes=upload.minutes,
        outside=True,
    )


def renewal_overview(*, user, today: date | None = None) -> dict:
    """The renewal page: each credential's progress, and the outside certificates (three queries)."""
    today = today or timezone.localdate()
    credentials = list(Credential.objects.filter(user=user))
    certificates = [
        c
        for c in Certificate.objects.filter(enrollment__user=user, status=Certificate.Status.ISSUED).only(
            "snapshot", "status", "code"
        )
        if c.completion_date
    ]
    uploads = list(OutsideCertificate.objects.filter(user=user))
    known = rules()
    rows = []
    for credential in credentials:
        rule = known.get(credential.kind)
        if rule is None:  # a rule removed from the data: shown, not counted
            rows.append({"credential": credential, "rule": None, "progress": None})
            continue
        items = [_site_item(c, credential.kind) for c in certificates] + [_outside_item(u) for u in uploads]
        rows.append(
            {
                "credential": credential,
                "rule": rule,
                "progress": progress(rule, credential.renewal_date, items, today=today),
            }
        )
    return {"rows": rows, "uploads": uploads, "today": today}


# --- reminders -----------------------------------------------------------------------------------------


def reminder_threshold(days_left: int) -> int | None:
    """The reminder due with `days_left` days to go: the smallest of 90, 30, 7 not below it."""
    due = [days for days in REMINDER_DAYS if 0 <= days_left <= days]
    return min(due) if due else None


def renewal_reminders_send(*, today: date | None = None) -> list[RenewalReminder]:
    """E-mail each learner whose credential reached 90, 30 or 7 days before its deadline, once per
    threshold: a reminder row is claimed first (unique per credential, deadline and threshold), so a
    second run, or two workers at once, send nothing more. A send that fails gives the claim back."""
    today = today or timezone.localdate()
    sent = []
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    candidates = Credential.objects.filter(renewal_date__gte=today, renewal_date__lte=horizon).select_related(
        "user"
    )
    for credential in candidates:
        days = reminder_threshold((credential.renewal_date - today).days)
        if days is None or not credential.user.email or credential.kind not in rules():
            continue
        try:
            with transaction.atomic():
                reminder = RenewalReminder.objects.create(
                    credential=credential, deadline=credential.renewal_date, days_before=days
                )
        except IntegrityError:
            continue  # already sent for this threshold
        try:
            _reminder_email(credential, today=today)
        except Exception:
            log.exception("Renewal reminder for credential %s failed; it will be tried again", credential.pk)
            reminder.delete()
            continue
        sent.append(reminder)
    return sent


def _reminder_email(credential: Credential, *, today: date) -> None:
    overview = renewal_overview(user=credential.user, today=today)
    row = next(r for r in overview["rows"] if r["credential"].pk == credential.pk)
    context = {
        "credential": credential,
        "rule": row["rule"],
        "progress": row["progress"],
        "user": credential.user,
        "renewals_url": site_url() + reverse("courses:renewals"),
    }
    send_mail(
        f"{row['rule'].name}: renew by {credential.renewal_date:%B %-d, %Y}",
        render_to_string("courses/renewal_reminder_email.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [credential.user.email],
    )
