"""Writes that shape the site itself."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Page, Site

from courses.links import SiteAddressError, site_address_parse
from courses.models import CourseIndexPage

from .models import HomePage, LearnerStatus, User
from .roles import provider_admins_grant


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
        provider_admins_grant()  # their page permissions live on the catalogue
    return home, catalogue


LEARNERS_GROUP = "Learners"
INSTRUCTORS_GROUP = "Instructors"
# Instructors edit pages only of the courses they are assigned to: courses.services.course_instructor_assign
# (the course's own group holds the page permissions); the Instructors group has none on the catalogue.


def learner_create(
    *,
    username,
    email,
    password,
    legal_name,
    license_number="",
    license_state="",
    learner_status=LearnerStatus.LICENSED,
    email_verified=False,
):
    """Create a learner account (group "Learners"); the password is hashed, never stored as given.
    Sign-up goes through allauth (cms.accounts); this is for accounts made by the site (the demo)."""
    with transaction.atomic():
        user = User(
            username=username,
            email=email,
            legal_name=legal_name,
            learner_status=learner_status,
            license_number=license_number,
            license_state=license_state,
        )
        user.set_password(password)
        user.save()
        learners, _ = Group.objects.get_or_create(name=LEARNERS_GROUP)
        user.groups.add(learners)
        if email_verified:
            email_mark_verified(user)
    return user


def email_mark_verified(user) -> EmailAddress | None:
    """Record the account's address as verified (allauth's EmailAddress): demo users, simulated learners,
    test factories, and accounts that existed before verification (cms/migrations). Idempotent."""
    if not user.email:
        return None
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.filter(user=user, primary=True).update(primary=False)
        return EmailAddress.objects.create(user=user, email=user.email.lower(), primary=True, verified=True)
    if not (address.verified and address.primary):
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(primary=False)
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    return address
