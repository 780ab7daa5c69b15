# ---------------------------------------------------------------------------
# Knowledge base snippets (owner: knowledge-base helper): Muscle, RedFlag, BodyZone in a
# "Knowledge base" admin menu. Instructors get add/change/view through cms/migrations/0003_roles.py.
# ---------------------------------------------------------------------------
from django.db.models import Count as _Count
from wagtail.admin.ui.tables import Column as _Column
from wagtail.admin.ui.tables import DateColumn as _DateColumn
from wagtail.snippets.models import register_snippet as _register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet as _SnippetViewSet
from wagtail.snippets.views.snippets import SnippetViewSetGroup as _SnippetViewSetGroup

from content.models import BodyZone as _BodyZone
from content.models import Muscle as _Muscle
from content.models import RedFlag as _RedFlag
from content.spreadsheets import FormulaSafeSnippetIndexView as _FormulaSafeSnippetIndexView


class MuscleViewSet(_SnippetViewSet):
    model = _Muscle
    index_view_class = _FormulaSafeSnippetIndexView
    icon = "user"
    menu_label = "Muscles"
    menu_name = "muscles"
    list_display = [
        "name",
        _Column("aliases", label="Other names", accessor=lambda muscle: ", ".join(muscle.aliases or [])),
        "region",
        _Column("zone_count", label="Referral zones", accessor="zone_count", sort_key="zone_count"),
        _DateColumn("updated_at", label="Updated", sort_key="updated_at"),
    ]
    list_filter = ["region"]
    list_export = ["name", "slug", "region", "origin", "insertion", "innervation", "referred_pain"]
    # The ORM rather than the search index, so aliases (a JSON list) are searched too and results
    # never depend on an index being up to date.
    search_fields = ["name", "aliases", "summary", "origin", "insertion"]
    search_backend_name = None
    ordering = ["name"]
    inspect_view_enabled = True

    def get_queryset(self, request):
        return _Muscle.objects.annotate(zone_count=_Count("referred_zones"))


class RedFlagViewSet(_SnippetViewSet):
    model = _RedFlag
    index_view_class = _FormulaSafeSnippetIndexView
    icon = "warning"
    menu_label = "Red flags"
    menu_name = "red-flags"
    list_display = ["sign", "action_level", "suspected_condition", "region"]
    list_filter = ["action_level", "region"]
    list_export = ["slug", "sign", "suspected_condition", "action_level", "action", "region"]
    search_fields = ["sign", "suspected_condition", "action", "slug"]
    search_backend_name = None
    inspect_view_enabled = True


class BodyZoneViewSet(_SnippetViewSet):
    model = _BodyZone
    icon = "crosshairs"
    menu_label = "Body zones"
    menu_name = "body-zones"
    list_display = ["name", "code", "view", "sort_order"]
    list_filter = ["view"]
    search_fields = ["name", "code"]
    search_backend_name = None
    ordering = ["view", "sort_order", "name"]


class KnowledgeBaseGroup(_SnippetViewSetGroup):
    items = (MuscleViewSet, RedFlagViewSet, BodyZoneViewSet)
    menu_label = "Knowledge base"
    menu_name = "knowledge-base"
    menu_icon = "pick"
    menu_order = 240


_register_snippet(KnowledgeBaseGroup)
