"""Renewal tracking (issue 15, deliverable 3): the rules are data and checked on load; the arithmetic per
credential (subject minimums, hands-on, online cap, 50-minute clock hour, deadline crossing, an uploaded
outside certificate); the pages are the learner's own; uploads are checked; reminders go once each."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import renewal_rules, renewals
from courses.renewal_models import Credential, OutsideCertificate, RenewalReminder
from courses.renewals import CreditItem, progress, rules, rules_parse
from tests.courses.ce_records import approval_add, completed
from tests.courses.certify import private_media  # noqa: F401 - autouse: uploads in a temporary directory
from tests.factories import UserFactory

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def item(day, hours, subject="general", delivery="home_study", minutes=None):
    return CreditItem(f"{subject} {hours}", day, D(str(hours)), subject, delivery, minutes)


# --- the rules file -----------------------------------------------------------------------------------


def test_the_rules_file_has_the_checked_figures_each_with_a_source():
    known = rules()
    assert set(known) == {"NCBTMB", "FL", "GA", "TX", "TN", "LA"}
    assert all(rule.source and rule.source_url.startswith("https://") for rule in known.values())
    fl = known["FL"]
    assert (fl.hours, fl.hands_on, fl.cycle_years) == (D(24), D(12), 2)
    assert fl.hands_on_subjects == ("general",) and known["GA"].hands_on_subjects == ()
    assert fl.subjects == {"medical_errors": 2, "laws_rules": 2, "ethics": 2, "human_trafficking": 1}
    assert known["NCBTMB"].subjects == {"ethics": 3} and known["NCBTMB"].hours == 24
    tx = known["TX"]
    assert tx.clock_hour_minutes == 50 and tx.subject_max == {"human_trafficking": 3}
    assert [(c.subject, c.approved_by) for c in tx.approved_courses] == [("human_trafficking", "HHSC")]
    assert "117.35" in tx.source and tx.approved_courses[0].list_url.startswith("https://www.tdlr.texas.gov/")
    tn = known["TN"]  # rule 0870-01-.12(1)
    assert (tn.hours, tn.multimedia_max, tn.subjects) == (D(24), D(8), {"laws_rules": 2, "ethics": 2})
    assert "0870-01-.12" in tn.source and "tn.gov/health" in tn.source
    assert known["LA"].cycle_years == 1 and known["LA"].hours == 12
    assert known["GA"].hands_on == 12
    # Only the state's own approval counts, except where the board's text accepts NCBTMB's.
    assert {k: r.accepts for k, r in known.items()} == {
        "NCBTMB": ("NCBTMB",),
        "FL": ("FL",),
        "GA": ("GA", "NCBTMB"),
        "TX": ("TX", "NCBTMB"),
        "TN": ("TN",),
        "LA": ("LA",),
    }
    assert {k for k, r in known.items() if r.fixed_cycle_end} == {"FL", "GA", "TN", "LA"}
    assert {k for k, r in known.items() if r.deadline == "ce_cycle"} == {"TN"}  # staggered licenses
    assert all(rule.checked == date(2026, 12, 7) for rule in known.values())


BASE = {"name": "x", "source": "s", "source_url": "https://example.org/rule", "checked": None}


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"name": "x", "cycle_years": 2, "hours": 24}, "source"),
        ({**BASE, "source_url": "http://example.org", "cycle_years": 2, "hours": 24}, "https"),
        ({**BASE, "cycle_years": 0, "hours": 24}, "cycle_years"),
        ({**BASE, "cycle_years": 2, "hours": 24, "subjects": {"yoga": 2}}, "subjects"),
        ({**BASE, "cycle_years": 2, "hours": 4, "hands_on": 12}, "add up"),
        ({**BASE, "cycle_years": 2, "hours": "lots"}, "hours"),
        ({**BASE, "cycle_years": 2, "hours": 2, "typo": 1}, "unknown keys"),
        ({**BASE, "cycle_years": 2, "hours": 2, "online_max": 8}, "unknown keys"),  # renamed multimedia_max
        ({k: v for k, v in BASE.items() if k != "checked"} | {"cycle_years": 2, "hours": 2}, "checked"),
        ({**BASE, "checked": "last week", "cycle_years": 2, "hours": 2}, "checked"),
        ({**BASE, "cycle_years": 2, "hours": 2, "accepts": ["CE Broker"]}, "accepts"),
        ({**BASE, "cycle_years": 2, "hours": 2, "deadline": "birthday"}, "license or ce_cycle"),
        (
            {**BASE, "cycle_years": 2, "hours": 2, "required_courses": ["ethics"]},
            "unknown keys",
        ),  # ticked any
        ({**BASE, "cycle_years": 2, "hours": 2, "subject_max": {"yoga": 1}}, "'subject_max' keys"),
        (
            {**BASE, "cycle_years": 2, "hours": 2, "subjects": {"ethics": 2}, "subject_max": {"ethics": 1}},
            "above its 'subject_max'",
        ),
        (
            {**BASE, "cycle_years": 2, "hours": 2, "approved_courses": [{"subject": "human_trafficking"}]},
            "approved_by, list_label, list_url, subject",
        ),
        (
            {**BASE, "cycle_years": 2, "hours": 24, "hands_on": 12, "hands_on_subjects": ["swedish"]},
            "'hands_on_subjects' must list",
        ),
        ({**BASE, "cycle_years": 2, "hours": 24, "hands_on_subjects": ["general"]}, "needs the 'hands_on'"),
        (
            {**BASE, "cycle_years": 2, "hours": 2, "deadline": "ce_cycle"},
            "needs the cycle's 'fixed_cycle_end'",
        ),
        (
            {**BASE, "cycle_years": 2, "hours": 2, "fixed_cycle_end": {"month": 8, "day": 31}},
            "fixed_cycle_end",
        ),
        (
            {
                **BASE,
                "cycle_years": 2,
                "hours": 2,
                "fixed_cycle_end": {"month": 2, "day": 29, "years": "odd"},
            },
            "every year",
        ),
        (
            {
                **BASE,
                "cycle_years": 1,
                "hours": 2,
                "fixed_cycle_end": {"month": 8, "day": 31, "years": "odd"},
            },
            "lasts 2",
        ),
        (
            {
                **BASE,
                "cycle_years": 2,
                "hours": 2,
                "fixed_cycle_end": {"month": 8, "day": 31, "years": "leap"},
            },
            "even, odd or every",
        ),
    ],
)
def test_a_malformed_rule_is_refused_on_load(entry, message):
    with pytest.raises(renewals.RulesError, match=message):
        rules_parse({"credentials": {"FL": entry}})


# --- the arithmetic -----------------------------------------------------------------------------------

FL_DEADLINE = date(2027, 8, 31)
TODAY = date(2027, 6, 1)


def test_florida_subject_minimums_hands_on_and_the_cycle():
    items = [
        item(date(2025, 8, 31), 6, delivery="hands_on"),  # the day before the cycle: not counted
        item(date(2025, 9, 1), 2, "ethics", "live"),  # first day of the cycle
        item(date(2026, 1, 10), 2, "medical_errors"),
        item(date(2026, 2, 10), 2, "laws_rules"),
        item(date(2026, 3, 10), 10, "general", "hands_on"),
        item(date(2026, 4, 10), 8, "general", "home_study"),
        item(date(2027, 9, 1), 1, "human_trafficking"),  # after the deadline: next cycle
    ]
    p = progress(rules()["FL"], FL_DEADLINE, items, today=TODAY)
    assert p.cycle_start == date(2025, 9, 1) and len(p.items) == 5
    assert (p.total.earned, p.total.missing) == (D(24), D(0))
    by_label = {r.label: (r.earned, r.missing) for r in p.requirements}
    assert by_label == {
        "Prevention of medical errors": (D(2), D(0)),
        "Laws and rules": (D(2), D(0)),
        "Ethics": (D(2), D(0)),
        "Human trafficking": (D(0), D(1)),
        "Live hands-on": (D(10), D(2)),  # the 8 home-study hours never count toward hands-on
    }
    assert not p.complete and p.days_left == 91


def test_crossing_the_deadline_moves_what_counts():
    late = [item(date(2027, 4, 1), 24, "general", "hands_on")]  # Louisiana: every license ends on 31 March
    before = progress(rules()["LA"], date(2027, 3, 31), late, today=date(2027, 4, 2))
    assert before.total.earned == 0 and before.overdue and before.days_left == -2
    after = progress(rules()["LA"], date(2028, 3, 31), late, today=date(2027, 4, 2))
    assert after.total.earned == 24 and after.complete and not after.overdue
    assert after.cycle_start == date(2027, 4, 1)  # a one-year cycle starts the day after the last deadline


def test_texas_counts_fifty_minute_clock_hours():
    items = [item(date(2026, 1, 1), 1, minutes=100), item(date(2026, 2, 1), 5)]
    p = progress(rules()["TX"], date(2027, 5, 31), items, today=date(2027, 1, 1))
    assert p.total.earned == D(7)  # 100 minutes are two 50-minute hours, whatever the certificate says


def test_texas_asks_the_learner_to_check_their_trafficking_course_on_hhscs_list_never_ticks_it():
    # 16 TAC 117.24(b)(4) and Occupations Code ch. 116: the course must be one HHSC approved; any course
    # with the subject "human trafficking" does not show the requirement met.
    tx = rules()["TX"]
    items = [item(date(2026, 1, 1), 12)]
    p = progress(tx, date(2027, 5, 31), items, today=date(2027, 1, 1))
    [check] = p.to_check
    assert (check.label, check.course.approved_by, check.taken) == ("Human trafficking", "HHSC", [])
    assert p.complete  # the hours are all there; the course is the learner's to check
    items.append(item(date(2026, 3, 1), 1, "human_trafficking"))
    [check] = progress(tx, date(2027, 5, 31), items, today=date(2027, 1, 1)).to_check
    assert [i.title for i in check.taken] == ["human_trafficking 1"]  # listed to check, still not "met"


def test_texas_counts_at_most_three_hours_of_human_trafficking_training():
    # 16 TAC 117.35: an HHSC-approved course counts for at most 3 hours of CE per license term.
    items = [
        item(date(2026, 1, 1), 2, "human_trafficking", "live_online"),
        item(date(2026, 2, 1), 2, "human_trafficking", "live"),
        item(date(2026, 3, 1), 9),
    ]
    p = progress(rules()["TX"], date(2027, 5, 31), items, today=date(2027, 1, 1))
    assert p.total.earned == D(12) and p.total.missing == D(0)  # 3 of the 4, plus 9
    assert p.subject_capped == [("Human trafficking", D(1), D(3))]
    # In-person hours count first: the webinar's 2 hours are the ones cut to 1.
    assert [p.credited[id(i)] for i in p.items] == [D(1), D(2), D(9)]


def test_ncbtmb_needs_three_ethics_hours():
    items = [item(date(2026, 1, 1), 22), item(date(2026, 2, 1), 2, "ethics")]
    p = progress(rules()["NCBTMB"], date(2027, 1, 1), items, today=date(2026, 6, 1))
    assert p.total.met and [(r.label, r.missing) for r in p.requirements] == [("Ethics", D(1))]


# --- pages, uploads, reminders ------------------------------------------------------------------------


def _upload(client, **overrides):
    data = {
        "title": "Hot stone technique",
        "provider_name": "Gulf Coast Massage School",
        "completed_on": "2026-02-01",
        "hours": "12",
        "minutes": "",
        "subject": "general",
        "delivery": "hands_on",
        "file": SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf"),
        **overrides,
    }
    return client.post(reverse("courses:renewal_outside_add"), data)


@pytest.mark.django_db
def test_a_florida_learner_sees_site_and_outside_certificates_count(client, course):
    approval_add(course, "NCBTMB")  # the course's 2 hours; Florida approved 1.5 of them
    approval_add(course, "FL", hours=D("1.5"), subject="medical_errors", valid_from=date(2026, 1, 1))
    learner = UserFactory(license_state="FL", license_number="MA12345")
    completed(learner, course, date(2026, 3, 2))
    client.force_login(learner)
    response = client.post(
        reverse("courses:renewal_credential_add"),
        {"kind": "FL", "license_number": "MA12345", "renewal_date": "2027-08-31"},
    )
    assert response.status_code == 302
    assert _upload(client).status_code == 302
    upload = OutsideCertificate.objects.get(user=learner)
    assert upload.file.name.endswith(".pdf") and "certificate.pdf" not in upload.file.name  # a random name
    overview = renewals.renewal_overview(user=learner, today=date(2027, 1, 1))
    p = overview["rows"][0]["progress"]
    assert p.total.earned == D("13.5")
    assert {r.label: r.earned for r in p.requirements}["Prevention of medical errors"] == D("1.5")
    assert {r.label: r.earned for r in p.requirements}["Live hands-on"] == D(12)
    page = client.get(reverse("courses:renewals")).content.decode()
    assert "Florida massage therapist license" in page and "Hot stone technique" in page
    # The courses counted, with their subject and delivery named as the approval form names them.
    assert "1.50 h · Prevention of medical errors · Home study (online, self-paced)" in page
    assert "12 h · General · Live hands-on · uploaded" in page
    assert "And only those in General (massage technique)" in page
    download = client.get(reverse("courses:renewal_outside_file", args=[upload.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"file": SimpleUploadedFile("notes.txt", b"hello")}, "Upload a PDF, PNG or JPEG"),
        ({"file": SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf")}, "not a readable PDF"),
        ({"file": SimpleUploadedFile("empty.pdf", b"")}, "The submitted file is empty"),
        ({"completed_on": "2999-01-01"}, "cannot be in the future"),
        ({"hours": "0"}, "more than 0"),
        ({"hours": "abc"}, "Enter a number"),
        ({"subject": "astrology"}, "Select a valid choice"),
    ],
)
def test_bad_uploads_get_a_clear_message_and_save_nothing(client, overrides, message):
    client.force_login(UserFactory())
    response = _upload(client, **overrides)
    assert response.status_code == 200 and message in response.content.decode()
    assert not OutsideCertificate.objects.exists()


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused(client, monkeypatch):
    monkeypatch.setattr("courses.renewal_forms.MAX_UPLOAD_BYTES", 10)
    client.force_login(UserFactory())
    response = _upload(client)
    assert response.status_code == 200 and "at most 10 MB" in response.content.decode()


@pytest.mark.django_db
def test_another_learners_credential_and_upload_are_not_found(client):
    owner, other = UserFactory(), UserFactory()
    client.force_login(owner)
    _upload(client)
    upload = OutsideCertificate.objects.get()
    credential = Credential.objects.create(user=owner, kind="FL", renewal_date=date(2027, 8, 31))
    client.force_login(other)
    assert client.get(reverse("courses:renewal_outside_file", args=[upload.pk])).status_code == 404
    assert client.post(reverse("courses:renewal_outside_delete", args=[upload.pk])).status_code == 404
    assert client.post(reverse("courses:renewal_credential_delete", args=[credential.pk])).status_code == 404
    assert "Hot stone" not in client.get(reverse("courses:renewals")).content.decode()
    assert Credential.objects.count() == OutsideCertificate.objects.count() == 1
    response = client.post(
        reverse("courses:renewal_credential_add"), {"kind": "XX", "renewal_date": "not a date"}
    )
    assert response.status_code == 200 and Credential.objects.count() == 1


@pytest.mark.django_db
def test_the_renewal_pages_queries_do_not_grow_with_rows(client, course, django_assert_max_num_queries):
    approval_add(course, "NCBTMB")
    learner = UserFactory(license_state="FL")
    Credential.objects.create(user=learner, kind="FL", renewal_date=date(2027, 8, 31))
    client.force_login(learner)
    client.get(reverse("courses:renewals"))
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("courses:renewals"))
    baseline = len(few)  # now: a later request resets the connection's query log
    Credential.objects.create(user=learner, kind="NCBTMB", renewal_date=date(2027, 1, 31))
    Credential.objects.create(user=learner, kind="TN", renewal_date=date(2027, 12, 31))
    for n in range(4):
        completed(learner, course_for(course, n), date(2026, 3, n + 1))
        _upload(client, title=f"Outside {n}")
    with django_assert_max_num_queries(baseline):
        page = client.get(reverse("courses:renewals"))
    assert page.content.decode().count("/file/") == 4  # each upload listed once, with its download link


def course_for(course, n):
    from tests.factories import course_create

    return (
        course
        if n == 0
        else course_create(course.get_parent(), title=f"Course {n}", provider=course.provider)
    )


@pytest.mark.django_db
def test_reminders_go_at_90_30_and_7_days_each_once():
    learner = UserFactory(email="fl@example.com")
    deadline = date(2027, 8, 31)
    credential = Credential.objects.create(user=learner, kind="FL", renewal_date=deadline)
    assert renewals.renewal_reminders_send(today=deadline - timedelta(days=120)) == []
    for days in (90, 89, 30, 29, 7, 3):
        renewals.renewal_reminders_send(today=deadline - timedelta(days=days))
        renewals.renewal_reminders_send(today=deadline - timedelta(days=days))  # run twice: nothing more
    assert sorted(credential.reminders.values_list("days_before", flat=True)) == [7, 30, 90]
    assert len(mail.outbox) == 3
    assert [m.to for m in mail.outbox] == [["fl@example.com"]] * 3
    first = mail.outbox[0]
    assert "CE due by August 31, 2027" in first.subject and "90 days from today" in first.body
    assert "24 CE hours in total" in first.body and "/renewals/" in first.body
    assert renewals.renewal_reminders_send(today=deadline + timedelta(days=1)) == []


@pytest.mark.django_db
def test_a_credential_added_late_gets_only_the_reminder_due_and_a_failed_send_is_retried(monkeypatch):
    learner = UserFactory()
    deadline = date(2027, 8, 31)
    Credential.objects.create(user=learner, kind="TX", renewal_date=deadline)
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(renewals, "send_mail", broken)
    assert renewals.renewal_reminders_send(today=deadline - timedelta(days=20)) == []
    assert not RenewalReminder.objects.exists() and calls == [1]  # the claim was given back
    monkeypatch.undo()
    sent = renewals.renewal_reminders_send(today=deadline - timedelta(days=20))
    assert [r.days_before for r in sent] == [30] and len(mail.outbox) == 1


# --- the board decides (CE-compliance review) ---------------------------------------------------------


@pytest.mark.django_db
def test_a_fixed_cycle_credential_is_moved_to_the_end_of_its_cycle_and_the_learner_told(client):
    learner = UserFactory(license_state="FL")
    client.force_login(learner)
    form = client.get(reverse("courses:renewal_credential_add")).content.decode()
    assert "August 31 of odd-numbered years" in form and "moved to the end of the cycle" in form
    response = client.post(
        reverse("courses:renewal_credential_add"), {"kind": "FL", "renewal_date": "2026-03-15"}, follow=True
    )
    assert Credential.objects.get(user=learner).renewal_date == date(2027, 8, 31)
    page = response.content.decode()
    assert "so March 15, 2026 falls in the cycle ending August 31, 2027" in page
    assert "CE due by <strong>August 31, 2027</strong>" in page
    client.post(reverse("courses:renewal_credential_add"), {"kind": "NCBTMB", "renewal_date": "2027-05-17"})
    assert Credential.objects.get(user=learner, kind="NCBTMB").renewal_date == date(2027, 5, 17)


@pytest.mark.django_db
def test_an_ncbtmb_only_certificate_counts_for_ncbtmb_and_is_listed_not_counted_for_florida(client, course):
    approval_add(course, "NCBTMB")  # the course's hours, as NCBTMB approves them
    learner = UserFactory(license_state="FL", license_number="MA12345")
    completed(learner, course, date(2026, 3, 2))
    Credential.objects.create(user=learner, kind="FL", renewal_date=date(2027, 8, 31))
    Credential.objects.create(user=learner, kind="NCBTMB", renewal_date=date(2027, 5, 17))
    rows = {r["credential"].kind: r["progress"] for r in renewals.renewal_overview(user=learner)["rows"]}
    hours = course.ce_hours
    assert rows["FL"].total.earned == 0 and [i.hours for i in rows["FL"].not_counted] == [hours]
    assert rows["NCBTMB"].total.earned == hours and rows["NCBTMB"].not_counted == []
    client.force_login(learner)
    page = client.get(reverse("courses:renewals")).content.decode()
    assert "Your board decides what counts, and by when" in page
    sections = page.split('<section class="card mb-4 renewal-credential"')[1:]
    ncbtmb, florida = sorted(sections, key=lambda part: "Florida massage therapist license" in part)
    assert "Not counted: check that your board accepts it" in florida
    assert "no approval by Florida Board of Massage Therapy (CE Broker)" in florida
    assert f"{course.approved_title or course.title} · Mar 2, 2026 · {hours.normalize():f} h" in florida
    assert "Not counted" not in ncbtmb and "Courses counted (1)" in ncbtmb
    assert page.count("Figures last checked December 7, 2026") == 2
    assert "your board decides whether it accepts each one" in page


@pytest.mark.django_db
def test_a_learner_may_keep_at_most_so_many_outside_certificates(client, monkeypatch):
    monkeypatch.setattr("courses.renewal_forms.MAX_OUTSIDE_CERTIFICATES", 2)
    client.force_login(UserFactory())
    assert _upload(client).status_code == _upload(client, title="Second").status_code == 302
    response = _upload(client, title="Third")
    assert response.status_code == 200
    assert "You have uploaded 2 certificates, the most you can keep here" in response.content.decode()
    assert OutsideCertificate.objects.count() == 2
    client.force_login(UserFactory())  # the limit is per learner
    assert _upload(client).status_code == 302


@pytest.mark.django_db
def test_the_upload_limit_is_counted_again_with_the_insert(client, monkeypatch):
    # Two uploads at once both pass the form's count; the second must still be refused when it is saved.
    from django import forms

    from courses.renewal_forms import OutsideCertificateForm

    monkeypatch.setattr("courses.renewal_forms.MAX_OUTSIDE_CERTIFICATES", 1)
    client.force_login(UserFactory())
    assert _upload(client).status_code == 302
    monkeypatch.setattr(OutsideCertificateForm, "clean", forms.ModelForm.clean)  # validated before the first
    response = _upload(client, title="Second")
    assert response.status_code == 200
    assert "You have uploaded 1 certificates, the most you can keep here" in response.content.decode()
    assert OutsideCertificate.objects.count() == 1


@pytest.mark.django_db
def test_the_reminder_runs_queries_do_not_grow_with_credentials(course, django_assert_max_num_queries):
    approval_add(course, "NCBTMB")
    today = date(2027, 8, 1)  # 30 days before Florida's deadline, 19 before the NCBTMB ones

    def learner_with_two(n):
        learner = UserFactory(email=f"lmt{n}@example.com", license_state="FL")
        Credential.objects.create(user=learner, kind="FL", renewal_date=date(2027, 8, 31))
        Credential.objects.create(user=learner, kind="NCBTMB", renewal_date=date(2027, 8, 20))
        completed(learner, course_for(course, n), date(2026, 3, 1))
        OutsideCertificate.objects.create(
            user=learner,
            title="Ethics",
            provider_name="Elsewhere",
            completed_on=date(2026, 4, 1),
            hours=D(3),
            subject="ethics",
            delivery="live_online",
            file="outside-certificates/x.pdf",
        )

    learner_with_two(0)
    with CaptureQueriesContext(connection) as one:
        assert len(renewals.renewal_reminders_send(today=today)) == 2
    # due credentials, reminders sent, one insert of the claims (in a savepoint), certificates, uploads, site
    assert len(one) <= 8
    RenewalReminder.objects.all().delete()
    mail.outbox.clear()
    for n in range(1, 5):
        learner_with_two(n)
    with django_assert_max_num_queries(len(one)):
        assert len(renewals.renewal_reminders_send(today=today)) == 10
    assert len(mail.outbox) == 10
    florida = next(m for m in mail.outbox if m.subject.startswith("Florida"))
    assert (
        "Not counted: 1 certificate from this site in this cycle shows no approval by Florida" in florida.body
    )
    assert "figures last checked December 7, 2026" in florida.body
    with django_assert_max_num_queries(3):  # nothing due any more: no claim, no load
        assert renewals.renewal_reminders_send(today=today) == []


@pytest.mark.django_db
def test_a_claim_taken_meanwhile_is_skipped_and_the_others_still_claimed():
    learner = UserFactory()
    taken, free = (
        Credential.objects.create(user=learner, kind=kind, renewal_date=date(2027, 8, 31))
        for kind in ("FL", "NCBTMB")
    )
    RenewalReminder.objects.create(credential=taken, deadline=date(2027, 8, 31), days_before=30)
    claims = [
        RenewalReminder(credential=c, deadline=date(2027, 8, 31), days_before=30) for c in (taken, free)
    ]
    claimed = renewals._claim(claims)
    assert [c.credential for c in claimed] == [free] and RenewalReminder.objects.count() == 2


@pytest.mark.django_db
def test_the_migration_moves_stored_dates_to_the_end_of_their_fixed_cycle():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("courses.migrations.0019_credential_fixed_cycles")
    learner = UserFactory()
    stored = {
        "FL": date(2026, 3, 15),
        "TN": date(2027, 6, 30),  # a Tennessee license's own date: kept
        "LA": date(2027, 3, 31),
        "TX": date(2027, 5, 17),
    }
    for kind, day in stored.items():
        Credential.objects.create(user=learner, kind=kind, renewal_date=day)
    migration.snap(apps, None)
    after = dict(Credential.objects.values_list("kind", "renewal_date"))
    assert after == {
        "FL": date(2027, 8, 31),
        "TN": date(2027, 6, 30),
        "LA": date(2027, 3, 31),
        "TX": date(2027, 5, 17),
    }
    # The frozen copy agrees with the data file.
    assert set(migration.FIXED_CYCLE_ENDS) == {
        k for k, r in rules().items() if r.fixed_cycle_end and r.deadline == "license"
    }
    for kind, (month, day, years) in migration.FIXED_CYCLE_ENDS.items():
        assert rules()[kind].fixed_cycle_end == renewal_rules.FixedCycle(month, day, years)


# --- Tennessee: the CE deadline is the cycle's, not the license's (CE-compliance review) ---------------


@pytest.mark.django_db
def test_a_tennessee_license_keeps_its_date_and_the_page_says_when_the_ce_is_due(client):
    learner = UserFactory(license_state="TN")
    client.force_login(learner)
    with time_machine.travel(date(2026, 6, 1), tick=False):
        form = client.get(reverse("courses:renewal_credential_add")).content.decode()
        assert "Tennessee licenses renew on their own dates, but the CE hours are due December 31" in form
        response = client.post(
            reverse("courses:renewal_credential_add"),
            {"kind": "TN", "renewal_date": "2027-06-30"},
            follow=True,
        )
    assert Credential.objects.get(user=learner).renewal_date == date(2027, 6, 30)
    page = response.content.decode()
    assert "so they are due by December 31, 2026 (the cycle open today)" in page
    assert "CE due by <strong>December 31, 2026</strong>" in page
    assert "counting courses completed Jan 1, 2025 – Dec 31, 2026" in page
    assert "License renewal date: <strong>June 30, 2027</strong>" in page
    assert "Renew by" not in page and "2028" not in page


@pytest.mark.django_db
def test_a_tennessee_reminder_goes_before_the_cycle_ends_whatever_the_license_date():
    learner = UserFactory(email="tn@example.com")
    Credential.objects.create(user=learner, kind="TN", renewal_date=date(2027, 6, 30))
    Credential.objects.create(
        user=UserFactory(email="fl@example.com"), kind="FL", renewal_date=date(2027, 8, 31)
    )
    assert renewals.renewal_reminders_send(today=date(2026, 9, 1)) == []  # 121 days before: nothing yet
    [sent] = renewals.renewal_reminders_send(today=date(2026, 12, 1))
    assert (sent.deadline, sent.days_before) == (date(2026, 12, 31), 30)
    [message] = mail.outbox
    assert message.subject == "Tennessee massage therapist license: CE due by December 31, 2026"
    assert "is due by December 31, 2026: 30 days from today" in message.body
    assert "whatever your license's own renewal date (June 30, 2027 on file)" in message.body
    assert renewals.renewal_reminders_send(today=date(2026, 12, 1)) == []  # once per threshold


@pytest.mark.django_db
def test_a_tennessee_cycle_closed_short_shows_overdue_on_1_january_and_sends_no_reminder(client):
    learner = UserFactory(email="tn@example.com", license_state="TN")
    Credential.objects.create(user=learner, kind="TN", renewal_date=date(2027, 6, 30))
    client.force_login(learner)
    _upload(client, title="Deep tissue", hours="10", delivery="live", completed_on="2026-03-01")
    with time_machine.travel(date(2027, 1, 1), tick=False):
        client.force_login(learner)
        page = client.get(reverse("courses:renewals")).content.decode()
    assert "Deadline passed" in page and "CE due by <strong>December 31, 2026</strong>" in page
    assert "A new CE cycle started on <strong>January 1, 2027</strong>" in page
    assert renewals.renewal_reminders_send(today=date(2027, 1, 1)) == []
    assert renewals.renewal_reminders_send(today=date(2027, 6, 1)) == []


@pytest.mark.django_db
def test_the_texas_page_and_reminder_say_check_the_hhsc_list_not_met(client):
    learner = UserFactory(email="tx@example.com", license_state="TX")
    Credential.objects.create(user=learner, kind="TX", renewal_date=date(2027, 5, 31))
    client.force_login(learner)
    _upload(
        client, title="Trafficking awareness", subject="human_trafficking", hours="1", delivery="home_study"
    )
    _upload(client, title="Deep tissue", hours="11", completed_on="2026-03-01")
    page = client.get(reverse("courses:renewals")).content.decode()
    assert "Hours complete: 1 to check" in page and ">Complete<" not in page
    assert "HHSC-approved human trafficking course required: check the HHSC list" in page
    assert 'href="https://www.tdlr.texas.gov/humantraffickingtraining.htm"' in page
    assert (
        "Trafficking awareness (Gulf Coast Massage School) (Feb 1, 2026) counts as human trafficking" in page
    )
    assert "Check the list" in page
    [sent] = renewals.renewal_reminders_send(today=date(2027, 5, 31) - timedelta(days=30))
    body = mail.outbox[0].body
    assert "To check yourself: a human trafficking course approved by HHSC is required" in body
    assert "(1 human trafficking course recorded in this cycle)" in body


@pytest.mark.django_db
def test_an_uploaded_copy_of_a_site_certificate_counts_once_and_the_page_says_so(client, course):
    approval_add(course, "FL", hours=D(2), subject="laws_rules", valid_from=date(2026, 1, 1))
    learner = UserFactory(license_state="FL")
    certificate = completed(learner, course, date(2026, 3, 2))
    Credential.objects.create(user=learner, kind="FL", renewal_date=date(2027, 8, 31))
    client.force_login(learner)
    title = certificate.snapshot["course_title"]
    _upload(client, title=title.upper(), completed_on="2026-03-02", hours="2", subject="laws_rules")
    [row] = renewals.renewal_overview(user=learner)["rows"]
    assert row["progress"].total.earned == D(2) and len(row["progress"].duplicates) == 1
    page = client.get(reverse("courses:renewals")).content.decode()
    assert "Counted once: an upload matches a certificate from this site" in page
    assert f"{title.upper()} (Gulf Coast Massage School) · Mar 2, 2026 · 2 h" in page


@pytest.mark.django_db
def test_the_courses_counted_show_the_hours_credited_under_each_rule(client):
    learner = UserFactory(license_state="TX")
    Credential.objects.create(user=learner, kind="TX", renewal_date=date(2027, 5, 31))
    Credential.objects.create(user=learner, kind="TN", renewal_date=date(2027, 6, 30))
    client.force_login(learner)
    _upload(
        client,
        title="Myofascial release",
        hours="1",
        minutes="100",
        delivery="live",
        completed_on="2026-02-01",
    )
    _upload(client, title="Online pathology", hours="10", delivery="home_study", completed_on="2026-03-01")
    page = client.get(reverse("courses:renewals")).content.decode()
    sections = page.split('<section class="card mb-4 renewal-credential"')[1:]
    texas, tennessee = sorted(sections, key=lambda part: "Tennessee massage therapist license" in part)
    # Texas: 100 minutes are two 50-minute clock hours (16 TAC 117.30(c)), whatever the certificate prints.
    assert (
        "Myofascial release (Gulf Coast Massage School) · Feb 1, 2026 · 2 h "
        '<span class="text-body-secondary">(1 h on the certificate: 100 minutes in 50-minute hours)</span>'
    ) in texas
    assert "Online pathology (Gulf Coast Massage School) · Mar 1, 2026 · 10 h · General" in texas
    # Tennessee: 8 of the 10 distance hours count (0870-01-.12(1)(d)); its CE hour is the printed hour.
    assert "Myofascial release (Gulf Coast Massage School) · Feb 1, 2026 · 1 h · General" in tennessee
    assert (
        "Online pathology (Gulf Coast Massage School) · Mar 1, 2026 · 8 h "
        '<span class="text-body-secondary">(10 h on the certificate: 2 h over a cap)</span>'
    ) in tennessee


@pytest.mark.django_db
def test_a_certificate_from_before_approvals_counts_for_ncbtmb_and_a_null_list_is_no_approval(course):
    """No "approvals" in the snapshot: it printed NCBTMB's approval (approvals.ncbtmb_approved), so it counts
    toward NCBTMB for the course's hours, and is listed, not counted, for a state; null approvals: none."""
    certificate = completed(UserFactory(license_state="FL"), course, date(2026, 3, 2))
    certificate.snapshot.pop("approvals", None)
    (ncbtmb,) = renewals._site_items(certificate, rules()["NCBTMB"])
    assert ncbtmb.accepted and ncbtmb.hours == D(str(certificate.snapshot["ce_hours"]))
    assert ncbtmb.subject == "general" and ncbtmb.delivery == "home_study"
    (florida,) = renewals._site_items(certificate, rules()["FL"])
    assert not florida.accepted
    certificate.snapshot["approvals"] = None
    (item,) = renewals._site_items(certificate, rules()["NCBTMB"])
    assert not item.accepted
