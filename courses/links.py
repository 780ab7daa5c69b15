"""Absolute links (certificate PDFs and their QR codes, e-mails, transcripts, the admin's certificate page).

One rule: a link made while answering a request uses the host that request came to (Django has checked it
against ALLOWED_HOSTS); a link made without one (the Celery worker renders certificates and sends their
e-mail, management commands) uses the default Wagtail Site's root URL. That Site's hostname and port are
written from settings.WAGTAILADMIN_BASE_URL by `site_address_apply`, which setup_demo runs (so `make run`
and compose's migrate step keep it in line with the settings; in dev the setting follows $PORT).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from wagtail.models import Site


def site_url(request=None) -> str:
    """The site's address, without a trailing slash: "https://ce.example.com", "http://127.0.0.1:8803"."""
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    site = Site.objects.filter(is_default_site=True).only("hostname", "port").first()
    if site is None:  # no site tree yet (a bare database): the setting is all there is
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return site.root_url


def absolute_url(path: str, request=None) -> str:
    return site_url(request) + path


def verification_url(code: str, request=None) -> str:
    return absolute_url(reverse("courses:certificate_verify", args=[code]), request)


class SiteAddressError(ValueError):
    pass


def site_address_parse(url: str) -> tuple[str, int]:
    """(hostname, port) of an address such as "http://127.0.0.1:8803" or "https://ce.example.com".

    Wagtail's Site says https only for port 443: https on another port cannot be expressed, and is refused
    rather than silently printed as http."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteAddressError(f"Not a site address: {url!r} (expected http://host[:port] or https://host).")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "https" and port != 443:
        raise SiteAddressError(f"{url!r}: a Wagtail Site serves https only on port 443.")
    if parts.scheme == "http" and port == 443:
        raise SiteAddressError(f"{url!r}: port 443 means https to a Wagtail Site.")
    return parts.hostname, port


def site_address_apply(url: str | None = None) -> Site | None:
    """Point the default Site at `url` (default: settings.WAGTAILADMIN_BASE_URL); idempotent.

    Returns the Site, or None when there is no default Site yet; SiteAddressError when the address cannot
    be a Site's (the Site is then left as it is)."""
    hostname, port = site_address_parse(url or settings.WAGTAILADMIN_BASE_URL)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    if (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
    return site
