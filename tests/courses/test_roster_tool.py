"""The roster as a tool (issue 14, item 4): time on task per learner, per-learner actions that open the
overrides and the learner record, sorting and filtering by status, and its results fragment."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from courses.models import ModuleProgress
from courses.roster import roster_page_rows, roster_rows
from courses.seat_time import seconds_on_task
from tests.courses.test_roster import (  # noqa: F401 (fixtures)
    graded_attempt,
    post_test,
    records_staff,
    roster,
)


def _override_url(user, action, target):
    return reverse("insight_learner_override", args=[user.pk, action, target.pk])


def _rows(course):
    queryset, total, _ = roster_rows(course)
    return {row.user.legal_name: row for row in roster_page_rows(course, list(queryset), total)}


def test_time_on_task_is_what_the_seat_time_rule_counts(roster, course, modules, post_test):
    ana, bob = roster["ana"], roster["bob"]
    ModuleProgress.objects.filter(enrollment=ana, module=modules[0]).update(seconds_spent=1500)
    ModuleProgress.objects.filter(enrollment=ana, module=modules[1]).update(seconds_spent=600)
    started = timezone.now() - timedelta(hours=2)
    attempt = graded_attempt(ana.user, post_test, 3, "50.00", False)
    attempt.started_at, attempt.submitted_at = started, started + timedelta(minutes=12)
    attempt.save(update_fields=["started_at", "submitted_at"])
    rows = _rows(course)
    assert rows[ana.user.legal_name].seconds_on_task == seconds_on_task(ana) == 1500 + 600 + 12 * 60
    assert rows[bob.user.legal_name].seconds_on_task == seconds_on_task(bob) == 0
    assert rows[ana.user.legal_name].seconds_required == course.seat_time_minutes * 60


def test_roster_page_shows_time_on_task_and_seat_time(records_staff, roster, course, modules):
    ModuleProgress.objects.filter(enrollment=roster["ana"], module=modules[0]).update(seconds_spent=3900)
    roster["bob"].seat_time_waived_at = timezone.now()
    roster["bob"].save(update_fields=["seat_time_waived_at"])
    html = records_staff.get(reverse("insight_roster", args=[course.pk])).content.decode()
    assert "Time on task" in html
    assert "1 h 05 min" in html  # ana: 3900 s
    assert "seat time waived" in html  # bob


def test_actions_open_the_overrides_on_what_the_learner_is_working_on(
    records_staff, roster, course, modules, post_test
):
    post_test.max_attempts = 3
    post_test.save(update_fields=["max_attempts"])
    ana, bob, cleo = (roster[name].user for name in ("ana", "bob", "cleo"))
    roster["cleo"].seat_time_waived_at = timezone.now()
    roster["cleo"].save(update_fields=["seat_time_waived_at"])
    html = records_staff.get(reverse("insight_roster", args=[course.pk])).content.decode()
    # bob tried the post-test and has not passed it; module 2 is his next module
    for url in (
        _override_url(bob, "extra-attempts", post_test),
        _override_url(bob, "reset-quiz", post_test),
        _override_url(bob, "complete-module", modules[1]),
        _override_url(bob, "more-time", course),
        _override_url(bob, "waive-seat-time", course),
        reverse("insight_learner", args=[bob.pk]) + f"#course-{course.pk}",
    ):
        assert url in html, url
    # ana passed the post-test and finished every module: nothing to grant or complete
    assert _override_url(ana, "extra-attempts", post_test) not in html
    assert _override_url(ana, "reset-quiz", post_test) not in html
    assert f"/insight/learners/{ana.pk}/overrides/complete-module/" not in html
    # cleo never tried a quiz: no quiz action; her next module is the first
    assert _override_url(cleo, "reset-quiz", post_test) not in html
    assert _override_url(cleo, "complete-module", modules[0]) in html
    assert _override_url(cleo, "waive-seat-time", course) not in html  # waived already
    # the action opens the override form
    assert records_staff.get(_override_url(bob, "extra-attempts", post_test)).status_code == 200


def test_sorting_and_filtering_by_status(records_staff, roster, course):
    url = reverse("insight_roster", args=[course.pk])
    names = ["Ana Núñez-Łukasiewicz", "=cmd|' /C calc'!A0", "Cléo 李"]

    def order(**params):
        html = records_staff.get(url, params).content.decode()
        shown = [(html.index(n.replace("'", "&#x27;")), n) for n in names if n.replace("'", "&#x27;") in html]
        return [n for _, n in sorted(shown)]

    assert order(ordering="-best_score") == [names[0], names[1], names[2]]  # no score sorts last
    assert order(ordering="best_score") == [names[1], names[0], names[2]]
    assert order(ordering="status") == [names[1], names[0], names[2]]  # active, completed, withdrawn
    assert order(status="withdrawn") == [names[2]]
    assert order(ordering="user__password") == [names[1], names[0], names[2]]  # not a column: by name


def test_results_fragment_for_the_filter_drawer(records_staff, roster, course):
    response = records_staff.get(reverse("insight_roster_results", args=[course.pk]), {"status": "completed"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Ana Núñez-Łukasiewicz" in html and "Cléo 李" not in html


def test_csv_follows_the_filters(records_staff, roster, course):
    response = records_staff.get(reverse("insight_roster_csv", args=[course.pk]), {"status": "withdrawn"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Cléo 李" in body and "Núñez" not in body


def test_an_action_from_the_roster_comes_back_to_it(records_staff, roster, course, modules):
    roster_url = reverse("insight_roster", args=[course.pk])
    bob = roster["bob"].user
    html = records_staff.get(roster_url, {"status": "active"}).content.decode()
    action = _override_url(bob, "complete-module", modules[1])
    assert f"{action}?next=" in html
    back = f"{roster_url}?status=active"
    response = records_staff.post(f"{action}?next={back}", {"reason": "Finished it on paper"})
    assert response.status_code == 302 and response["Location"] == back
    assert ModuleProgress.objects.get(enrollment=roster["bob"], module=modules[1]).completed_at is not None
    # another site is never a place to come back to: the learner record instead
    other = _override_url(bob, "waive-seat-time", course)
    response = records_staff.post(f"{other}?next=https://evil.example/", {"reason": "Accommodation"})
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("insight_learner", args=[bob.pk])
    )
