"""The anatomy glossary for learners: thin views over content.selectors. No JavaScript needed."""

from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import ActionLevel, Region

QUERY_MAX_LENGTH = 100


def muscle_list(request):
    q = " ".join(request.GET.get("q", "").split())[:QUERY_MAX_LENGTH]
    region = request.GET.get("region", "")
    region = region if region in Region.values else ""
    groups = selectors.muscle_glossary(q=q, region=region)
    return render(
        request,
        "content/muscle_list.html",
        {
            "groups": groups,
            "result_count": sum(len(group["muscles"]) for group in groups),
            "q": q,
            "region": region,
            "region_label": Region(region).label if region else "",
            "regions": Region.choices,
            "emergency_flags": selectors.red_flags_by_level(levels=[ActionLevel.EMERGENCY]),
        },
    )


def muscle_detail(request, slug):
    muscle = selectors.muscle_detail(slug=slug)
    if muscle is None:
        raise Http404("No muscle with that name in the glossary.")
    zones_by_view = selectors.zones_by_view(muscle.referred_zones.all())
    return render(
        request,
        "content/muscle_detail.html",
        {
            "muscle": muscle,
            "zones": [zone for view_zones in zones_by_view.values() for zone in view_zones],
            "zones_by_view": zones_by_view,
        },
    )


def red_flag_list(request):
    return render(
        request,
        "content/red_flag_list.html",
        {"levels": selectors.red_flags_by_level(), "scale": selectors.action_levels()},
    )
