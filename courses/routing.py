"""Routing to a page's children when they are all of one type (the site's tree is home → catalogue →
courses → modules): one query finds the child as its own type, where Wagtail's default `route` takes
two (the page, then its type). The child's route may hand the page served keyword arguments for its
`serve` and `get_context` (Wagtail's RouteResult), such as the parent pages it would otherwise look up.
"""

from wagtail.url_routing import RouteResult


def child_route(pages, parent, request, path_components: list[str], **serve_kwargs) -> RouteResult | None:
    """The route through the child of `parent` that the first path component names, taken from the
    queryset `pages`; None when `pages` holds no such child (the caller then falls back on Wagtail's
    route, which also answers 404)."""
    if not path_components:
        return None
    try:
        child = pages.child_of(parent).get(slug=path_components[0])  # slugs are unique among siblings
    except pages.model.DoesNotExist:
        return None
    result = child.route(request, path_components[1:])
    return RouteResult(result.page, result.args, {**result.kwargs, **serve_kwargs})
