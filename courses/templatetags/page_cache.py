"""{% pagecache "name" page [vary_on ...] %}...{% endpagecache %}: a fragment that is the same for every
viewer of `page`, rendered once per live revision and content version (courses/caching.py).

Put only viewer-independent markup inside: nothing about the learner, their progress or a CSRF token.
Previews and requests without a page render the fragment every time.
"""

from django import template
from django.core.cache import cache

from courses import caching

register = template.Library()


class PageCacheNode(template.Node):
    def __init__(self, nodelist, name, page, vary_on):
        self.nodelist, self.name, self.page, self.vary_on = nodelist, name, page, vary_on

    def render(self, context):
        page = self.page.resolve(context, ignore_failures=True)
        request = context.get("request")
        if page is None or not getattr(page, "pk", None) or not caching.cacheable_request(request):
            return self.nodelist.render(context)
        key = caching.page_key(f"fragment:{self.name.resolve(context)}", page,
                               *(v.resolve(context) for v in self.vary_on), request=request)
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.set(key, html, caching.timeout())
        return html


@register.tag
def pagecache(parser, token):
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a fragment name and a page")
    nodelist = parser.parse(("endpagecache",))
    parser.delete_first_token()
    return PageCacheNode(nodelist, parser.compile_filter(bits[1]), parser.compile_filter(bits[2]),
                         [parser.compile_filter(bit) for bit in bits[3:]])
