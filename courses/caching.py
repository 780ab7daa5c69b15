"""The page cache: what every visitor sees alike is rendered once and reused; nothing personal is kept.

Two things are cached, both in the "pages" cache (Redis in production, local memory in dev and tests,
Django's dummy cache when PAGE_CACHE_ENABLED=false):

- Lesson bodies, with Wagtail's own `{% wagtailpagecache %}` tag, keyed by `page.cache_key`. Course and
  module pages add the site's content version to that key (get_cache_key_components), so a fragment
  changes when its page is published and when anything it may show changes. Everything around the body
  (progress, quiz panel, enrollment, locks, forms) is worked out for each request.
- Whole pages that Wagtail served to a visitor who sent no cookie at all (so no session, no log-in, no
  password passed, no message), without a query string, when the response is a plain 200 that sets no
  cookie and does not say private, no-cache or no-store. Wagtail marks every response of a page with a
  view restriction `never_cache` and previews `private`, so neither is ever stored; a visitor who sends
  a cookie never gets a stored page.

The content version changes when a page is published, unpublished or moved (Wagtail's signals), when a
view restriction or anything in the knowledge base (every model of the `content` app) is saved or
deleted; keys name it, so every entry goes stale at once. Drafts and autosaves change nothing. Entries
also expire after an hour, a bound for changes that send no signal (a queryset update, say).
"""

import hashlib
import uuid

from django.apps import apps
from django.core.cache import caches
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

VERSION_KEY = "content-version"
HIT_HEADER = "X-Page-Cache"  # "hit" or "miss" on whole pages (tests and the bench read it)


def page_cache():
    return caches["pages"]


def content_version() -> str:
    version = page_cache().get(VERSION_KEY)
    if version is None:  # new, flushed or evicted: start one (or take the one another process made)
        page_cache().add(VERSION_KEY, uuid.uuid4().hex, None)
        version = page_cache().get(VERSION_KEY, "uncached")
    return version


def content_changed(**kwargs) -> None:
    page_cache().set(VERSION_KEY, uuid.uuid4().hex, None)


def connect() -> None:
    """Called from CoursesConfig.ready."""
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(content_changed, dispatch_uid=f"page-cache-{id(signal)}")
    watched = [PageViewRestriction, *apps.get_app_config("content").get_models()]
    for model in watched:
        for signal in (post_save, post_delete):
            signal.connect(content_changed, sender=model, dispatch_uid=f"page-cache-{model._meta.label}")


def _shared_request(request) -> bool:
    """A request every cookieless visitor makes alike (and not a Wagtail preview's dummy request)."""
    return (
        request.method == "GET"
        and not request.COOKIES
        and not request.META.get("QUERY_STRING")
        and not getattr(request, "is_dummy", False)
    )


def _shared_response(request, response) -> bool:
    """A public Wagtail page as any visitor gets it: no cookie set, nothing private about it."""
    cache_control = response.get("Cache-Control", "").lower()
    return (
        getattr(request.resolver_match, "url_name", None) == "wagtail_serve"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
    )


class AnonymousPageCacheMiddleware:
    """Whole Wagtail pages for visitors without cookies, stored only after Wagtail served them.

    Sits outside the session, CSRF and CSP middleware, so it sees the response as it leaves (with any
    cookie they set) and a stored page carries the headers they added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _shared_request(request):
            return self.get_response(request)
        where = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = f"page:{content_version()}:{where}"
        stored = page_cache().get(key)
        if stored is not None:
            response = HttpResponse(stored[0], headers=stored[1])
            response[HIT_HEADER] = "hit"
            return response
        response = self.get_response(request)
        if _shared_response(request, response):
            patch_vary_headers(response, ["Cookie"])  # a visitor with cookies gets their own page
            page_cache().set(key, (response.content, dict(response.headers)))
            response[HIT_HEADER] = "miss"
        return response
