"""Every URL the resolver knows, tried with hostile values by anonymous visitors and learners: nothing may
answer 500 (tests/hostile_walk.py has the walk; the staff roles' walks are in test_hostile_input_*.py)."""

import pytest

from tests.hostile_walk import all_routes, hostile_urls, walk, world  # noqa: F401 (world: a fixture)

pytestmark = pytest.mark.heavy


@pytest.mark.parametrize("role", ("anonymous", "learner"))
def test_no_url_answers_500_to_hostile_input(client, world, role, db):
    walk(client, world, role)


def test_the_walk_sees_every_part_of_the_site():
    routes = {route.name: route for route in all_routes()}
    for name in (
        "wagtailadmin_pages:edit",
        "wagtailsnippets_quizzes_question:edit",
        "courses:certificate_download",
        "content:muscle_list",
        "wagtail_serve",
        "wagtaildocs_serve",
        "account_login",
        "account_signup",
        "account_reset_password_from_key",
        "account_confirm_email",
        "account_verification_resend",
    ):
        assert name in routes, name
    edit = hostile_urls(routes["wagtailadmin_pages:edit"])
    assert "/admin/pages/9223372036854775808/edit/" in edit and "/admin/pages/0/edit/" in edit
    assert "/admin/pages/-1/edit/" not in edit  # the int converter refuses it: no request wasted
    download = hostile_urls(routes["courses:certificate_download"])
    assert "/certificates/%00/download/" in download and "/certificates/%ff%fe/download/" in download
    assert "/%CE%A9%D0%BC%D1%8F%E5%90%8D%E5%89%8D%D8%A7%D8%B3%D9%85/" in hostile_urls(routes["wagtail_serve"])
