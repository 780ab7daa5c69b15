"""Enroll a class from a CSV class list: read the file, plan each row, commit the plan in one transaction.

A class list has a header row and the columns name, e-mail and license (in any order; "license" is
optional). The license cell is the issuing state's two-letter code and the number as the board prints it
("FL MA12345", checked like sign-up: cms/licenses.py), "student", or empty (the learner adds it to their
profile before the certificate). Names follow the legal-name rules of cms/validators.py.

Each row becomes one of: a new account with an invitation (cms/invitations.py), an existing account
enrolled (no password is set, its own name and license are kept), already enrolled (nothing to do), or an
error saying what to fix. Reading the same file twice plans nothing the second time.

Hostile files are refused with a message, never half-read: over MAX_BYTES or MAX_ROWS, NUL bytes, text
that is not UTF-8 (with or without a byte-order mark) or UTF-16 with one. Semicolon- or tab-separated
files (Excel in many locales) and any line endings are read. A name that looks like a spreadsheet formula
("=cmd|...") is an error on its row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from content.spreadsheets import FORMULA_STARTS
from courses.models import CoursePage, Enrollment
from courses.services import enrollment_create

from .invitations import enrollment_notice_send, invitation_send
from .licenses import license_number_clean, license_number_validate
from .models import US_STATES, LearnerStatus, User
from .services import LEARNERS_GROUP
from .validators import legal_name_clean

MAX_BYTES = 1024 * 1024  # 1 MB: thousands of rows; a bigger class is split into several files
MAX_ROWS = 2000
COLUMNS = {
    "name": ("name", "legal name", "full name"),
    "email": ("e-mail", "email", "e-mail address", "email address"),
    "license": ("license", "licence", "license number"),
}
STATE_CODES = {code for code, _ in US_STATES}
LICENSE_FORMAT = re.compile(r"([A-Za-z]{2})\s*[\s:,/\-]\s*(\S.*)")
SAVE_AS = (
    "In Excel choose File → Save As → “CSV UTF-8 (Comma delimited)”; in Google Sheets File → Download → CSV."
)


class ClassListError(ValueError):
    """The whole file is refused; the message says why and what to do."""


class Outcome:
    NEW = "new"
    ENROLL = "enroll"
    ALREADY = "already"
    ERROR = "error"
    LABELS = {
        NEW: "New account + invitation",
        ENROLL: "Existing account enrolled",
        ALREADY: "Already enrolled",
        ERROR: "Error",
    }


@dataclass
class ClassRow:
    line: int
    name: str
    email: str
    license: str


@dataclass
class RowPlan:
    row: ClassRow
    outcome: str = Outcome.ERROR
    messages: list[str] = field(default_factory=list)
    legal_name: str = ""
    email: str = ""
    learner_status: str = LearnerStatus.LICENSED
    license_state: str = ""
    license_number: str = ""
    user: User | None = None

    @property
    def label(self) -> str:
        return Outcome.LABELS[self.outcome]


# --- reading the file ----------------------------------------------------------------------------------


def size_check(size: int) -> None:
    if size > MAX_BYTES:
        raise ClassListError(
            f"The file is too large ({-(-size // 1024):,} KB); a class list may be at most "
            f"{MAX_BYTES // 1024:,} KB ({MAX_ROWS:,} learners). Split the class into several files."
        )


def _decode(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16", errors="strict")  # Excel's "Unicode text"
    else:
        if b"\x00" in raw:
            raise ClassListError(f"The file contains NUL bytes: it is not a text CSV file. {SAVE_AS}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ClassListError(
                f"The file is not UTF-8 text (undecodable byte at position {exc.start}). {SAVE_AS}"
            ) from None
    if "\x00" in text:
        raise ClassListError(f"The file contains NUL characters: it is not a text CSV file. {SAVE_AS}")
    if not text.strip():
        raise ClassListError("The file is empty.")
    return text


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _column_indexes(header: list[str]) -> dict[str, int]:
    names = [cell.strip().strip("\ufeff").lower() for cell in header]
    found = {}
    for column, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[column] = index
                break
    missing = [column for column in ("name", "email") if column not in found]
    if missing:
        shown = ", ".join(f"“{cell[:40]}”" for cell in header[:6]) or "nothing"
        raise ClassListError(
            "The first row must name the columns: name, e-mail and (optionally) license. "
            f"This file's first row has {shown}."
        )
    return found


def class_list_read(raw: bytes) -> list[ClassRow]:
    """The rows of a class list (blank rows skipped), or ClassListError for the whole file."""
    size_check(len(raw))
    text = _decode(raw)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.splitlines()[0]))
    rows: list[ClassRow] = []
    try:
        columns = _column_indexes(next(reader))
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise ClassListError(
                    f"The file has more than {MAX_ROWS:,} learners. Split the class into several files."
                )

            def cell(column, cells=cells):
                index = columns.get(column)
                return cells[index] if index is not None and index < len(cells) else ""

            rows.append(ClassRow(reader.line_num, cell("name"), cell("email"), cell("license")))
    except csv.Error as exc:
        raise ClassListError(f"Line {reader.line_num} cannot be read as CSV ({exc}). {SAVE_AS}") from None
    if not rows:
        raise ClassListError("The file has a header row but no learners.")
    return rows


# --- planning each row ---------------------------------------------------------------------------------


def _messages(error: ValidationError) -> list[str]:
    return list(error.messages)


def _name_check(plan: RowPlan) -> None:
    name = plan.row.name
    if name.strip().startswith(FORMULA_STARTS):
        plan.messages.append(
            "The name looks like a spreadsheet formula, not a name. Type the learner's name."
        )
        return
    try:
        plan.legal_name = legal_name_clean(name)
    except ValidationError as error:
        plan.messages.extend(f"Name: {message}" for message in _messages(error))
        return
    if not plan.legal_name:
        plan.messages.append("The name is missing: a certificate prints the learner's legal name.")


def _email_check(plan: RowPlan) -> None:
    email = plan.row.email.strip()
    if not email:
        plan.messages.append("The e-mail address is missing.")
        return
    try:
        validate_email(email)
    except ValidationError:
        plan.messages.append(f"“{email[:80]}” is not an e-mail address.")
        return
    plan.email = email.lower()


def _license_check(plan: RowPlan) -> None:
    text = " ".join(plan.row.license.split())
    if not text:
        return  # licensed, number to come: the profile asks for it before the certificate
    if text.lower() == "student":
        plan.learner_status = LearnerStatus.STUDENT
        return
    match = LICENSE_FORMAT.fullmatch(text)
    if not match or match[1].upper() not in STATE_CODES:
        plan.messages.append(
            f"License “{text[:40]}”: write the state's two-letter code and the number, such as "
            "“FL MA12345”, or “student”."
        )
        return
    state, number = match[1].upper(), license_number_clean(match[2])
    try:
        license_number_validate(state, number)
    except ValidationError as error:
        plan.messages.extend(f"License: {message}" for message in _messages(error))
        return
    plan.license_state, plan.license_number = state, number


def _accounts_by_email(emails: set[str]) -> dict[str, list[User]]:
    found: dict[str, list[User]] = {}
    users = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    for user in users:
        found.setdefault(user.email_lower, []).append(user)
    return found


def class_list_plan(course: CoursePage, rows: list[ClassRow]) -> list[RowPlan]:
    """What committing `rows` would do, row by row (three queries, whatever the number of rows)."""
    plans = [RowPlan(row) for row in rows]
    first_line: dict[str, int] = {}
    for plan in plans:
        _email_check(plan)
        if plan.email in first_line:
            plan.messages.append(
                f"The same e-mail address as line {first_line[plan.email]}: one row per learner."
            )
            plan.email = ""
        elif plan.email:
            first_line[plan.email] = plan.row.line
    accounts = _accounts_by_email(set(first_line))
    enrolled = dict(
        Enrollment.objects.filter(
            course=course, user__in=[u for users in accounts.values() for u in users]
        ).values_list("user_id", "status")
    )
    for plan in plans:
        if plan.messages:
            continue
        users = accounts.get(plan.email, [])
        if len(users) > 1:
            plan.messages.append(
                "Several accounts have this e-mail address: enroll this learner from the roster."
            )
        elif users:
            _existing_plan(plan, users[0], enrolled.get(users[0].pk))
        else:
            _name_check(plan)
            _license_check(plan)
            if not plan.messages:
                plan.outcome = Outcome.NEW
    return plans


def _existing_plan(plan: RowPlan, user: User, status: str | None) -> None:
    if not user.is_active:
        plan.messages.append("This account is deactivated: reactivate it before enrolling it.")
        return
    plan.user = user
    if status in (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED):
        plan.outcome = Outcome.ALREADY
        return
    plan.outcome = Outcome.ENROLL
    if status == Enrollment.Status.WITHDRAWN:
        plan.messages.append("Had withdrawn: enrolled again.")
    if user.display_name != " ".join(plan.row.name.split()):
        plan.messages.append(f"The account's own name and license are kept ({user.display_name}).")


def plan_counts(plans: list[RowPlan]) -> dict[str, int]:
    counts = Counter(plan.outcome for plan in plans)
    return {outcome: counts.get(outcome, 0) for outcome in Outcome.LABELS}


# --- committing ----------------------------------------------------------------------------------------


def _usernames_taken(plans: list[RowPlan]) -> set[str]:
    """Of the e-mail addresses about to become usernames, those some account already uses (one query)."""
    wanted = {plan.email for plan in plans if plan.outcome == Outcome.NEW}
    users = User.objects.annotate(name_lower=Lower("username")).filter(name_lower__in=wanted)
    return set(users.values_list("name_lower", flat=True))


def _username_for(email: str, taken: set[str]) -> str:
    """The address itself (log-in works with either); a rare clash or a very long address gets a suffix."""
    if email not in taken and len(email) <= 150:
        return email
    stem = re.sub(r"[^\w.@+-]", "", email.split("@")[0])[:120] or "learner"
    return f"{stem}-{secrets.token_hex(4)}"


def _account_create(plan: RowPlan, taken: set[str], learners: Group) -> User:
    user = User(
        username=_username_for(plan.email, taken),
        email=plan.email,
        legal_name=plan.legal_name,
        learner_status=plan.learner_status,
        license_state=plan.license_state,
        license_number=plan.license_number,
    )
    user.set_unusable_password()  # the invitation link sets the first one
    user.save()
    user.groups.add(learners)
    EmailAddress.objects.create(user=user, email=plan.email, primary=True, verified=False)
    return user


def class_list_commit(*, course: CoursePage, raw: bytes, file_name: str, by, request=None) -> list[RowPlan]:
    """Enroll every row that has no error, all or nothing, and e-mail each learner once it has committed."""
    rows = class_list_read(raw)
    source_detail = f"CSV by {by.get_username()} ({file_name})"
    with transaction.atomic():
        # One commit per course at a time: a double click or two tabs wait, then find everyone enrolled.
        CoursePage.objects.select_for_update(of=("self",)).filter(pk=course.pk).first()
        plans = class_list_plan(course, rows)  # again: accounts may have changed since the preview
        todo = [plan for plan in plans if plan.outcome in (Outcome.NEW, Outcome.ENROLL)]
        taken = _usernames_taken(todo)
        learners, _ = Group.objects.get_or_create(name=LEARNERS_GROUP)
        for plan in todo:
            if plan.outcome == Outcome.NEW:
                plan.user = _account_create(plan, taken, learners)
            enrollment_create(
                user=plan.user, course=course, source=Enrollment.Source.CSV, source_detail=source_detail
            )
            transaction.on_commit(_mail_for(plan, course, by, request))
    return plans


def _mail_for(plan: RowPlan, course, by, request):
    user, new = plan.user, plan.outcome == Outcome.NEW

    def send():
        if new or not user.has_usable_password():  # an invited learner who never set a password
            invitation_send(user, course, invited_by=by, request=request)
        else:
            enrollment_notice_send(user, course, request=request)

    return send
