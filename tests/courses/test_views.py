"""Pages and views a learner goes through: catalogue, course, module, enroll, complete, dashboard."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from courses.models import Enrollment, ModuleProgress
from courses.services import enrollment_create, module_complete

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BODY_TEXT = b"inserts on the lesser trochanter"  # the `modules` fixture body


def enroll_url(course):
    return reverse("courses:enroll", args=[course.pk])


def complete_url(module):
    return reverse("courses:module_complete", args=[module.pk])


class TestCoursePage:
    def test_visitor_sees_outline_and_a_way_to_enroll(self, client, course, modules):
        response = client.get(course.url)
        assert response.status_code == 200
        html = response.content.decode()
        for module in modules:
            assert module.title in html
        assert "Sign up to enroll" in html and reverse("account_signup") + "?next=" in html
        assert "NCBTMB" in html and course.provider.ncbtmb_provider_number in html
        assert "is-locked" not in html

    def test_logged_in_learner_gets_an_enroll_button(self, client, learner, course, modules):
        client.force_login(learner)
        html = client.get(course.url).content.decode()
        assert f'action="{enroll_url(course)}"' in html

    def test_enrolled_learner_sees_progress_and_locks(self, client, enrollment, course, modules):
        module_complete(user=enrollment.user, module=modules[0])
        client.force_login(enrollment.user)
        html = client.get(course.url).content.decode()
        assert 'value="33" max="100"' in html
        assert "1 of 3 modules complete" in html
        assert html.count("is-complete") >= 1 and html.count("is-next") == 1 and html.count("is-locked") == 1
        assert f'action="{enroll_url(course)}"' not in html

    def test_hours_warning_is_for_staff_only(self, client, instructor, learner, course, modules):
        client.force_login(learner)
        assert b"ce-hours-warning" not in client.get(course.url).content
        client.force_login(instructor)
        assert b"ce-hours-warning" in client.get(course.url).content

    def test_catalogue_lists_the_course_with_progress(self, client, enrollment, catalogue, course, modules):
        client.force_login(enrollment.user)
        response = client.get(catalogue.url)
        assert response.status_code == 200
        assert course.title.encode() in response.content
        assert b'value="0" max="100"' in response.content


class TestEnroll:
    def test_enrolls_once_and_returns_to_the_course(self, client, learner, course, modules):
        client.force_login(learner)
        response = client.post(enroll_url(course))
        assert response.status_code == 302 and response["Location"] == course.url
        client.post(enroll_url(course))
        assert Enrollment.objects.filter(user=learner, course=course).count() == 1

    def test_anonymous_is_sent_to_log_in_and_back_to_the_course(self, client, course):
        response = client.post(enroll_url(course))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login")) and "next=" in response["Location"]
        assert not Enrollment.objects.exists()

    def test_get_is_not_allowed(self, client, learner, course):
        client.force_login(learner)
        assert client.get(enroll_url(course)).status_code == 405
        assert not Enrollment.objects.exists()

    @pytest.mark.parametrize("bad_id", [0, 999999, 2**63 + 5])
    def test_unknown_course_is_404(self, client, learner, db, bad_id):
        client.force_login(learner)
        assert client.post(f"/courses/{bad_id}/enroll/").status_code == 404

    def test_a_module_id_is_not_a_course(self, client, learner, modules):
        client.force_login(learner)
        assert client.post(enroll_url(modules[0])).status_code == 404

    def test_unpublished_course_is_404(self, client, learner, course):
        course.unpublish()
        client.force_login(learner)
        assert client.post(enroll_url(course)).status_code == 404


class TestModulePage:
    def test_visitor_sees_summary_and_call_to_action_not_the_body(self, client, modules):
        response = client.get(modules[0].url)
        assert response.status_code == 200
        assert BODY_TEXT not in response.content
        assert b"Enroll to read this module" in response.content and b"Sign up to enroll" in response.content

    def test_visitor_sees_the_module_summary(self, client, course_with_modules):
        _, modules = course_with_modules(2)
        response = client.get(modules[1].url)
        assert b"What part 2 covers." in response.content
        assert b"Quadratus lumborum" not in response.content

    def test_learner_not_enrolled_gets_an_enroll_form(self, client, learner, course, modules):
        client.force_login(learner)
        response = client.get(modules[0].url)
        assert BODY_TEXT not in response.content
        assert f'action="{enroll_url(course)}"'.encode() in response.content
        assert not ModuleProgress.objects.exists()

    def test_enrolled_learner_reads_and_the_visit_is_recorded(self, client, enrollment, modules):
        client.force_login(enrollment.user)
        with time_machine.travel(T0, tick=False):
            response = client.get(modules[0].url)
        assert response.status_code == 200
        html = response.content.decode()
        assert BODY_TEXT.decode() in html
        assert "Module 1 of 3" in html and "Mark complete" in html
        assert f'action="{complete_url(modules[0])}"' in html
        assert ModuleProgress.objects.get(enrollment=enrollment, module=modules[0]).started_at == T0

    def test_locked_module_shows_what_to_do_and_not_the_body(self, client, enrollment, modules):
        client.force_login(enrollment.user)
        response = client.get(modules[2].url)
        assert response.status_code == 200
        assert BODY_TEXT not in response.content
        assert b"This module is locked" in response.content and b"Module 1" in response.content
        assert b"Mark complete" not in response.content
        assert not ModuleProgress.objects.exists()

    def test_staff_read_every_module(self, client, instructor, modules):
        client.force_login(instructor)
        response = client.get(modules[2].url)
        assert BODY_TEXT in response.content and b"Mark complete" not in response.content

    def test_previous_and_next_links(self, client, enrollment, modules):
        module_complete(user=enrollment.user, module=modules[0])
        client.force_login(enrollment.user)
        html = client.get(modules[1].url).content.decode()
        assert f'href="{modules[0].url}" rel="prev"' in html and f'href="{modules[2].url}" rel="next"' in html


class TestModuleComplete:
    def test_completes_with_server_time_and_moves_on(self, client, enrollment, modules):
        client.force_login(enrollment.user)
        with time_machine.travel(T0, tick=False):
            client.get(modules[0].url)
        with time_machine.travel(T0 + timedelta(minutes=12), tick=False):
            # whatever the browser claims is ignored
            response = client.post(
                complete_url(modules[0]), {"seconds_spent": "99999", "completed_at": "2020-01-01"}
            )
        assert response.status_code == 302 and response["Location"] == modules[1].url
        progress = ModuleProgress.objects.get(enrollment=enrollment, module=modules[0])
        # twelve minutes without a sign of activity count as the idle cap (courses/seat_time.py)
        assert progress.completed_at == T0 + timedelta(minutes=12) and progress.seconds_spent == 300

    def test_last_module_returns_to_the_course(self, client, enrollment, course, modules):
        module_complete(user=enrollment.user, module=modules[0])
        module_complete(user=enrollment.user, module=modules[1])
        client.force_login(enrollment.user)
        response = client.post(complete_url(modules[2]))
        assert response["Location"] == course.url

    def test_locked_module_is_refused_with_a_message(self, client, enrollment, modules):
        client.force_login(enrollment.user)
        response = client.post(complete_url(modules[1]), follow=True)
        assert response.redirect_chain[0][0] == modules[1].url
        messages = [str(m) for m in response.context["messages"]]
        assert any("complete “Module 1” first" in m for m in messages)
        assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()

    def test_not_enrolled_is_refused(self, client, learner, modules):
        client.force_login(learner)
        response = client.post(complete_url(modules[0]), follow=True)
        assert any("Enroll" in str(m) for m in response.context["messages"])
        assert not ModuleProgress.objects.exists()

    def test_anonymous_is_sent_to_log_in(self, client, modules):
        response = client.post(complete_url(modules[0]))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))

    def test_get_is_not_allowed(self, client, enrollment, modules):
        client.force_login(enrollment.user)
        assert client.get(complete_url(modules[0])).status_code == 405
        assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()

    @pytest.mark.parametrize(
        "path",
        [
            "/modules/0/complete/",
            "/modules/424242/complete/",
            f"/modules/{2**63 + 1}/complete/",
            "/modules/abc/complete/",
        ],
    )
    def test_unknown_ids_are_404(self, client, learner, db, path):
        client.force_login(learner)
        assert client.post(path).status_code == 404

    def test_a_course_id_is_not_a_module(self, client, enrollment, course):
        client.force_login(enrollment.user)
        assert client.post(complete_url(course)).status_code == 404

    def test_draft_module_is_404(self, client, enrollment, modules):
        modules[0].unpublish()
        client.force_login(enrollment.user)
        assert client.post(complete_url(modules[0])).status_code == 404


class TestDashboard:
    def test_needs_login(self, client, db):
        response = client.get(reverse("dashboard"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))

    def test_empty_state_links_to_the_catalogue(self, client, learner, catalogue):
        client.force_login(learner)
        response = client.get(reverse("dashboard"))
        assert response.status_code == 200
        assert b"not enrolled in any course yet" in response.content
        assert f'href="{catalogue.url}"'.encode() in response.content

    def test_shows_progress_and_continue(self, client, enrollment, modules):
        module_complete(user=enrollment.user, module=modules[0])
        client.force_login(enrollment.user)
        html = client.get(reverse("dashboard")).content.decode()
        assert 'value="33" max="100"' in html and "1 of 3 modules complete" in html
        assert f'href="{modules[1].url}"' in html and "Start module 2 of 3" in html  # the next step

    def test_never_shows_another_learners_courses(
        self, client, other_learner, course_with_modules, enrollment
    ):
        private_course, _ = course_with_modules(2, title="Someone else's course")
        enrollment_create(user=other_learner, course=private_course)
        client.force_login(enrollment.user)
        assert b"Someone else" not in client.get(reverse("dashboard")).content
