"""Courses in the Wagtail admin: providers (certificate details) and certificates (staff actions)."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views import can_manage_certificates, certificate_action, certificate_detail_view, certificate_index_view
from .models import Provider


class ProviderViewSet(SnippetViewSet):
    model = Provider
    icon = "group"
    menu_label = "CE providers"
    menu_name = "providers"
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name", "ncbtmb_provider_number", "email", "signatory_name"]
    search_fields = ["name", "ncbtmb_provider_number", "email"]
    search_backend_name = None


register_snippet(ProviderViewSet)


class CertificatesMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_certificates(request.user)


@hooks.register("register_admin_menu_item")
def certificates_menu_item():
    return CertificatesMenuItem("Certificates", reverse("courses_certificates"), name="certificates",
                                icon_name="doc-full", order=270)


@hooks.register("register_admin_urls")
def certificate_admin_urls():
    return [
        path("certificates/", certificate_index_view, name="courses_certificates"),
        path("certificates/<int:pk>/", certificate_detail_view, name="courses_certificate"),
        path("certificates/<int:pk>/<str:action>/", certificate_action, name="courses_certificate_action"),
    ]
