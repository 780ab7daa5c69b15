"""Accounts: sign-up, log in and out, password reset, profile, and who reaches the Wagtail admin."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from wagtail.models import GroupPagePermission

from cms.models import User
from courses.services import course_instructor_assign, course_instructor_unassign, course_staff_group_name
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


def signup_data(**overrides):
    data = {
        "username": "jrivera",
        "email": "j.rivera@example.com",
        "legal_name": "Juana María Rivera",
        "learner_status": "licensed",
        "license_number": "LMBT 12345",
        "license_state": "NC",
        "password1": "pelvic-girdle-42!",
        "password2": "pelvic-girdle-42!",
    }
    return {**data, **overrides}


@pytest.mark.django_db
class TestSignup:
    def test_form_asks_for_legal_name_as_printed_on_certificates(self, client):
        response = client.get(reverse("account_signup"))
        assert response.status_code == 200
        html = response.content.decode()
        for field in (
            "username",
            "email",
            "legal_name",
            "learner_status",
            "license_number",
            "license_state",
            "password1",
            "password2",
        ):
            assert f'name="{field}"' in html
        assert "as printed on your ce certificates" in html.lower()

    def test_creates_a_learner_signs_in_and_goes_to_the_dashboard(self, client):
        response = client.post(reverse("account_signup"), signup_data())
        assert response.status_code == 302
        assert response["Location"] == reverse("dashboard")
        user = User.objects.get(username="jrivera")
        assert user.legal_name == "Juana María Rivera"
        assert user.license_number == "LMBT 12345" and user.license_state == "NC"
        assert user.check_password("pelvic-girdle-42!")
        assert list(user.groups.values_list("name", flat=True)) == ["Learners"]
        assert not user.is_staff and not user.has_perm("wagtailadmin.access_admin")
        assert client.get(reverse("dashboard")).context["user"] == user

    def test_follows_a_safe_next_url(self, client):
        response = client.post(reverse("account_signup") + "?next=/courses/massage/", signup_data())
        assert response["Location"] == "/courses/massage/"

    def test_ignores_a_next_url_on_another_host(self, client):
        response = client.post(reverse("account_signup") + "?next=https://evil.example/", signup_data())
        assert response["Location"] == reverse("dashboard")

    @pytest.mark.parametrize(
        "overrides, field",
        [
            ({"legal_name": ""}, "legal_name"),
            ({"email": ""}, "email"),
            ({"license_state": "ZZ"}, "license_state"),
            ({"password2": "something-else-9"}, "password2"),
            (
                {"password1": "123", "password2": "123"},
                "password1",
            ),  # allauth checks the strength on password1
        ],
    )
    def test_bad_input_is_explained_and_creates_nothing(self, client, overrides, field):
        response = client.post(reverse("account_signup"), signup_data(**overrides))
        assert response.status_code == 200
        assert response.context["form"].errors[field]
        assert not User.objects.filter(username="jrivera").exists()

    def test_an_e_mail_address_belongs_to_one_account(self, client):
        UserFactory(email="J.Rivera@example.com")
        response = client.post(reverse("account_signup"), signup_data())
        assert "already exists" in response.context["form"].errors["email"][0]


@pytest.mark.django_db
class TestLoginLogout:
    def test_login_then_logout_by_post(self, client, learner):
        response = client.post(reverse("account_login"), {"login": learner.username, "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == reverse("dashboard")
        assert client.get(reverse("dashboard")).status_code == 200

        assert client.get(reverse("account_logout")).status_code == 405  # logging out takes a POST
        response = client.post(reverse("account_logout"))
        assert response.status_code == 302
        assert client.get(reverse("dashboard")).status_code == 302

    def test_wrong_password_shows_the_form_again(self, client, learner):
        response = client.post(reverse("account_login"), {"login": learner.username, "password": "nope"})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()

    def test_login_page_renders_with_links(self, client, db):
        html = client.get(reverse("account_login")).content.decode()
        assert reverse("account_reset_password") in html and reverse("account_signup") in html


@pytest.mark.django_db
def test_password_reset_mails_a_link_that_sets_a_new_password(client, learner):
    response = client.post(reverse("account_reset_password"), {"email": learner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [learner.email]
    assert message.subject == "Reset your Bodywork CE password"
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert not form_page.context.get("token_fail") and "password1" in form_page.context["form"].fields
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "sacrum-and-coccyx-7", "password2": "sacrum-and-coccyx-7"},
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.check_password("sacrum-and-coccyx-7")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"}, follow=True)
    assert response.status_code == 200
    assert mail.outbox == []


@pytest.mark.django_db
class TestProfile:
    def test_needs_login(self, client):
        response = client.get(reverse("profile"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))

    def test_learner_edits_certificate_details(self, client, learner):
        client.force_login(learner)
        assert client.get(reverse("profile")).status_code == 200
        response = client.post(
            reverse("profile"),
            {
                "legal_name": "Ada M. Lovelace",
                "learner_status": "licensed",
                "license_number": "MA-777",
                "license_state": "MA",
                "email": "ada@example.com",
            },
        )
        assert response.status_code == 302
        learner.refresh_from_db()
        assert (learner.legal_name, learner.license_number, learner.license_state, learner.email) == (
            "Ada M. Lovelace",
            "MA-777",
            "MA",
            "ada@example.com",
        )

    def test_bad_input_changes_nothing(self, client, learner):
        client.force_login(learner)
        before = learner.legal_name
        response = client.post(
            reverse("profile"),
            {
                "legal_name": "",
                "learner_status": "licensed",
                "license_number": "X-1",
                "license_state": "NC",
                "email": "not-an-address",
            },
        )
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"legal_name", "email"}
        learner.refresh_from_db()
        assert learner.legal_name == before

    def test_cannot_take_another_accounts_e_mail(self, client, learner, other_learner):
        client.force_login(learner)
        response = client.post(
            reverse("profile"),
            {
                "legal_name": "X Y",
                "learner_status": "licensed",
                "license_number": "1",
                "license_state": "NC",
                "email": other_learner.email.upper(),
            },
        )
        assert "email" in response.context["form"].errors


@pytest.mark.django_db
class TestRoles:
    def test_a_learner_never_reaches_the_wagtail_admin(self, client, learner):
        client.force_login(learner)
        response = client.get("/admin/")
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("wagtailadmin_login"))
            login_page = client.get(response["Location"])
            assert b"Dashboard" not in login_page.content
        assert client.get("/admin/pages/").status_code in (302, 403)

    def test_a_learner_does_not_see_the_admin_link(self, client, learner, site_tree):
        client.force_login(learner)
        home = client.get("/")
        assert home.status_code == 200
        assert b'href="/admin/"' not in home.content

    def test_assignment_grants_page_permissions_on_that_course_only(self, catalogue, course, instructor):
        course_instructor_assign(course=course, user=instructor)
        course_instructor_assign(course=course, user=instructor)
        group = Group.objects.get(name=course_staff_group_name(course.pk))
        rows = GroupPagePermission.objects.filter(group=group)
        assert {(row.page_id, row.permission.codename) for row in rows} == {
            (course.pk, "add_page"),
            (course.pk, "change_page"),
        }
        assert list(group.user_set.all()) == [instructor]
        assert not GroupPagePermission.objects.filter(group__name="Instructors").exists()
        assert course_instructor_unassign(course=course, user=instructor) is True
        assert not group.user_set.exists() and rows.count() == 2

    def test_an_instructor_edits_modules_but_not_users(self, client, assigned_instructor, modules):
        client.force_login(assigned_instructor)
        assert client.get("/admin/").status_code == 200
        editor = client.get(reverse("wagtailadmin_pages:edit", args=[modules[1].pk]))
        assert editor.status_code == 200
        assert modules[1].title.encode() in editor.content

        users = client.get("/admin/users/")
        assert users.status_code in (302, 403)
        if users.status_code == 302:
            assert users["Location"] == reverse("wagtailadmin_home")
        assert client.get("/admin/groups/").status_code in (302, 403)

    def test_an_unassigned_instructor_cannot_edit_pages(self, client, instructor, modules):
        client.force_login(instructor)
        response = client.get(reverse("wagtailadmin_pages:edit", args=[modules[0].pk]))
        assert response.status_code in (302, 403)

    def test_instructors_group_is_not_the_learners_group(self, instructor):
        assert not instructor.groups.filter(name="Learners").exists()
        assert Group.objects.get(name="Instructors").user_set.filter(pk=instructor.pk).exists()
