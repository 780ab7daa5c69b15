"""Issue 14 item 1: an instructor starts a course from the template, is assigned to it, edits it and
submits it for moderation; they cannot publish or approve the CE hours; a provider admin approves and
it goes live; another course's instructor sees nothing of it in Wagtail's own listings."""

from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html

from cms.roles import COURSE_WORKFLOW
from courses.course_drafts import course_draft_create
from courses.models import CourseInstructor, CoursePage
from courses.services import course_instructor_assign
from tests.courses.ce_records import approval_add
from tests.factories import InstructorFactory, ProviderAdminFactory

TITLE = "Massage for Neck Pain"


@pytest.fixture
def author(catalogue, provider):
    """An instructor with no course yet, in a site with a catalogue and a CE provider."""
    return InstructorFactory(username="author")


@pytest.fixture
def draft(author):
    return course_draft_create(user=author, title=TITLE)


@pytest.fixture
def outsider(course):
    """The instructor of another course."""
    other = InstructorFactory(username="outsider")
    course_instructor_assign(course=course, user=other)
    return other


@pytest.fixture
def provider_admin(catalogue):
    return ProviderAdminFactory()


def _edit_form(client, page):
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    return response, querydict_from_html(response.content.decode(), form_id="page-edit-form")


def _post_edit(client, page, action, **changes):
    _, data = _edit_form(client, page)
    data = data.copy()
    data.setdefault("learning_objectives-count", "0")  # a StreamField is drawn by JavaScript, not in the HTML
    for key, value in changes.items():
        data[key] = value
    if action:
        data[action] = "1"
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def _with_objective(**changes):
    return {
        "learning_objectives-count": "1",
        "learning_objectives-0-type": "objective",
        "learning_objectives-0-value": "Identify red flags that call for referral",
        "learning_objectives-0-order": "0",
        "learning_objectives-0-deleted": "",
        "learning_objectives-0-id": "",
        **changes,
    }


def test_an_instructor_starts_a_course_and_it_becomes_theirs(client, author):
    client.force_login(author)
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("courses_course_create") in menu
    form = client.get(reverse("courses_course_create"))
    assert form.status_code == 200 and b"Learning objectives" in form.content

    response = client.post(reverse("courses_course_create"), {"title": TITLE, "course_type": "home_study"})

    course = CoursePage.objects.get(title=TITLE)
    assert response.status_code == 302 and response["Location"] == reverse(
        "wagtailadmin_pages:edit", args=[course.pk]
    )
    assert (
        not course.live
        and course.owner == author
        and course.get_parent().specific_class.__name__ == "CourseIndexPage"
    )
    assert CourseInstructor.objects.filter(course=course, user=author).exists()
    assert course.ce_hours == Decimal("0") and course.pass_mark == 80 and course.provider_id
    permissions = course.permissions_for_user(author)
    assert permissions.can_edit() and permissions.can_add_subpage() and not permissions.can_publish()


def test_the_start_form_refuses_a_blank_title_and_learners(client, author, learner):
    client.force_login(author)
    blank = client.post(reverse("courses_course_create"), {"title": "   ", "course_type": "home_study"})
    assert blank.status_code == 200 and b"This field is required" in blank.content
    nul = client.post(reverse("courses_course_create"), {"title": "A\x00", "course_type": "home_study"})
    assert nul.status_code == 400  # cms.middleware refuses NUL bytes
    assert not CoursePage.objects.filter(owner=author).exists()
    assert (
        client.post(reverse("courses_course_create"), {"title": "X", "course_type": "bogus"}).status_code
        == 200
    )
    client.force_login(learner)
    assert client.get(reverse("courses_course_create")).status_code == 302  # the admin's log-in


def test_the_editor_shows_ce_hours_and_provider_read_only_to_the_instructor(client, author, draft):
    client.force_login(author)
    response, data = _edit_form(client, draft)
    html = response.content.decode()
    assert "approved CE hours" in html.lower() or "Approved CE hours" in html
    assert "ce_hours" not in data and "provider" not in data
    assert "one CE hour is 50 minutes" in html  # the template explains each field
    # a tampered POST cannot set them either
    _post_edit(client, draft, None, ce_hours="12.00", title="Renamed")
    draft.refresh_from_db()
    latest = draft.get_latest_revision_as_object()
    assert latest.title == "Renamed" and latest.ce_hours == Decimal("0")


def test_submitting_needs_objectives_and_then_waits_for_a_provider_admin(client, author, draft):
    client.force_login(author)
    refused = _post_edit(client, draft, "action-submit")
    assert refused.status_code == 200 and b"Add at least one learning objective" in refused.content
    assert not WorkflowState.objects.filter(object_id=str(draft.pk)).exists()

    submitted = _post_edit(client, draft, "action-submit", **_with_objective())

    assert submitted.status_code == 302
    state = WorkflowState.objects.get(object_id=str(draft.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS and state.workflow.name == COURSE_WORKFLOW
    draft.refresh_from_db()
    assert not draft.live


def test_an_instructor_cannot_publish(client, author, draft):
    client.force_login(author)
    _post_edit(client, draft, "action-publish", **_with_objective())
    draft.refresh_from_db()
    assert not draft.live and draft.first_published_at is None


def test_a_provider_admin_approves_the_ce_hours_and_publishes(client, author, draft, provider_admin):
    client.force_login(author)
    _post_edit(client, draft, "action-submit", **_with_objective())
    state = WorkflowState.objects.get(object_id=str(draft.pk))

    client.force_login(provider_admin)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert TITLE in dashboard  # "Awaiting your review"
    zero_hours = _post_edit(
        client, draft, "action-workflow-action", **_with_objective(**{"workflow-action-name": "approve"})
    )
    assert zero_hours.status_code == 200 and b"Approve the CE hours" in zero_hours.content
    draft.refresh_from_db()
    assert not draft.live

    approval_add(draft, "NCBTMB", hours=Decimal("2.00"))  # a course goes live with its NCBTMB approval
    approved = _post_edit(
        client,
        draft,
        "action-workflow-action",
        **_with_objective(ce_hours="2.00", **{"workflow-action-name": "approve"}),
    )

    assert approved.status_code == 302, approved.context["form"].errors if approved.context else approved
    draft.refresh_from_db()
    state.refresh_from_db()
    assert draft.live and draft.ce_hours == Decimal("2.00")
    assert state.status == WorkflowState.STATUS_APPROVED


def test_another_courses_instructor_sees_nothing_of_the_draft(
    client, author, draft, outsider, provider_admin
):
    client.force_login(author)
    _post_edit(client, draft, "action-submit", **_with_objective())
    client.logout()  # a new session: the author's "submitted" message stays in theirs
    client.force_login(outsider)
    for url in (
        reverse("wagtailadmin_pages:edit", args=[draft.pk]),
        reverse("wagtailadmin_pages:add_subpage", args=[draft.pk]),
        reverse("wagtailadmin_pages:history", args=[draft.pk]),
        reverse("wagtailadmin_pages:preview_on_edit", args=[draft.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert TITLE.encode() not in response.content, url
    listings = (
        reverse("wagtailadmin_home"),  # awaiting review, your pages, recent edits
        reverse("wagtailadmin_explore", args=[draft.get_parent().pk]),
        reverse("wagtailadmin_pages:search") + "?q=Neck",
        reverse("wagtailadmin_choose_page"),
        reverse("wagtailadmin_choose_page_child", args=[draft.get_parent().pk]),
        reverse("wagtailadmin_choose_page_search") + "?q=Neck",
        reverse("wagtailadmin_reports:workflow"),
        reverse("wagtailadmin_reports:workflow_tasks"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_reports:locked_pages"),
        reverse("insight_courses"),
        reverse("wagtailsnippets_quizzes_quiz:list"),
    )
    for url in listings:
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        assert TITLE.encode() not in response.content, f"the other instructor sees the draft at {url}"
    # the same listings do show it to its author (the check above is not vacuous)
    client.force_login(author)
    assert TITLE.encode() in client.get(reverse("wagtailadmin_choose_page_search") + "?q=Neck").content
    assert TITLE.encode() in client.get(reverse("wagtailadmin_pages:search") + "?q=Neck").content
    client.force_login(provider_admin)
    assert TITLE.encode() in client.get(reverse("wagtailadmin_reports:workflow")).content
    assert Page.objects.filter(pk=draft.pk).exists()
