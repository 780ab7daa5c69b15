"""Writes that shape the site itself."""

from wagtail.models import Page, Site

from .models import HomePage


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
