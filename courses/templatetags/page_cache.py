"""{% pagecache "name" page [vary_on ...] %}...{% endpagecache %}: a fragment that is the same for every
viewer of `page`, rendered once per live revision and content version (courses/caching.py).

Put only viewer-independent markup inside: nothing about the learner, their progress or a CSRF token.
Previews and requests without a page render the fragment every time.

{% sitecache "name" [vary_on ...] %}...{% endsitecache %}: the same for a fragment on every page (the
navigation, the footer), rendered once per content version and value of `vary_on` (say
user.is_authenticated). Nothing personal inside beyond what `vary_on` names.
"""

import hashlib

from django import template
from django.core.cache import cache

from courses import caching

register = template.Library()


def _source_token(parser) -> str:
    """A digest of the template file the tag is in: a deploy that edits the template changes the keys
    (the cache may outlive a release)."""
    origin = getattr(parser, "origin", None)
    try:
        source = origin.loader.get_contents(origin) if origin is not None and origin.loader else ""
    except Exception:
        source = ""
    return hashlib.md5(source.encode(), usedforsecurity=False).hexdigest()[:8]


def _rendered(key, nodelist, context) -> str:
    html = cache.get(key)
    if html is None:
        html = nodelist.render(context)
        cache.set(key, html, caching.timeout())
    return html


class PageCacheNode(template.Node):
    def __init__(self, nodelist, name, page, vary_on, source=""):
        self.nodelist, self.name, self.page, self.vary_on, self.source = nodelist, name, page, vary_on, source

    def render(self, context):
        page = self.page.resolve(context, ignore_failures=True)
        request = context.get("request")
        if page is None or not getattr(page, "pk", None) or not caching.cacheable_request(request):
            return self.nodelist.render(context)
        key = caching.page_key(
            f"fragment:{self.name.resolve(context)}",
            page,
            self.source,
            *(v.resolve(context) for v in self.vary_on),
            request=request,
        )
        return _rendered(key, self.nodelist, context)


@register.tag
def pagecache(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a fragment name and a page")
    nodelist = parser.parse(("endpagecache",))
    parser.delete_first_token()
    return PageCacheNode(
        nodelist,
        parser.compile_filter(bits[1]),
        parser.compile_filter(bits[2]),
        [parser.compile_filter(bit) for bit in bits[3:]],
        _source_token(parser),
    )


class SiteCacheNode(template.Node):
    def __init__(self, nodelist, name, vary_on, source=""):
        self.nodelist, self.name, self.vary_on, self.source = nodelist, name, vary_on, source

    def render(self, context):
        request = context.get("request")
        if not caching.cacheable_request(request):
            return self.nodelist.render(context)
        key = caching.site_fragment_key(
            self.name.resolve(context),
            self.source,
            *(v.resolve(context) for v in self.vary_on),
            request=request,
        )
        return _rendered(key, self.nodelist, context)


@register.tag
def sitecache(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a fragment name")
    nodelist = parser.parse(("endsitecache",))
    parser.delete_first_token()
    return SiteCacheNode(
        nodelist,
        parser.compile_filter(bits[1]),
        [parser.compile_filter(bit) for bit in bits[2:]],
        _source_token(parser),
    )


@register.filter
def nav_section(path) -> str:
    """Which main navigation link a path is under ("/courses/", "/anatomy/", "/dashboard/" or ""): a
    {% sitecache %} key for the navigation, with a handful of values whatever the paths visited."""
    path = str(path or "")
    for section in ("/courses/", "/anatomy/", "/dashboard/"):
        if path.startswith(section):
            return section
    return ""
