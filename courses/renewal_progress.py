"""The renewal arithmetic (issue 15): what counts toward one credential's CE deadline, as a pure function of
its rule, its renewal date, today and the learner's credit items (`progress`), so it is tested without a
database. courses/renewals.py gathers the items (this site's certificates, outside certificates) and shows
the result; the rules are courses/data/renewal_rules.yaml (courses/renewal_rules.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from .approval_models import Delivery, Subject
from .renewal_rules import CE_CYCLE, ApprovedCourse, RenewalRule, ce_deadline

TWO_PLACES = Decimal("0.01")
# Delivered at a distance: what a rule's `multimedia_max` caps (Tennessee's "multi-media formats").
MULTIMEDIA = frozenset({Delivery.HOME_STUDY, Delivery.LIVE_ONLINE})


@dataclass(frozen=True)
class CreditItem:
    """One completed course as a renewal counts it. `accepted` is False for a certificate of this site that
    shows no approval the credential's board accepts: listed, not counted."""

    title: str
    completed_on: date
    hours: Decimal
    subject: str
    delivery: str
    minutes: int | None = None
    outside: bool = False
    accepted: bool = True
    provider: str = ""  # an outside certificate's, as the learner entered it

    @property
    def name(self) -> str:
        return f"{self.title} ({self.provider})" if self.provider else self.title

    @property
    def same_course_key(self) -> tuple[str, date]:
        """What makes two certificates the same course: the title (case and spacing aside) and the date."""
        return " ".join(self.title.split()).casefold(), self.completed_on

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


@dataclass(frozen=True)
class CountedLine:
    """A course counted toward a credential, with the hours it is credited under the rule."""

    item: CreditItem
    hours: Decimal  # credited: in the rule's clock hours, less any hours over a cap
    clock: Decimal  # in the rule's clock hours, before the caps

    @property
    def converted(self) -> bool:
        """Its minutes, not its printed hours, decided its hours (a board's own clock hour)."""
        return self.clock != self.item.hours

    @property
    def capped(self) -> Decimal:
        return self.clock - self.hours


@dataclass
class CourseCheck:
    """A course the board requires from a list this site cannot check (`ApprovedCourse`): never "met", the
    learner checks `taken` (their courses in its subject this cycle, if any) against the list."""

    course: ApprovedCourse
    label: str  # the subject's
    taken: list[CreditItem]


@dataclass
class Progress:
    rule: RenewalRule
    deadline: date
    cycle_start: date
    items: list[CreditItem]  # those counted in the cycle
    credited: dict[int, Decimal]  # by id(item): the hours it counts for (clock hours, less hours over a cap)
    clock: dict[int, Decimal]  # by id(item): its hours in the rule's clock hours, before the caps
    total: Requirement
    requirements: list[Requirement]  # subject minimums and hands-on
    to_check: list[CourseCheck]  # required courses from a list: the learner checks, the page cannot
    subject_capped: list[
        tuple[str, Decimal, Decimal]
    ]  # (subject label, hours over its cap, cap): not counted
    multimedia_capped: Decimal  # home-study and live-online hours beyond multimedia_max (counted nowhere)
    days_left: int
    not_counted: list[CreditItem]  # completed in the cycle without an approval the board accepts
    duplicates: list[CreditItem]  # uploads of a course a certificate of this site already counts
    new_cycle_start: date | None = (
        None  # a closed CE cycle still shown (`progress`): the next one's first day
    )

    @property
    def complete(self) -> bool:
        """Every hour the tracker can count is there (what is `to_check` is the learner's to confirm)."""
        return self.total.met and all(r.met for r in self.requirements)

    @property
    def lines(self) -> list[CountedLine]:
        return [CountedLine(i, self.credited[id(i)], self.clock[id(i)]) for i in self.items]

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


def _hours(items, credited, keep=lambda item: True) -> Decimal:
    return sum((credited[id(i)] for i in items if keep(i)), Decimal(0))


def _within_subject_caps(rule: RenewalRule, items, clock: dict[int, Decimal]) -> dict[int, Decimal]:
    """The hours each item counts for once the rule's `subject_max` is applied (Texas: at most 3 hours of
    human trafficking prevention training per license term): hours of a subject over its cap count nowhere.
    In-person hours count first (they spend no distance cap), then in completion order."""
    counted = dict(clock)
    for subject, cap in rule.subject_max.items():
        left = cap
        for i in sorted((i for i in items if i.subject == subject), key=lambda i: i.delivery in MULTIMEDIA):
            counted[id(i)] = min(clock[id(i)], left)
            left -= counted[id(i)]
    return counted


def _within_distance_cap(rule: RenewalRule, items, clock: dict[int, Decimal]) -> dict[int, Decimal]:
    """The hours each item counts for once the rule's `multimedia_max` is applied. The cap is on hours "of
    the 24 hours requirement" (Tennessee 0870-01-.12(1)(d); (b) and (c) are hours of the same requirement),
    so distance hours beyond it count nowhere: not in the total, not toward a subject minimum. Which ones
    count is the learner's to report, so the cap goes first to the subject minimums that the other hours
    leave short, then to the rest in completion order."""
    if rule.multimedia_max is None:
        return dict(clock)
    distance = [i for i in items if i.delivery in MULTIMEDIA]
    short = {
        subject: minimum
        - _hours(items, clock, lambda i, s=subject: i.subject == s and i.delivery not in MULTIMEDIA)
        for subject, minimum in rule.subjects.items()
    }
    allowed, left = {id(i): Decimal(0) for i in distance}, rule.multimedia_max
    for toward_minimums in (True, False):
        for i in distance:
            room = clock[id(i)] - allowed[id(i)]
            if toward_minimums:
                room = min(room, max(Decimal(0), short.get(i.subject, Decimal(0))))
            take = min(room, left)
            if take > 0:
                allowed[id(i)] += take
                left -= take
                if toward_minimums:
                    short[i.subject] -= take
    return {**clock, **allowed}


def progress(rule: RenewalRule, renewal_date: date, items: list[CreditItem], *, today: date) -> Progress:
    """What counts toward the CE deadline of a credential renewed on `renewal_date` (`ce_deadline`: the
    license's date, moved to the end of its fixed cycle where every license expires with it, or the end of
    the CE cycle open `today` where that cycle is fixed whatever the license date): accepted items completed
    in the cycle, from the day after the deadline `cycle_years` earlier up to and including the deadline.
    Distance hours (home study and live online) count up to the rule's `multimedia_max`, in the total and
    toward subject minimums alike (`_within_distance_cap`), after any subject's own cap (`subject_max`);
    hands-on minimums count only hands-on classes, in the rule's `hands_on_subjects` where it names them.
    Courses the board requires from a list of its own (`approved_courses`) are listed to check, never met.

    A CE cycle fixed for everyone (`deadline: ce_cycle`, Tennessee) that has closed short still counts for a
    license renewing in the year after it closed (the licensee attests to it then): until that license date
    the closed cycle is shown, past its deadline, with the day the new cycle started (`new_cycle_start`)."""
    deadline = ce_deadline(rule, renewal_date, today=today)
    if rule.deadline == CE_CYCLE:
        closed = years_before(deadline, rule.cycle_years)
        if closed < today <= renewal_date <= years_before(closed, -1):
            past = _cycle_progress(rule, closed, items, today=today)
            if not past.complete:
                return replace(past, new_cycle_start=closed + timedelta(days=1))
    return _cycle_progress(rule, deadline, items, today=today)


def _cycle_progress(rule: RenewalRule, deadline: date, items: list[CreditItem], *, today: date) -> Progress:
    start = years_before(deadline, rule.cycle_years) + timedelta(days=1)
    in_cycle = sorted((i for i in items if start <= i.completed_on <= deadline), key=lambda i: i.completed_on)
    # A course counts once in a cycle (Tennessee 0870-01-.12(1)(a)): an upload matching a certificate of this
    # site that counts (same title and date) is a copy. One that does not count here may be uploaded to count.
    site = {i.same_course_key for i in in_cycle if i.accepted and not i.outside}
    duplicates = [i for i in in_cycle if i.outside and i.same_course_key in site]
    inside = [i for i in in_cycle if i.accepted and not any(i is d for d in duplicates)]
    clock = {id(i): credited_hours(i, rule) for i in inside}
    within_subjects = _within_subject_caps(rule, inside, clock)
    credited = _within_distance_cap(rule, inside, within_subjects)
    requirements = [
        Requirement(
            Subject(subject).label, minimum, _hours(inside, credited, lambda i, s=subject: i.subject == s)
        )
        for subject, minimum in rule.subjects.items()
    ]
    if rule.hands_on:
        hands_on = _hours(
            inside,
            credited,
            lambda i: (
                i.delivery == Delivery.HANDS_ON
                and (not rule.hands_on_subjects or i.subject in rule.hands_on_subjects)
            ),
        )
        requirements.append(Requirement("Live hands-on", rule.hands_on, hands_on))
    subject_capped = [
        (Subject(subject).label, over, cap)
        for subject, cap in rule.subject_max.items()
        if (
            over := _hours(inside, clock, lambda i, s=subject: i.subject == s)
            - _hours(inside, within_subjects, lambda i, s=subject: i.subject == s)
        )
    ]
    return Progress(
        rule=rule,
        deadline=deadline,
        cycle_start=start,
        items=inside,
        credited=credited,
        clock=clock,
        total=Requirement("Total", rule.hours, _hours(inside, credited)),
        requirements=requirements,
        to_check=[
            CourseCheck(
                course, Subject(course.subject).label, [i for i in in_cycle if i.subject == course.subject]
            )
            for course in rule.approved_courses
        ],
        subject_capped=subject_capped,
        multimedia_capped=_hours(inside, within_subjects) - _hours(inside, credited),
        days_left=(deadline - today).days,
        not_counted=[i for i in in_cycle if not i.accepted],
        duplicates=duplicates,
    )
