"""CE Broker reporting (issue 15): which completions a provider owes CE Broker, the roster file in its
upload format, and the record of each export, so that no completion is reported twice or missed.

The states, their profession codes and license formats are data: courses/data/ce_broker.yaml (its header
gives the column layout's source). A completion is reported when its certificate is issued, the certificate
says the learner was licensed in a CE Broker state (its snapshot: a learner who moves, or becomes a student,
later stays on the roster of the state they completed under, and one who was a student then is never on
one), and the certificate prints that state's approval: the roster reports the provider and course numbers
the certificate prints (its snapshot), never the approval as edited since; a certificate that prints none
for the state is listed for fixing. Only a certificate from before approvals were recorded (no "approvals"
in its snapshot) is reported under the approval in force on its completion date. The license number is the
one the certificate prints; when it has none, the learner's current one if their profile still names that state. A
number changed in the profile since (a correction) is listed for fixing: reissuing the certificate prints,
and then reports, the new one.
Rows that cannot be reported are listed with the reason, never dropped silently; so are completions under an
approval saved before CE Broker's numbers were checked (no course number, or one that is not digits), until
the approval is fixed: the roster reports a course by CE Broker's number, never by this site's id.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path

import yaml
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from content.spreadsheets import FORMULA_STARTS

from .approval_models import DIGITS, CourseApproval
from .ce_broker_models import CEBrokerExport, CEBrokerReport
from .certificate_models import Certificate

RULES_FILE = Path(__file__).resolve().parent / "data" / "ce_broker.yaml"
COLUMNS = (  # A-H of CE Broker's full-credit roster upload (no header row: see the data file)
    "Provider tracking number (without 50-)",
    "CE Broker course number (without 20-)",
    "Provider's own course id",
    "Publishing number",
    "License number",
    "Completion date",
    "State",
    "Profession",
)


class RulesError(ValueError):
    """courses/data/ce_broker.yaml is malformed."""


@dataclass(frozen=True)
class StateRules:
    code: str
    name: str
    board: str
    rule: str
    source: str
    profession_code: str
    profession_code_verified: bool
    license_pattern: str
    license_example: str
    license_verified: bool
    license_hint: str

    def license_problem(self, number: str) -> str:
        """Why `number` cannot be reported, or "" when it can."""
        if not number:
            return "No license number in the learner's profile."
        if re.fullmatch(self.license_pattern, number) is None:
            return f"“{number}” is not a {self.name} license number: {self.license_hint}"
        return ""


@dataclass(frozen=True)
class Rules:
    report_within_days: int
    states: dict[str, StateRules]


def _require(mapping, key, kind, where):
    value = mapping.get(key) if isinstance(mapping, dict) else None
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise RulesError(f"{where}: '{key}' must be a {'non-empty ' if kind is str else ''}{kind.__name__}")
    return value


def rules_parse(data) -> Rules:
    days = _require(data, "report_within_days", int, "ce_broker.yaml")
    states = {}
    for code, entry in _require(data, "states", dict, "ce_broker.yaml").items():
        where = f"ce_broker.yaml: {code}"
        if not (isinstance(code, str) and re.fullmatch(r"[A-Z]{2}", code)):
            raise RulesError(f"{where}: a state is its two-letter postal code")
        license = _require(entry, "license", dict, where)
        pattern = _require(license, "pattern", str, where + " license")
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise RulesError(f"{where}: license pattern does not compile ({error})") from error
        example = _require(license, "example", str, where + " license")
        if compiled.fullmatch(example) is None:
            raise RulesError(f"{where}: the license example {example!r} does not match the pattern")
        states[code] = StateRules(
            code=code,
            name=_require(entry, "name", str, where),
            board=_require(entry, "board", str, where),
            rule=_require(entry, "rule", str, where).strip(),
            source=_require(entry, "source", str, where),
            profession_code=_require(entry, "profession_code", str, where),
            profession_code_verified=bool(entry.get("profession_code_verified", False)),
            license_pattern=pattern,
            license_example=example,
            license_verified=_require(license, "verified", bool, where + " license"),
            license_hint=_require(license, "hint", str, where + " license").strip(),
        )
    if not states:
        raise RulesError("ce_broker.yaml: no states")
    return Rules(report_within_days=days, states=states)


@cache
def rules() -> Rules:
    with RULES_FILE.open(encoding="utf-8") as handle:
        return rules_parse(yaml.safe_load(handle))


def ce_broker_states() -> list[str]:
    return sorted(rules().states)


# --- reads ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedApproval:
    """The CE Broker numbers of a state's approval as the certificate printed it (its snapshot)."""

    provider_number: str
    ce_broker_course_number: str


def printed_approval(snapshot: dict, state: str) -> PrintedApproval | None:
    """The certificate's own approval for `state`, or None when it prints none."""
    for approval in snapshot.get("approvals") or []:
        if isinstance(approval, dict) and approval.get("body") == state:
            return PrintedApproval(
                provider_number=str(approval.get("provider_number") or ""),
                ce_broker_course_number=str(approval.get("ce_broker_course_number") or ""),
            )
    return None


@dataclass
class RosterRow:
    certificate: Certificate
    completion_date: date
    license_number: str
    approval: PrintedApproval | CourseApproval | None
    problem: str

    @property
    def learner(self):
        return self.certificate.enrollment.user

    @property
    def course(self):
        return self.certificate.enrollment.course

    @property
    def due_date(self) -> date:
        return self.completion_date + timedelta(days=rules().report_within_days)

    def cells(self, state: StateRules) -> list:
        return [
            self.approval.provider_number,
            self.approval.ce_broker_course_number,
            "",  # C, the provider's own course id: only instead of B, which every approval now has
            "",
            self.license_number,
            self.completion_date,
            f"State={state.code}",
            f"Profession={state.profession_code}",
        ]


def approval_problem(approval: PrintedApproval | CourseApproval, state_name: str, *, printed=False) -> str:
    """Why completions under `approval` cannot be reported (an approval saved before CourseApproval.clean
    asked for CE Broker's numbers, digits only), or "" when they can. A `printed` one is the certificate's
    (its snapshot): fixing the approval changes no certificate issued under it, so such a row is reported
    by hand."""
    if printed:
        whose = f"The certificate's {state_name} approval"
        fix = "report this completion by hand on CE Broker under the course's correct numbers."
    else:
        whose = f"The course's {state_name} approval"
        fix = f"fix the course's {state_name} approval in CE approvals."
    if not approval.ce_broker_course_number.strip():
        return f"{whose} has no CE Broker course number: {fix}"
    if not (
        DIGITS.fullmatch(approval.provider_number) and DIGITS.fullmatch(approval.ce_broker_course_number)
    ):
        return f"{whose} has a provider or course number that is not digits only, as CE Broker's are: {fix}"
    return ""


def _day_bounds(date_from: date, date_to: date):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(date_from, time.min), tz)
    end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), tz)
    return start, end


STUDENT = "student"  # cms.models.LearnerStatus.STUDENT (courses does not import cms)


def unreported(state: str | None = None):
    """Issued certificates not yet reported whose learner was licensed in a CE Broker state (or `state`) at
    completion, as the certificate's snapshot says (a snapshot without "learner_status" predates students:
    licensed)."""
    states = [state] if state else ce_broker_states()
    return Certificate.objects.filter(
        Q(snapshot__license_state__in=states),
        # (SQL's NOT alone would drop a snapshot without the key: NOT NULL is not true)
        Q(snapshot__learner_status__isnull=True) | ~Q(snapshot__learner_status=STUDENT),
        status=Certificate.Status.ISSUED,
        enrollment__completed_at__isnull=False,
        ce_broker_report__isnull=True,
    )


def _number(value) -> str:
    return (value or "").strip().upper()


def license_to_report(snapshot: dict, user, state_rules: StateRules) -> tuple[str, str]:
    """The license number a completion in `state_rules`' state is reported under, and why it cannot be
    ("" when it can). The certificate's number, as printed; without one, the learner's current number if
    their profile still names that state; a number changed since in the profile, or none to be had, is a
    row to fix, never a row dropped or one quietly reported under another number."""
    printed = _number(snapshot.get("license_number"))
    still_here = user.learner_status != STUDENT and user.license_state == state_rules.code
    current = _number(user.license_number) if still_here else ""
    if printed:
        if current and current != printed:
            return printed, (
                f"The certificate says {printed}; the learner's profile now says {current}. If the new "
                "number is right, reissue the certificate (Certificates): it then prints and reports it."
            )
        return printed, state_rules.license_problem(printed)
    if still_here:
        return current, state_rules.license_problem(current)
    now = (
        "a student"
        if user.learner_status == STUDENT
        else f"licensed in {user.get_license_state_display()}"
        if user.license_state
        else "no license state"
    )
    return "", (
        f"No license number on the certificate, and the learner's profile now says {now}: find their "
        f"{state_rules.name} license number (CE Broker's licensee search) and report this completion by hand."
    )


def roster_rows(*, state: str, date_from: date, date_to: date) -> list[RosterRow]:
    """Every unreported completion in the range for `state`, each with the approval it is reported under or
    the reason it cannot be (two queries, whatever the number of rows)."""
    state_rules = rules().states[state]
    start, end = _day_bounds(date_from, date_to)
    certificates = (
        unreported(state)
        .filter(enrollment__completed_at__gte=start, enrollment__completed_at__lt=end)
        .select_related("enrollment__user", "enrollment__course")
        .prefetch_related(
            Prefetch(
                "enrollment__course__approvals",
                queryset=CourseApproval.objects.filter(body=state),
                to_attr="state_approvals",
            )
        )
        .order_by("enrollment__completed_at", "pk")
    )
    rows = []
    for certificate in certificates:
        enrollment = certificate.enrollment
        day = timezone.localdate(enrollment.completed_at)
        number, problem = license_to_report(certificate.snapshot, enrollment.user, state_rules)
        snapshot = certificate.snapshot
        if "approvals" in snapshot:  # what the certificate prints, never the approval as edited since
            approval = printed_approval(snapshot, state)
            if approval is None:
                problem = (
                    f"The certificate prints no {state_rules.name} approval, so it cannot be reported under "
                    f"one: if the course was approved in {state_rules.name} on {day:%b %-d, %Y}, report "
                    "this completion by hand on CE Broker."
                )
            else:
                problem = approval_problem(approval, state_rules.name, printed=True) or problem
        else:  # a certificate from before approvals were recorded: the approval in force that day
            approval = next((a for a in enrollment.course.state_approvals if a.covers(day)), None)
            if approval is None:
                problem = f"The course has no {state} approval in force on {day:%b %-d, %Y}: add one in CE approvals."
            else:
                problem = approval_problem(approval, state_rules.name) or problem
        rows.append(RosterRow(certificate, day, number, approval, problem))
    return rows


def text_cell(cell) -> None:
    """Keep a text cell text: openpyxl stores a string starting with "=" as a formula, and Excel runs a
    formula-looking value typed into a cell. Every string is stored as a string (data_type "s"); one that
    starts like a formula (=, +, -, @, a tab, a carriage return) also gets Excel's quote prefix, the style
    that keeps it text when the cell is edited. The value itself is unchanged (no apostrophe added): CE
    Broker reads exactly what was written."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def roster_xlsx(rows: list[RosterRow], state: str) -> bytes:
    """The roster file: one row per completion, columns A-H (COLUMNS), no header row, no formula."""
    from openpyxl import Workbook  # noqa: PLC0415 - only when a file is made

    state_rules = rules().states[state]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Roster"
    for row in rows:
        sheet.append(row.cells(state_rules))
        for cell in sheet[sheet.max_row]:
            text_cell(cell)
        sheet.cell(row=sheet.max_row, column=6).number_format = "m/d/yyyy"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def unreported_due(limit: int):
    """The oldest unreported completions of every CE Broker state (for the admin home), and their count."""
    found = (
        unreported()
        .select_related("enrollment__user", "enrollment__course")
        .order_by("enrollment__completed_at", "pk")
    )
    rows = [
        {
            "certificate": c,
            "completed": timezone.localdate(c.enrollment.completed_at),
            "due": timezone.localdate(c.enrollment.completed_at) + timedelta(days=rules().report_within_days),
        }
        for c in found[:limit]
    ]
    return rows, found.count()


def exports_recent(limit: int = 20) -> list[CEBrokerExport]:
    return list(CEBrokerExport.objects.select_related("created_by")[:limit])


# --- writes --------------------------------------------------------------------------------------------


class ExportError(Exception):
    """Nothing could be exported (with the reason, for the page)."""


def ce_broker_export_create(*, user, state: str, date_from: date, date_to: date) -> CEBrokerExport:
    """Record an export of every reportable row in the range and store its file. A certificate is reported
    once ever (CEBrokerReport.certificate is unique): two admins exporting at once cannot both report it."""
    try:
        with transaction.atomic():
            rows = [
                row
                for row in roster_rows(state=state, date_from=date_from, date_to=date_to)
                if not row.problem
            ]
            if not rows:
                raise ExportError(
                    "Nothing to report: every completion in these dates is reported or needs fixing."
                )
            export = CEBrokerExport.objects.create(
                state=state, date_from=date_from, date_to=date_to, created_by=user, row_count=len(rows)
            )
            CEBrokerReport.objects.bulk_create(
                CEBrokerReport(
                    export=export,
                    certificate=row.certificate,
                    license_number=row.license_number,
                    completion_date=row.completion_date,
                )
                for row in rows
            )
            name = f"ce-broker-{state}-{timezone.localdate():%Y%m%d}-{export.pk}.xlsx"
            export.file.save(name, ContentFile(roster_xlsx(rows, state)), save=True)
    except IntegrityError as error:
        raise ExportError(
            "Someone else reported some of these completions just now: reload and try again."
        ) from error
    return export
