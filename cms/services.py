"""Writes that shape the site itself."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Page, Site

from courses.links import SiteAddressError, site_address_parse
from courses.models import CourseIndexPage

from .models import HomePage, User


def site_tree_ensure() -> tuple[HomePage, "CourseIndexPage"]:
    """Make sure the site root is a HomePage with a course catalogue under it; idempotent."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        for default in root.get_children().exact_type(Page):
            default.delete()
        home = root.add_child(instance=HomePage(title="Home", slug="home"))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        try:
            hostname, port = site_address_parse(settings.WAGTAILADMIN_BASE_URL)
        except SiteAddressError:
            hostname, port = "localhost", 80
        Site.objects.create(
            hostname=hostname, port=port, root_page=home, is_default_site=True, site_name="Bodywork CE"
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    catalogue = CourseIndexPage.objects.first()
    if catalogue is None:
        catalogue = home.add_child(instance=CourseIndexPage(title="Courses", slug="courses"))
    return home, catalogue


LEARNERS_GROUP = "Learners"
INSTRUCTORS_GROUP = "Instructors"
# Instructors edit pages only of the courses they are assigned to: courses.services.course_instructor_assign
# (the course's own group holds the page permissions); the Instructors group has none on the catalogue.


def learner_create(*, username, email, password, legal_name, license_number, license_state):
    """Create a learner account (group "Learners"); the password is hashed, never stored as given."""
    with transaction.atomic():
        user = User(
            username=username,
            email=email,
            legal_name=legal_name,
            license_number=license_number,
            license_state=license_state,
        )
        user.set_password(password)
        user.save()
        learners, _ = Group.objects.get_or_create(name=LEARNERS_GROUP)
        user.groups.add(learners)
    return user
