"""Renewal rules as the boards write them (issue 15, CE-compliance review): Tennessee's fixed calendar
cycles, its laws-and-rules and ethics hours and its 8-hour cap on every distance format (home study and live
online alike); Florida's biennium fixed for everyone; a certificate of this site counting only under an
approval the credential's board accepts. Pure functions: no database."""

from datetime import date
from decimal import Decimal

import pytest

from courses.approval_models import CourseApproval
from courses.approvals import approval_snapshot
from courses.models import Certificate
from courses.renewals import (
    CreditItem,
    _site_items,
    ce_deadline,
    cycle_deadline,
    progress,
    rules,
    rules_parse,
)

D = Decimal


def item(day, hours, subject="general", delivery="home_study", accepted=True):
    return CreditItem(
        f"{subject} {delivery} {hours}", day, D(str(hours)), subject, delivery, accepted=accepted
    )


# --- Tennessee: rule 0870-01-.12(1) ---------------------------------------------------------------------


def test_tennessee_counts_only_the_calendar_cycle_that_ends_on_the_deadline():
    items = [item(date(2024, 12, 31), 4, delivery="live"), item(date(2025, 1, 1), 3, delivery="live")]
    p = progress(rules()["TN"], date(2026, 12, 31), items, today=date(2026, 6, 1))
    assert (p.cycle_start, p.deadline) == (date(2025, 1, 1), date(2026, 12, 31))
    assert p.total.earned == D(3) and [i.completed_on for i in p.items] == [date(2025, 1, 1)]
    # A license date inside the cycle (Tennessee's deadline is the same for everyone) changes nothing.
    mid = progress(rules()["TN"], date(2026, 6, 30), items, today=date(2026, 6, 1))
    assert (mid.cycle_start, mid.deadline, mid.total.earned) == (date(2025, 1, 1), date(2026, 12, 31), D(3))
    # The day the previous cycle ended counts toward that one, not this one.
    previous = progress(rules()["TN"], date(2024, 12, 31), items, today=date(2024, 6, 1))
    assert previous.total.earned == D(4) and previous.cycle_start == date(2023, 1, 1)


def test_tennessee_needs_two_hours_of_laws_and_rules_and_two_of_ethics():
    items = [item(date(2025, 3, 1), 2, "laws_rules", "live"), item(date(2025, 4, 1), 1, "ethics", "live")]
    p = progress(rules()["TN"], date(2026, 12, 31), items, today=date(2026, 6, 1))
    assert [(r.label, r.required, r.earned, r.missing) for r in p.requirements] == [
        ("Laws and rules", D(2), D(2), D(0)),
        ("Ethics", D(2), D(1), D(1)),
    ]
    assert not p.complete and p.total.missing == D(21)


def test_tennessees_eight_hour_cap_covers_home_study_and_live_online_together_not_in_person():
    items = [
        item(date(2025, 2, 1), 6, delivery="home_study"),
        item(date(2025, 3, 1), 4, delivery="live_online"),  # a webinar is a multi-media format too
        item(date(2025, 4, 1), 10, delivery="live"),  # in person: never capped
        item(date(2025, 5, 1), 3, delivery="hands_on"),
    ]
    p = progress(rules()["TN"], date(2026, 12, 31), items, today=date(2026, 6, 1))
    assert (p.total.earned, p.multimedia_capped, p.total.missing) == (D(21), D(2), D(3))
    only_online = progress(rules()["TN"], date(2026, 12, 31), items[1:2], today=date(2026, 6, 1))
    assert only_online.total.earned == D(4) and only_online.multimedia_capped == 0


def test_hours_over_tennessees_distance_cap_count_toward_no_subject_minimum_either():
    # (d): at most 8 "of the 24 hours requirement"; (b) and (c) are 2 hours each of that same requirement.
    tn = rules()["TN"]
    p = progress(tn, date(2026, 12, 31), [item(date(2025, 2, 1), 10, "ethics")], today=date(2026, 6, 1))
    assert (p.total.earned, p.multimedia_capped) == (D(8), D(2))
    assert {r.label: r.earned for r in p.requirements}["Ethics"] == D(8)  # not the 10 completed


def test_the_distance_cap_goes_first_to_the_subject_minimums_still_short():
    # The learner reports which distance hours count: the 2 ethics hours, completed after 8 general ones.
    items = [
        item(date(2025, 2, 1), 8, "general"),
        item(date(2025, 6, 1), 2, "ethics", "live_online"),
        item(date(2025, 7, 1), 2, "laws_rules", "live"),
    ]
    p = progress(rules()["TN"], date(2026, 12, 31), items, today=date(2026, 6, 1))
    assert [(r.label, r.earned) for r in p.requirements] == [("Laws and rules", D(2)), ("Ethics", D(2))]
    assert [p.credited[id(i)] for i in p.items] == [D(6), D(2), D(2)]
    assert (p.total.earned, p.multimedia_capped) == (D(10), D(2))


def test_minimums_the_distance_cap_cannot_cover_stay_short():
    rule = rules_parse(
        {
            "credentials": {
                "TN": {
                    "name": "x",
                    "source": "s",
                    "source_url": "https://example.org/rule",
                    "checked": None,
                    "cycle_years": 2,
                    "hours": 4,
                    "subjects": {"ethics": 2, "laws_rules": 2},
                    "multimedia_max": 2,
                }
            }
        }
    )["TN"]
    items = [item(date(2025, 2, 1), 2, "ethics"), item(date(2025, 3, 1), 2, "laws_rules")]
    p = progress(rule, date(2026, 12, 31), items, today=date(2026, 6, 1))
    assert [(r.label, r.earned, r.met) for r in p.requirements] == [
        ("Ethics", D(2), True),
        ("Laws and rules", D(0), False),  # its 2 hours are over the cap: they count nowhere
    ]
    assert p.total.earned == D(2) and p.multimedia_capped == D(2)


def test_a_rule_without_a_cap_counts_live_online_in_full_and_only_hands_on_toward_hands_on():
    items = [item(date(2026, 1, 1), 20, delivery="live_online"), item(date(2026, 2, 1), 4, delivery="live")]
    p = progress(rules()["FL"], date(2027, 8, 31), items, today=date(2027, 1, 1))
    assert p.total.earned == D(24) and p.multimedia_capped == 0
    assert {r.label: r.earned for r in p.requirements}["Live hands-on"] == 0


def test_floridas_hands_on_hours_are_massage_technique_not_hands_on_ethics():
    # 64B7-28.009(4)(e): the 12 in-person hours are focused on massage therapy techniques, apart from the
    # ethics, laws and rules, medical errors and human trafficking minimums.
    items = [
        item(date(2026, 1, 5), 2, "ethics", "hands_on"),
        item(date(2026, 2, 5), 10, "general", "hands_on"),
    ]
    p = progress(rules()["FL"], date(2027, 8, 31), items, today=date(2027, 1, 1))
    by_label = {r.label: (r.earned, r.missing) for r in p.requirements}
    assert by_label["Live hands-on"] == (D(10), D(2))
    assert by_label["Ethics"] == (D(2), D(0)) and p.total.earned == D(12)  # still ethics, still in the total
    # Georgia's hands-on hours name no subject: any hands-on class counts.
    ga = progress(rules()["GA"], date(2026, 10, 31), items, today=date(2026, 6, 1))
    assert {r.label: r.earned for r in ga.requirements}["Live hands-on"] == D(12)


# --- fixed cycles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, entered, deadline",
    [
        ("FL", date(2026, 3, 15), date(2027, 8, 31)),  # 1 Sep 2025 - 31 Aug 2027
        ("FL", date(2027, 8, 31), date(2027, 8, 31)),
        ("FL", date(2027, 9, 1), date(2029, 8, 31)),
        ("FL", date(2026, 8, 31), date(2027, 8, 31)),  # 31 August of an even year is mid-cycle
        ("TN", date(2027, 6, 30), date(2027, 6, 30)),  # staggered licenses: the license's date is kept
        ("GA", date(2026, 11, 1), date(2028, 10, 31)),
        ("LA", date(2027, 3, 31), date(2027, 3, 31)),
        ("LA", date(2027, 4, 1), date(2028, 3, 31)),
        ("NCBTMB", date(2027, 5, 17), date(2027, 5, 17)),  # the learner's own date
        ("TX", date(2027, 5, 17), date(2027, 5, 17)),
    ],
)
def test_a_date_moves_to_the_end_of_its_fixed_cycle(kind, entered, deadline):
    assert cycle_deadline(rules()[kind], entered) == deadline


# Tennessee: licenses renew on staggered dates (0870-01-.10(1)(a)), the CE cycle is the same for everyone.


def test_tennessees_ce_deadline_is_the_cycle_open_today_not_the_one_holding_the_license_date():
    tn = rules()["TN"]
    items = [item(date(2025, 3, 1), 4, delivery="live"), item(date(2027, 2, 1), 5, delivery="live")]
    # A license expiring 2027-06-30, seen in 2026: the hours are due by 31 December 2026, not 2028.
    p = progress(tn, date(2027, 6, 30), items, today=date(2026, 6, 1))
    assert (p.cycle_start, p.deadline, p.total.earned) == (date(2025, 1, 1), date(2026, 12, 31), D(4))
    assert p.days_left == 213
    # Once that cycle has closed, the next one is open for a license not renewing on the closed cycle.
    later = progress(tn, date(2029, 6, 30), items, today=date(2027, 1, 2))
    assert (later.cycle_start, later.deadline, later.total.earned) == (
        date(2027, 1, 1),
        date(2028, 12, 31),
        D(5),
    )
    assert ce_deadline(tn, date(2031, 3, 15), today=date(2026, 12, 31)) == date(2026, 12, 31)


def _tn_cycle_of_24(hours_in_2026):
    return [item(date(2026, 5, 1), hours_in_2026, delivery="live", subject="general")] + [
        item(date(2025, 3, 1), 2, delivery="live", subject=s) for s in ("laws_rules", "ethics")
    ]


def test_tennessees_cycle_is_the_open_one_on_its_last_day():
    p = progress(rules()["TN"], date(2027, 6, 30), _tn_cycle_of_24(10), today=date(2026, 12, 31))
    assert (p.cycle_start, p.deadline, p.days_left, p.overdue) == (
        date(2025, 1, 1),
        date(2026, 12, 31),
        0,
        False,
    )
    assert p.new_cycle_start is None


def test_a_tennessee_cycle_closed_short_stays_shown_overdue_until_the_license_renews_on_it():
    tn = rules()["TN"]
    items = _tn_cycle_of_24(10) + [item(date(2027, 1, 1), 3, delivery="live")]
    p = progress(tn, date(2027, 6, 30), items, today=date(2027, 1, 1))
    assert (p.cycle_start, p.deadline, p.total.earned) == (date(2025, 1, 1), date(2026, 12, 31), D(14))
    assert p.overdue and p.days_left == -1 and p.new_cycle_start == date(2027, 1, 1)
    assert progress(tn, date(2027, 6, 30), items, today=date(2027, 6, 30)).new_cycle_start == date(2027, 1, 1)
    # After the license date, or for a license renewing after the closed cycle's renewal year: the new cycle.
    for renewal, today in ((date(2027, 6, 30), date(2027, 7, 1)), (date(2028, 3, 1), date(2027, 1, 1))):
        p = progress(tn, renewal, items, today=today)
        assert (p.cycle_start, p.deadline, p.total.earned) == (date(2027, 1, 1), date(2028, 12, 31), D(3))
        assert p.new_cycle_start is None and not p.overdue


def test_a_tennessee_cycle_closed_complete_gives_way_to_the_new_one_on_1_january():
    p = progress(rules()["TN"], date(2027, 6, 30), _tn_cycle_of_24(20), today=date(2027, 1, 1))
    assert (p.cycle_start, p.deadline, p.total.earned) == (date(2027, 1, 1), date(2028, 12, 31), D(0))
    assert p.new_cycle_start is None and not p.overdue


@pytest.mark.parametrize(
    "kind, license_expiry, today",
    [
        ("FL", date(2027, 8, 31), date(2026, 1, 1)),  # 64B7: every license expires 31 August of odd years
        ("GA", date(2028, 10, 31), date(2027, 5, 1)),  # 345-4-.01: 31 October of even years
        ("LA", date(2027, 3, 31), date(2026, 12, 1)),  # LAC 46:XLIV.1701: 31 March
        ("NCBTMB", date(2027, 5, 17), date(2026, 1, 1)),
        ("TX", date(2027, 5, 17), date(2026, 1, 1)),
    ],
)
def test_where_licenses_expire_with_the_cycle_the_ce_deadline_is_the_license_date(
    kind, license_expiry, today
):
    rule = rules()[kind]
    assert rule.deadline == "license"
    assert cycle_deadline(rule, license_expiry) == license_expiry
    assert ce_deadline(rule, license_expiry, today=today) == license_expiry


def test_florida_progress_uses_the_fixed_biennium_whatever_date_was_stored():
    items = [item(date(2025, 8, 31), 5), item(date(2025, 9, 1), 3)]
    p = progress(rules()["FL"], date(2026, 5, 1), items, today=date(2026, 6, 1))
    assert (p.cycle_start, p.deadline, p.total.earned) == (date(2025, 9, 1), date(2027, 8, 31), D(3))


# --- which approvals count ------------------------------------------------------------------------------


def _certificate(*approvals, course_type="Home Study"):
    lines = [
        {"body": body, "hours": f"{hours:.2f}", "subject": subject, "delivery": delivery}
        for body, hours, subject, delivery in approvals
    ]
    snapshot = {
        "course_title": "Low back pain",
        "course_type": course_type,
        "ce_hours": "3.00",
        "completion_date": "2026-03-01",
        "approvals": lines,
    }
    return Certificate(snapshot=snapshot)


def test_a_site_certificate_counts_only_under_an_approval_the_board_accepts():
    ncbtmb_only = _certificate(("NCBTMB", 3, "general", "home_study"))
    [fl] = _site_items(ncbtmb_only, rules()["FL"])
    assert not fl.accepted and fl.hours == D(3)  # listed with NCBTMB's figures, not counted
    p = progress(rules()["FL"], date(2027, 8, 31), [fl], today=date(2027, 1, 1))
    assert p.total.earned == 0 and p.items == [] and [i.title for i in p.not_counted] == ["Low back pain"]
    assert [i.accepted for i in _site_items(ncbtmb_only, rules()["NCBTMB"])] == [True]
    assert [i.accepted for i in _site_items(ncbtmb_only, rules()["TN"])] == [False]
    # Georgia (345-4-.02) and Texas (TDLR) accept NCBTMB-approved courses.
    assert [i.accepted for i in _site_items(ncbtmb_only, rules()["GA"])] == [True]
    assert [i.accepted for i in _site_items(ncbtmb_only, rules()["TX"])] == [True]


def test_the_boards_own_approval_wins_and_each_of_its_subjects_counts():
    both = _certificate(
        ("NCBTMB", 3, "general", "home_study"),
        ("FL", 1, "laws_rules", "home_study"),
        ("FL", 1, "ethics", "home_study"),
    )
    items = _site_items(both, rules()["FL"])
    assert [(i.subject, i.hours, i.accepted) for i in items] == [
        ("laws_rules", D(1), True),
        ("ethics", D(1), True),
    ]
    assert [i.hours for i in _site_items(both, rules()["NCBTMB"])] == [D(3)]


def test_a_certificate_without_approvals_is_listed_with_the_courses_figures():
    [listed] = _site_items(_certificate(course_type="Live / in person"), rules()["NCBTMB"])
    assert (listed.accepted, listed.hours, listed.delivery) == (False, D(3), "live")


def test_live_online_prints_as_its_own_delivery_type():
    approval = CourseApproval(
        body="TN", provider_number="TN-77", hours=D(2), subject="general", delivery="live_online"
    )
    assert approval_snapshot(approval)["line"].endswith("2 h · general · live online")
    approval.delivery = "live"
    assert approval_snapshot(approval)["line"].endswith("2 h · general · live in person")


# --- a course counts once (Tennessee 0870-01-.12(1)(a)) -------------------------------------------------


def test_an_upload_of_a_site_certificate_is_counted_once():
    site = CreditItem("Low back pain", date(2026, 3, 1), D(3), "general", "live")
    copy = CreditItem(
        "low back  PAIN", date(2026, 3, 1), D(3), "general", "live", outside=True, provider="Us"
    )
    other_day = CreditItem("Low back pain", date(2026, 4, 1), D(3), "general", "live", outside=True)
    p = progress(rules()["TN"], date(2026, 12, 31), [site, copy, other_day], today=date(2026, 6, 1))
    assert p.total.earned == D(6) and p.duplicates == [copy]
    assert [i.outside for i in p.items] == [False, True]  # the site's certificate, and the other day's course


def test_an_upload_of_a_site_certificate_the_board_does_not_accept_counts():
    # The page tells the learner to upload such a certificate if their board accepts it: that is no copy.
    site = CreditItem("Low back pain", date(2026, 3, 1), D(3), "general", "live", accepted=False)
    upload = CreditItem("Low back pain", date(2026, 3, 1), D(3), "general", "live", outside=True)
    p = progress(rules()["TN"], date(2026, 12, 31), [site, upload], today=date(2026, 6, 1))
    assert p.total.earned == D(3) and p.duplicates == [] and p.not_counted == [site]
