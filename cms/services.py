"""Writes that shape the site itself."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Page, Site

from .models import HomePage, User


def site_tree_ensure() -> tuple[HomePage, "CourseIndexPage"]:  # noqa: F821
    """Make sure the site root is a HomePage with a course catalogue under it; idempotent."""
    from courses.models import CourseIndexPage

    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        for default in root.get_children().exact_type(Page):
            default.delete()
        home = root.add_child(instance=HomePage(title="Home", slug="home"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Bodywork CE")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    catalogue = CourseIndexPage.objects.first()
    if catalogue is None:
        catalogue = home.add_child(instance=CourseIndexPage(title="Courses", slug="courses"))
    return home, catalogue


LEARNERS_GROUP = "Learners"
INSTRUCTORS_GROUP = "Instructors"
INSTRUCTOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def learner_create(*, username, email, password, legal_name, license_number, license_state):
    """Create a learner account (group "Learners"); the password is hashed, never stored as given."""
    with transaction.atomic():
        user = User(
            username=username, email=email, legal_name=legal_name,
            license_number=license_number, license_state=license_state,
        )
        user.set_password(password)
        user.save()
        learners, _ = Group.objects.get_or_create(name=LEARNERS_GROUP)
        user.groups.add(learners)
    return user


def instructor_page_permissions_grant(catalogue) -> int:
    """Let Instructors add, edit and publish every page under the course catalogue; idempotent.

    Returns how many permissions were newly granted.
    """
    instructors, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
    granted = 0
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", content_type__model="page",
        codename__in=INSTRUCTOR_PAGE_PERMISSIONS,
    ):
        _, created = GroupPagePermission.objects.get_or_create(
            group=instructors, page=catalogue, permission=permission
        )
        granted += created
    return granted
