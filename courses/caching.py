"""Page caching for the learner site: what every viewer sees alike is worked out once and reused.

Everything lives in Django's default cache (Redis in production, shared by the gunicorn workers;
local memory in dev and tests):

- Fragments (`{% pagecache "name" page %}...{% endpagecache %}`, courses/templatetags/page_cache.py):
  the parts of a page that are the same for every viewer, such as a module's lesson body (StreamField
  blocks, muscle cards, red flags, figures, glossary links). Keyed by page id, live revision (a
  publish changes it) and the content version. Per-learner parts (progress, quiz panel, enrollment,
  locks, CSRF tokens) stay outside and are worked out on every request.
- Whole pages for anonymous visitors: home, catalogue, course and module pages that Wagtail served
  to an anonymous GET without a query string, a pending message, a CSRF token or a cookie (so never
  a restricted page, a form or a personal page). Logged-in visitors never get an anonymous page.
- Routes and sites: the page a path leads to (the live page instance itself, with the view
  restrictions that apply to it) and the Site of a host, so Wagtail's tree walk (two queries per URL
  segment), the page query, the restriction queries and the site look-up run once per path. Wagtail
  still checks the (cached) restrictions against each request and serves the page per request.
- Site-wide fragments (`{% sitecache "name" vary_on... %}`): the footer and the start of the
  navigation, per log-in state and navigation section; the user's name, the Admin link and the
  log-out form (with its CSRF token) stay outside.
- Per-learner context (`learner_cached`): what a logged-in learner's course page, module page and
  dashboard show about them (enrollment, progress, quiz attempts, certificate, evaluation, staff flag),
  keyed by the learner's id and their own learner version as well as the content version. Saving or
  deleting their enrollment, module progress, quiz attempt, certificate or evaluation, or their user
  row, groups or permissions, bumps their learner version (at once and again on commit, so a request
  that read the old rows before the commit cannot leave them cached under the new version). A
  learner's key names their own id, so nobody reads another learner's entry. The learner's
  permissions ride along, so the navigation and Wagtail's user bar ask no permission queries.
- Whole pages for a logged-in learner (`learner_page`): their course pages, module pages and
  dashboard, under the same learner and content versions, with the CSRF token swapped in per request;
  never for staff, a query string, a pending message, or a response that sets a cookie.

Every key names the content version, a token that changes whenever anything a page may show changes:
a page published, unpublished, saved, moved, renamed or deleted; a muscle, red flag, body zone, image,
provider, site, view restriction, quiz or group saved or deleted. So one publish invalidates everything at once
(publishing is rare; reading is not). Entries also expire after PAGE_CACHE_TIMEOUT seconds (default
an hour), a bound for changes made without model signals (queryset updates). Previews are never read
from or written to the cache. PAGE_CACHE_ENABLED=false turns all of it off.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

VERSION_KEY = "pagecache:content-version"
HIT_HEADER = "X-Page-Cache"  # "hit" or "miss" on anonymous whole pages (tests and the bench read it)
ANONYMOUS_PAGE_MODELS = (
    "cms.HomePage",
    "courses.CourseIndexPage",
    "courses.CoursePage",
    "courses.ModulePage",
)


def timeout() -> int:
    return int(getattr(settings, "PAGE_CACHE_TIMEOUT", 3600))


def enabled() -> bool:
    return bool(getattr(settings, "PAGE_CACHE_ENABLED", True))


def cacheable_request(request) -> bool:
    return enabled() and request is not None and not getattr(request, "is_preview", False)


# ---------------------------------------------------------------- the cache backend


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, but one redis-py client per connection pool instead of one per operation.

    Django builds a new `redis.Redis` for every get or set; its constructor fills a table of a few
    hundred response callbacks, which cost more CPU than the round trip itself (a logged-in page makes
    several cache reads). redis-py clients are thread-safe and Django's caches are per thread anyway.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingRedisCacheClient


class _ReusingRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_reused_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


# ---------------------------------------------------------------- the content version


def content_version(request=None) -> str:
    """The current content token: one cache read, once per request when `request` is given."""
    version = getattr(request, "_pagecache_version", None)
    if version is None:
        version = cache.get(VERSION_KEY)
        if version is None:  # the cache lost it (flushed, evicted): start a new one
            version = uuid.uuid4().hex[:12]
            if not cache.add(VERSION_KEY, version, None):  # another process made one first: use theirs
                version = cache.get(VERSION_KEY) or version
        if request is not None:
            request._pagecache_version = version
    return version


def content_changed(**kwargs) -> None:
    """Every cached fragment, page and route goes stale at once (their keys name the old token)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex[:12], None)


# ---------------------------------------------------------------- the learner version


def _learner_version_key(user_id) -> str:
    return f"learnercache:version:{user_id}"


def _learner_entry(key: str, user_pk: int):
    """(the learner's current version, the cached entry or None) in one round trip.

    Entries name the learner version they were computed under; a missing version is created here."""
    version_key = _learner_version_key(user_pk)
    found = cache.get_many([key, version_key])
    learner, entry = found.get(version_key), found.get(key)
    if learner is None:
        learner = uuid.uuid4().hex[:12]
        if not cache.add(version_key, learner, None):
            learner = cache.get(version_key) or learner
    return learner, entry


def learner_changed(user_id) -> None:
    """Everything cached about this learner goes stale: now, and again when the transaction commits."""
    if not user_id:
        return
    from django.db import transaction

    def bump():
        cache.set(_learner_version_key(user_id), uuid.uuid4().hex[:12], None)

    bump.learner_cache_bump = True  # tests that count on-commit callbacks leave these out
    bump()
    transaction.on_commit(bump)


def learner_cached(user, kind: str, parts, compute, request=None):
    """`compute()` for this logged-in learner, cached under their learner version and the content version.

    Anonymous visitors, previews and PAGE_CACHE_ENABLED=false compute every time. `parts` name what the
    result depends on besides the learner (a page id, say).
    """
    if not (user is not None and user.is_authenticated and enabled()) or getattr(
        request, "is_preview", False
    ):
        return compute()
    content = content_version(request)  # read once per request when `request` is given
    extra = hashlib.md5("|".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()[:16]
    # The entry names the learner version it was computed under: one round trip reads both.
    key = f"learnercache:{kind}:{user.pk}:{content}:{extra}"
    learner, entry = _learner_entry(key, user.pk)
    if entry is not None and entry[0] == learner:
        _permissions_prime(user, entry[2])
        return entry[1]
    value = compute()
    cache.set(key, (learner, value, _permissions_of(user)), timeout())
    return value


# ModelBackend keeps a user's permissions on the user object for the request (these attributes); they
# depend only on the user's own rows and groups, so they go with the learner's cached entries and the
# navigation's "Admin" link and Wagtail's user bar then ask no queries.
_PERM_ATTRS = ("_user_perm_cache", "_group_perm_cache", "_perm_cache")


def _permissions_of(user):
    if not user.is_active or user.is_superuser:
        return None  # ModelBackend answers without queries
    user.get_all_permissions()  # fills the attributes
    if not all(hasattr(user, attr) for attr in _PERM_ATTRS):
        return None
    return tuple(set(getattr(user, attr)) for attr in _PERM_ATTRS)


def _permissions_prime(user, perms) -> None:
    if perms is None or any(hasattr(user, attr) for attr in _PERM_ATTRS):
        return
    for attr, value in zip(_PERM_ATTRS, perms):
        setattr(user, attr, set(value))


# ---------------------------------------------------------------- keys


def page_key(kind: str, page, *parts, request=None) -> str:
    """A cache key for `page` at its live revision and the current content version."""
    extra = hashlib.md5("|".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()[:16]
    return f"pagecache:{kind}:{page.pk}:{page.live_revision_id or 0}:{content_version(request)}:{extra}"


def site_fragment_key(name: str, *parts, request=None) -> str:
    """A fragment shown on every page alike ({% sitecache %}): per host, content version and `parts`."""
    extra = hashlib.md5("|".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()[:16]
    host = request.get_host() if request is not None else ""
    return f"pagecache:site-fragment:{name}:{content_version(request)}:{host}:{extra}"


def _path_key(kind: str, request) -> str:
    where = hashlib.md5(
        f"{request.scheme}://{request.get_host()}{request.path}".encode(), usedforsecurity=False
    ).hexdigest()
    return f"pagecache:{kind}:{content_version(request)}:{where}"


def _site_key(request) -> str:
    return f"pagecache:site:{content_version(request)}:{request.get_host()}"


# ---------------------------------------------------------------- serving


def _anonymous_request(request) -> bool:
    return (
        request.method == "GET"
        and not request.GET
        and not request.user.is_authenticated
        and not len(get_messages(request))  # a message is shown once, to its reader only
    )


class PageCacheMiddleware:
    """Before Wagtail's serve view: an anonymous page from the cache, else the cached route and site.

    The route (page id and model) goes to Wagtail through `request._wagtail_route_for_request` and the
    site through `request._wagtail_site`, the per-request caches Page.route_for_request and
    Site.find_for_request document; Wagtail then checks view restrictions and serves as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from wagtail.views import serve

        if view_func is not serve or request.method not in ("GET", "HEAD") or not cacheable_request(request):
            return None
        anonymous = _anonymous_request(request)
        keys = [_path_key("route", request), _site_key(request)]
        if anonymous:
            keys.append(_path_key("anon", request))
        found = cache.get_many(keys)
        if anonymous and keys[2] in found:
            content, content_type = found[keys[2]]
            response = HttpResponse(content, content_type=content_type)
            response[HIT_HEADER] = "hit"
            patch_vary_headers(response, ["Cookie"])  # logged-in visitors get another page
            return response
        if keys[1] in found:
            request._wagtail_site = found[keys[1]]
        if keys[0] in found:
            page = _routed_page(found[keys[0]])
            if page is not None:
                from wagtail.url_routing import RouteResult

                request._wagtail_route_for_request = RouteResult(page, (), {})
                request._pagecache_routed = True
        return None


def site_prime(request) -> None:
    """For a view outside Wagtail's serve whose template links to pages ({% pageurl %}, {% slugurl %}):
    the request's Site from the cache, so Wagtail does not look it up again (one query)."""
    if not cacheable_request(request) or hasattr(request, "_wagtail_site"):
        return
    key = _site_key(request)
    site = cache.get(key)
    if site is None:
        from wagtail.models import Site

        site = Site.find_for_request(request)
        if site is not None:
            cache.set(key, site, timeout())
    request._wagtail_site = site


def _routed_page(entry):
    """The page of a cached route: (content type id, page id, page, view restrictions).

    The page instance and the view restrictions that apply to it (its own and its ancestors') are
    kept with the route, so neither is queried again; both only change with content (pages and
    view restrictions bump the content version the route's key names). The restrictions go back to
    Wagtail's check through the instance's get_view_restrictions.
    """
    if len(entry) != 4:  # written by an older release: (content type id, page id)
        return _live_page(*entry[:2])
    content_type_id, page_id, page, restrictions = entry
    if page is None:
        return _live_page(content_type_id, page_id)
    page.get_view_restrictions = lambda: restrictions
    return page


def _live_page(content_type_id: int, page_id: int):
    from django.contrib.contenttypes.models import ContentType

    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return model._default_manager.filter(pk=page_id, live=True).first() if model else None


def serve_page_cached(serve):
    """An `on_serve_page` hook, inside Wagtail's view-restriction check (so only for a request allowed
    to see the page): remembers its route and site, and keeps whole anonymous pages."""

    def inner(page, request, serve_args, serve_kwargs):
        plain = not serve_args and not serve_kwargs and cacheable_request(request)
        if plain and request.method in ("GET", "HEAD") and not getattr(request, "_pagecache_routed", False):
            kept = page if page.live else None  # a page is kept with its route only when live
            restrictions = list(page.get_view_restrictions()) if kept is not None else None
            entries = {_path_key("route", request): (page.content_type_id, page.pk, kept, restrictions)}
            if getattr(request, "_wagtail_site", None) is not None:
                entries[_site_key(request)] = request._wagtail_site
            cache.set_many(entries, timeout())
        if plain and page._meta.label in LEARNER_PAGE_MODELS and page.live and request.user.is_authenticated:
            return learner_page(request, lambda: serve(page, request, serve_args, serve_kwargs))
        response = serve(page, request, serve_args, serve_kwargs)
        if not (
            plain and page._meta.label in ANONYMOUS_PAGE_MODELS and page.live and _anonymous_request(request)
        ):
            return response
        # CSRF_COOKIE_NEEDS_UPDATE: the page holds a CSRF token, which is never shared.
        if _storable(response, request) and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            cache.set(_path_key("anon", request), (response.content, response["Content-Type"]), timeout())
            response[HIT_HEADER] = "miss"
            patch_vary_headers(response, ["Cookie"])
        return response

    return inner


def _storable(response, request) -> bool:
    """Render a lazy response; whether it may be kept as it is: a plain 200 that sets no cookie and
    leaves the session unchanged (what depends on the visitor is checked by the caller)."""
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not (hasattr(request, "session") and request.session.modified)
    )


# ---------------------------------------------------------------- whole pages for a logged-in learner

LEARNER_PAGE_MODELS = ("courses.CoursePage", "courses.ModulePage")
LEARNER_HIT_HEADER = "X-Learner-Page-Cache"  # "hit" or "miss" (tests and the bench read it)
CSRF_PLACEHOLDER = "__bodywork-csrf-token__"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _learner_page_request(request) -> bool:
    return (
        cacheable_request(request)
        and request.method == "GET"
        and not request.GET
        and request.user.is_authenticated
        and not len(get_messages(request))  # a message is shown once: such a page is never cached
    )


def learner_page(request, respond):
    """A logged-in learner's own page (course page, module page, dashboard) from the cache, else
    `respond()` kept for next time.

    Keyed by the learner's id, the content version, host and path; the entry names the learner
    version it was rendered under, so any change to their records (or their user row, groups and
    permissions) makes it stale. The version is read before rendering: a change made while the page
    renders (a first visit starting the module clock, say) leaves an entry that is never used.
    The CSRF token in the page's forms is kept as a placeholder and replaced on every hit with a
    token for the visitor's own CSRF cookie. Never for staff (Wagtail's user bar), a query string,
    a pending message, a response that sets cookies or changes the session.
    """
    if not _learner_page_request(request):
        return respond()
    user = request.user
    where = hashlib.md5(
        f"{request.scheme}://{request.get_host()}{request.path}".encode(), usedforsecurity=False
    ).hexdigest()
    key = f"learnercache:page:{user.pk}:{content_version(request)}:{where}"
    learner, entry = _learner_entry(key, user.pk)
    if entry is not None and entry[0] == learner:
        from django.middleware.csrf import get_token

        html, content_type = entry[1], entry[2]
        if CSRF_PLACEHOLDER in html:
            html = html.replace(CSRF_PLACEHOLDER, get_token(request))
        response = HttpResponse(html, content_type=content_type)
        response[LEARNER_HIT_HEADER] = "hit"
        patch_vary_headers(response, ["Cookie"])
        return response
    response = respond()
    if (
        _storable(response, request)
        and not len(get_messages(request))
        and not user.has_perm("wagtailadmin.access_admin")
    ):
        html = response.content.decode(response.charset)
        tokens = set(_CSRF_INPUT.findall(html))
        for token in tokens:
            html = html.replace(token, CSRF_PLACEHOLDER)
        cache.set(key, (learner, html, response["Content-Type"]), timeout())
        response[LEARNER_HIT_HEADER] = "miss"
        patch_vary_headers(response, ["Cookie"])
    return response


# ---------------------------------------------------------------- wiring (CoursesConfig.ready)


def connect() -> None:
    from django.apps import apps
    from wagtail import hooks
    from wagtail.images import get_image_model_string
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(content_changed, dispatch_uid=f"pagecache-{id(signal)}")
    watched = tuple(
        apps.get_model(label)
        for label in (
            "wagtailcore.Page",
            "wagtailcore.PageViewRestriction",
            "wagtailcore.Site",
            "content.Muscle",
            "content.RedFlag",
            "content.BodyZone",
            "courses.Provider",
            get_image_model_string(),
            "quizzes.Quiz",
            "auth.Group",
        )
    )
    learner_rows = {
        apps.get_model(label): owner
        for label, owner in (
            ("courses.Enrollment", lambda e: e.user_id),
            ("courses.ModuleProgress", lambda p: p.enrollment.user_id),
            ("courses.Certificate", lambda c: c.enrollment.user_id),
            ("courses.CourseEvaluation", lambda e: e.enrollment.user_id),
            ("quizzes.Attempt", lambda a: a.user_id),
            (settings.AUTH_USER_MODEL, lambda u: u.pk),
        )
    }

    def model_changed(sender, instance, **kwargs):
        if isinstance(instance, watched):
            content_changed()
        owner = learner_rows.get(type(instance))
        if owner is not None:
            learner_changed(owner(instance))

    def relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
        """A user's groups or permissions, or a group's permissions: the staff flag may change."""
        if not action.startswith("post_"):
            return
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        if isinstance(instance, user_model):
            learner_changed(instance.pk)
        else:  # a group's members or permissions changed: everyone's staff flag may have
            content_changed()

    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        apps.get_model("auth.Group").permissions.through,
    ):
        m2m_changed.connect(
            relations_changed,
            sender=through,
            dispatch_uid=f"learnercache-m2m-{through._meta.label}",
            weak=False,
        )
    post_save.connect(model_changed, dispatch_uid="pagecache-post-save", weak=False)
    post_delete.connect(model_changed, dispatch_uid="pagecache-post-delete", weak=False)
    hooks.register("on_serve_page", serve_page_cached, order=100)  # after check_view_restrictions
