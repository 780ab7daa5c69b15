"""The renewal rules per credential (issue 15), as data: courses/data/renewal_rules.yaml, checked when loaded
(`rules_parse`), and the calendar questions they answer: the date a learner's license date is kept as
(`cycle_deadline`) and the CE deadline the tracker counts toward (`ce_deadline`). The arithmetic is
courses/renewals.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from .approval_models import ApprovalBody, Subject

RULES_FILE = Path(__file__).resolve().parent / "data" / "renewal_rules.yaml"
CYCLE_YEARS = {"even": 2, "odd": 2, "every": 1}  # fixed_cycle_end.years: the cycle length it implies
# `deadline`: what the CE deadline follows. LICENSE: the license's own date (moved to the end of its fixed
# cycle where every license expires on the same day: FL, GA, LA). CE_CYCLE: a CE cycle fixed for everyone
# while licenses renew on staggered dates (TN): the cycle open today, whatever the license date.
LICENSE, CE_CYCLE = "license", "ce_cycle"


class RulesError(ValueError):
    """courses/data/renewal_rules.yaml is malformed."""


@dataclass(frozen=True)
class FixedCycle:
    """A cycle that ends on the same day for every licensee: `month`/`day` of even, odd or every year."""

    month: int
    day: int
    years: str  # even | odd | every

    def ends_in(self, year: int) -> bool:
        return self.years == "every" or (year % 2 == 0) == (self.years == "even")

    def end_on_or_after(self, day: date) -> date:
        year = day.year
        while not (self.ends_in(year) and date(year, self.month, self.day) >= day):
            year += 1
        return date(year, self.month, self.day)

    @property
    def description(self) -> str:
        when = {"even": "of even-numbered years", "odd": "of odd-numbered years", "every": "of every year"}
        return f"{date(2001, self.month, self.day):%B} {self.day} {when[self.years]}"


@dataclass(frozen=True)
class ApprovedCourse:
    """A course in `subject` the board requires before each renewal, approved by someone this site cannot
    check (Texas: HHSC's list of human trafficking prevention courses). Never shown as met: the learner is
    asked to check their course against the list at `list_url` (`list_label` names that page)."""

    subject: str
    approved_by: str
    list_url: str
    list_label: str


@dataclass(frozen=True)
class RenewalRule:
    kind: str
    name: str
    cycle_years: int
    hours: Decimal
    source: str
    source_url: str
    checked: date | None  # the day the figures were last compared with the board's text; None: not yet
    subjects: dict[str, Decimal] = field(default_factory=dict)
    hands_on: Decimal = Decimal(0)
    hands_on_subjects: tuple[str, ...] = ()  # the subjects a hands-on class must have to count; () any
    multimedia_max: Decimal | None = None
    clock_hour_minutes: int | None = None
    subject_max: dict[str, Decimal] = field(default_factory=dict)  # at most so many hours of a subject count
    approved_courses: tuple[ApprovedCourse, ...] = ()
    fixed_cycle_end: FixedCycle | None = None
    deadline: str = LICENSE  # LICENSE or CE_CYCLE
    accepts: tuple[str, ...] = ()  # the approvals a site certificate counts under, in order
    note: str = ""


def cycle_deadline(rule: RenewalRule, day: date) -> date:
    """The date a license expiring on `day` is kept as: the end of the fixed cycle containing it where every
    license expires with the CE cycle (FL, GA, LA), otherwise `day` itself: the learner's own renewal date,
    and for a board whose CE cycle is fixed but whose licenses renew on staggered dates (TN), the license's
    date, which says nothing of the CE deadline (`ce_deadline`)."""
    if rule.fixed_cycle_end and rule.deadline == LICENSE:
        return rule.fixed_cycle_end.end_on_or_after(day)
    return day


def ce_deadline(rule: RenewalRule, renewal_date: date, *, today: date) -> date:
    """The day the CE hours are due, as the tracker counts them: for a CE cycle fixed for everyone whatever
    the license date (`deadline: ce_cycle`), the end of the cycle containing `today`; otherwise the
    license's deadline, moved to the end of its fixed cycle where there is one."""
    if rule.deadline == CE_CYCLE:
        return rule.fixed_cycle_end.end_on_or_after(today)
    return cycle_deadline(rule, renewal_date)


def _number(value, where) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise RulesError(f"{where} must be a number of hours, 0 or more")
    return Decimal(str(value))


def _fixed_cycle(value, years: int, where: str) -> FixedCycle | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"month", "day", "years"}:
        raise RulesError(f"{where}: 'fixed_cycle_end' needs month, day and years (even, odd or every)")
    month, day, parity = value["month"], value["day"], value["years"]
    if parity not in CYCLE_YEARS:
        raise RulesError(f"{where}: 'fixed_cycle_end.years' must be even, odd or every")
    if CYCLE_YEARS[parity] != years:
        raise RulesError(f"{where}: a cycle ending in {parity} years lasts {CYCLE_YEARS[parity]} year(s)")
    try:
        date(2001, month, day)  # a day every year has (never 29 February)
    except (TypeError, ValueError) as error:
        raise RulesError(f"{where}: 'fixed_cycle_end' month and day must be a date in every year") from error
    return FixedCycle(month, day, parity)


def _subject_hours(entry, key, where) -> dict[str, Decimal]:
    value = entry.get(key) or {}
    if not isinstance(value, dict) or set(value) - set(Subject.values):
        raise RulesError(f"{where}: '{key}' keys must be among {', '.join(Subject.values)}")
    return {subject: _number(hours, f"{where}: {key}.{subject}") for subject, hours in value.items()}


def _approved_courses(value, where) -> tuple[ApprovedCourse, ...]:
    fields = {"subject", "approved_by", "list_url", "list_label"}
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, dict) and set(v) == fields for v in value):
        raise RulesError(f"{where}: each of 'approved_courses' needs {', '.join(sorted(fields))}")
    for course in value:
        if course["subject"] not in Subject.values:
            raise RulesError(f"{where}: 'approved_courses' subject must be among {', '.join(Subject.values)}")
        if not str(course["list_url"]).startswith("https://"):
            raise RulesError(f"{where}: 'approved_courses' list_url must be an https:// address")
    return tuple(ApprovedCourse(**{k: str(v).strip() for k, v in course.items()}) for course in value)


def _checked(entry, where) -> date | None:
    if "checked" not in entry:
        raise RulesError(
            f"{where}: 'checked' is required (the date the figures were compared with the source, "
            "or null if not yet)"
        )
    value = entry["checked"]
    if value is not None and (not isinstance(value, date) or value.year < 2000):
        raise RulesError(f"{where}: 'checked' must be a date (YYYY-MM-DD) or null")
    return value


def rules_parse(data) -> dict[str, RenewalRule]:
    if not isinstance(data, dict) or not isinstance(data.get("credentials"), dict) or not data["credentials"]:
        raise RulesError("renewal_rules.yaml: 'credentials' must map each credential to its rule")
    known = {"name", "cycle_years", "hours", "source", "source_url", "checked", "subjects", "hands_on"}
    known |= {"hands_on_subjects", "subject_max", "approved_courses"}
    known |= {
        "multimedia_max",
        "clock_hour_minutes",
        "fixed_cycle_end",
        "deadline",
        "accepts",
        "note",
    }
    found = {}
    for kind, entry in data["credentials"].items():
        where = f"renewal_rules.yaml: {kind}"
        if not isinstance(entry, dict):
            raise RulesError(f"{where}: a mapping of the rule's figures")
        if set(entry) - known:
            raise RulesError(f"{where}: unknown keys {sorted(set(entry) - known)}")
        if kind not in ApprovalBody.values:
            raise RulesError(f"{where}: not an approving body ({', '.join(ApprovalBody.values)})")
        for key in ("name", "source", "source_url"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise RulesError(f"{where}: '{key}' is required (every figure needs its source)")
        if not entry["source_url"].startswith("https://"):
            raise RulesError(f"{where}: 'source_url' must be an https:// address")
        years = entry.get("cycle_years")
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 10:
            raise RulesError(f"{where}: 'cycle_years' must be a whole number of years (1-10)")
        hands_on_subjects = entry.get("hands_on_subjects") or []
        if not isinstance(hands_on_subjects, list) or set(hands_on_subjects) - set(Subject.values):
            raise RulesError(f"{where}: 'hands_on_subjects' must list subjects")
        if hands_on_subjects and not entry.get("hands_on"):
            raise RulesError(f"{where}: 'hands_on_subjects' needs the 'hands_on' hours they count toward")
        minutes = entry.get("clock_hour_minutes")
        if minutes is not None and (not isinstance(minutes, int) or not 30 <= minutes <= 60):
            raise RulesError(f"{where}: 'clock_hour_minutes' must be whole minutes (30-60)")
        accepts = entry.get("accepts", [kind])
        if not isinstance(accepts, list) or not accepts or set(accepts) - set(ApprovalBody.values):
            raise RulesError(
                f"{where}: 'accepts' must list approving bodies ({', '.join(ApprovalBody.values)})"
            )
        cap = entry.get("multimedia_max")
        deadline = entry.get("deadline", LICENSE)
        if deadline not in (LICENSE, CE_CYCLE):
            raise RulesError(f"{where}: 'deadline' must be {LICENSE} or {CE_CYCLE}")
        if deadline == CE_CYCLE and entry.get("fixed_cycle_end") is None:
            raise RulesError(f"{where}: 'deadline: {CE_CYCLE}' needs the cycle's 'fixed_cycle_end'")
        rule = RenewalRule(
            kind=kind,
            name=entry["name"].strip(),
            cycle_years=years,
            hours=_number(entry.get("hours"), f"{where}: 'hours'"),
            source=" ".join(entry["source"].split()),
            source_url=entry["source_url"].strip(),
            checked=_checked(entry, where),
            subjects=_subject_hours(entry, "subjects", where),
            subject_max=_subject_hours(entry, "subject_max", where),
            approved_courses=_approved_courses(entry.get("approved_courses"), where),
            hands_on=_number(entry.get("hands_on", 0), f"{where}: 'hands_on'"),
            hands_on_subjects=tuple(hands_on_subjects),
            multimedia_max=None if cap is None else _number(cap, f"{where}: 'multimedia_max'"),
            clock_hour_minutes=minutes,
            fixed_cycle_end=_fixed_cycle(entry.get("fixed_cycle_end"), years, where),
            deadline=deadline,
            accepts=tuple(accepts),
            note=" ".join((entry.get("note") or "").split()),
        )
        if sum(rule.subjects.values(), Decimal(0)) > rule.hours or rule.hands_on > rule.hours:
            raise RulesError(f"{where}: the minimums add up to more than the total hours")
        if any(rule.subjects.get(subject, 0) > cap for subject, cap in rule.subject_max.items()):
            raise RulesError(f"{where}: a subject's minimum is above its 'subject_max'")
        found[kind] = rule
    return found


@cache
def rules() -> dict[str, RenewalRule]:
    with RULES_FILE.open(encoding="utf-8") as handle:
        return rules_parse(yaml.safe_load(handle))
