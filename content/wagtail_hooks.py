# ---------------------------------------------------------------------------
# Article importer (owner: importer helper). Append-only section: other sections go above or below.
# ---------------------------------------------------------------------------
from django.urls import path as _importer_path
from django.urls import reverse as _importer_reverse
from wagtail import hooks as _importer_hooks
from wagtail.admin.menu import MenuItem as _ImporterMenuItem


class ArticleImportMenuItem(_ImporterMenuItem):
    def is_shown(self, request):
        return request.user.has_perm("content.add_sourcearticle")


@_importer_hooks.register("register_admin_urls")
def register_article_import_urls():
    from content.admin_views import article_import_view

    return [_importer_path("import-article/", article_import_view, name="content_article_import")]


@_importer_hooks.register("register_admin_menu_item")
def register_article_import_menu_item():
    return ArticleImportMenuItem(
        "Import article", _importer_reverse("content_article_import"), name="import-article",
        icon_name="doc-full-inverse", order=250,
    )
# --------------------------------------------------------------------------- end of article importer
