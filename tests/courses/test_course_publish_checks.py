"""Issue 14: a course never goes live with 0 approved CE hours or a provider without an NCBTMB
approved-provider number, by any route: the editor's Publish and Approve, Approve (or Approve with
comment) on the dashboard's "Awaiting your review", bulk publishing. Each refusal names what is missing
and loses nothing (the task stays in progress, the draft keeps what was typed)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission, TaskState, Workflow, WorkflowState

from cms.roles import COURSE_APPROVAL_TASK, COURSE_WORKFLOW, course_approval_task_convert
from courses.approval_task import CourseApprovalTask
from courses.course_drafts import course_draft_create
from courses.models import CoursePage
from tests.courses.ce_records import approval_add
from tests.courses.test_course_creation import _post_edit, _with_objective
from tests.factories import InstructorFactory, ProviderAdminFactory, UserFactory

TITLE = "Massage for Neck Pain"


@pytest.fixture
def author(catalogue, provider):
    return InstructorFactory(username="author")


@pytest.fixture
def provider_admin(catalogue):
    return ProviderAdminFactory()


@pytest.fixture
def submitted(client, author):
    """A draft course made from the template (0 CE hours), submitted to Course moderation."""
    course = course_draft_create(user=author, title=TITLE)
    client.force_login(author)
    response = _post_edit(client, course, "action-submit", **_with_objective())
    assert response.status_code == 302
    client.logout()
    return course


def _task_state(course):
    return WorkflowState.objects.get(object_id=str(course.pk)).current_task_state


def _dashboard_action(client, course, action="approve", xhr=False, **data):
    url = reverse("wagtailadmin_pages:workflow_action", args=[course.pk, action, _task_state(course).pk])
    headers = {"x-requested-with": "XMLHttpRequest"} if xhr else {}
    return client.post(url, data, headers=headers)


def _messages(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_the_course_moderation_task_is_a_course_approval_task(catalogue):
    task = Workflow.objects.get(name=COURSE_WORKFLOW).workflow_tasks.get().task.specific
    assert isinstance(task, CourseApprovalTask) and task.name == COURSE_APPROVAL_TASK
    assert task.groups.filter(name="Provider admins").exists()


def test_dashboard_approve_of_a_course_at_zero_hours_is_refused_and_says_why(
    client, submitted, provider_admin
):
    client.force_login(provider_admin)
    assert TITLE in client.get(reverse("wagtailadmin_home")).content.decode()

    response = _dashboard_action(client, submitted)

    refused_url = reverse("course_publish_refused", args=[submitted.pk])
    assert response.status_code == 302 and response["Location"] == refused_url
    submitted.refresh_from_db()
    assert not submitted.live and submitted.first_published_at is None
    state = _task_state(submitted)
    assert state.status == TaskState.STATUS_IN_PROGRESS  # still awaiting review: nothing lost
    landing = client.get(refused_url, follow=True)
    assert landing.redirect_chain[-1][0] == reverse("wagtailadmin_pages:edit", args=[submitted.pk])
    (message,) = [m for m in _messages(landing) if "cannot be published" in m]
    assert "approved CE hours (above 0)" in message and TITLE in message


def test_dashboard_approve_with_comment_is_refused_too(client, submitted, provider_admin):
    client.force_login(provider_admin)
    response = _dashboard_action(client, submitted, xhr=True, comment="Looks fine")
    assert response.status_code == 200
    assert reverse("course_publish_refused", args=[submitted.pk]) in response.content.decode()
    submitted.refresh_from_db()
    assert not submitted.live and _task_state(submitted).status == TaskState.STATUS_IN_PROGRESS


def test_once_the_hours_and_the_ncbtmb_approval_are_set_the_dashboard_approve_publishes(
    client, submitted, provider_admin
):
    client.force_login(provider_admin)
    saved = _post_edit(client, submitted, None, **_with_objective(ce_hours="1.50"))  # save the draft
    assert saved.status_code == 302
    refused = _dashboard_action(client, submitted)  # no NCBTMB approval: its seal would print on nothing
    (message,) = [m for m in _messages(client.get(refused["Location"], follow=True)) if "cannot" in m]
    assert "It needs an NCBTMB approval of the course in force on" in message
    submitted.refresh_from_db()
    assert not submitted.live

    approval_add(submitted, "NCBTMB", hours=Decimal("1.50"))
    response = _dashboard_action(client, submitted)
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.live and submitted.ce_hours == Decimal("1.50")
    assert WorkflowState.objects.get(object_id=str(submitted.pk)).status == WorkflowState.STATUS_APPROVED


def test_a_provider_without_its_ncbtmb_number_stops_every_route(client, submitted, provider_admin, provider):
    provider.ncbtmb_provider_number = " "
    provider.save()
    client.force_login(provider_admin)

    in_editor = _post_edit(
        client,
        submitted,
        "action-workflow-action",
        **_with_objective(ce_hours="2.00", **{"workflow-action-name": "approve"}),
    )
    assert in_editor.status_code == 200
    assert "has no NCBTMB approved-provider number" in str(in_editor.context["form"].errors["provider"])
    published = _post_edit(client, submitted, "action-publish", **_with_objective(ce_hours="2.00"))
    assert published.status_code == 200 and published.context["form"].errors["provider"]

    _post_edit(client, submitted, None, **_with_objective(ce_hours="2.00"))  # the hours are fine now
    landing = _dashboard_action(client, submitted)
    (message,) = [m for m in _messages(client.get(landing["Location"], follow=True)) if "cannot" in m]
    assert "NCBTMB approved-provider number" in message and "CE hours" not in message
    submitted.refresh_from_db()
    assert not submitted.live


def test_bulk_publish_refuses_an_unready_course_and_publishes_nothing(client, submitted, catalogue):
    admin = UserFactory(is_superuser=True, is_staff=True, groups=[])
    client.force_login(admin)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    query = f"?id={submitted.pk}&id={catalogue.pk}&next=/admin/pages/{catalogue.pk}/"

    response = client.post(url + query, {"include_descendants": "on"}, follow=True)

    messages = [m for m in _messages(response) if "cannot be published" in m]
    assert len(messages) == 1 and "approved CE hours (above 0)" in messages[0]
    submitted.refresh_from_db()
    assert not submitted.live


def test_an_editor_who_may_publish_but_not_approve_hours_is_refused_with_the_draft_saved(
    client, author, catalogue
):
    """Someone given publish rights on the catalogue but not the approval fields (no change_provider):
    the form has no CE hours to mark, so the before_publish_page hook refuses, after the draft is saved."""
    submitted = course_draft_create(user=author, title=TITLE)  # (not in moderation, so not locked to them)
    group = Group.objects.create(name="Publishers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=catalogue, permission=Permission.objects.get(codename=codename)
        )
    client.force_login(UserFactory(groups=[group]))

    response = _post_edit(client, submitted, "action-publish", **_with_objective(summary="A new summary"))

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[submitted.pk])
    submitted.refresh_from_db()
    assert not submitted.live
    assert submitted.get_latest_revision_as_object().summary == "A new summary"  # nothing typed is lost
    message = [m for m in _messages(client.get(response["Location"])) if "cannot be published" in m]
    assert message and "approved CE hours" in message[0]


def test_the_conversion_keeps_the_task_row_and_its_states(submitted):
    task_id = _task_state(submitted).task_id
    from django.apps import apps

    course_approval_task_convert(apps, to_model=apps.get_model("wagtailcore", "GroupApprovalTask"))
    from wagtail.models import GroupApprovalTask, Task

    assert type(Task.objects.get(pk=task_id).specific) is GroupApprovalTask
    course_approval_task_convert(apps)
    task = Task.objects.get(pk=task_id).specific
    assert type(task) is CourseApprovalTask and task.groups.filter(name="Provider admins").exists()
    assert _task_state(submitted).task_id == task_id
    assert CoursePage.objects.filter(pk=submitted.pk).exists()
