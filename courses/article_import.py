"""Import an article copied from a web page as a draft lesson module (issue 2, item 5).

The parsing is pure (content/importer.py); this module does the writes: one SourceArticle row per
course and file name, and one ModulePage kept as a draft. Re-importing the same file name into the
same course saves a new revision of that module; an unchanged file does nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify

from content.importer import (
    ArticleError,
    ParsedArticle,
    article_body,
    article_summary,
    muscle_terms,
    parse_article,
)
from content.models import Muscle, SourceArticle

from .models import CoursePage, ModulePage

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
SLUG_MAX = 80
IMPORT_TRIES = 3  # two imports of one file racing: the loser retries and finds the winner's draft


@dataclass(frozen=True)
class ArticleImportResult:
    status: str
    module: ModulePage
    source: SourceArticle
    edit_url: str

    @property
    def message(self) -> str:
        verb = {CREATED: "Imported", UPDATED: "Updated", UNCHANGED: "Unchanged:"}[self.status]
        detail = {
            CREATED: "as a new draft module",
            UPDATED: "as a new draft revision of the same module",
            UNCHANGED: "the file is the same as last time, nothing was changed",
        }[self.status]
        return f"{verb} “{self.source.file_name}” {detail}: “{self.module.title}”."


def article_import(
    *,
    raw: bytes,
    file_name: str,
    course_slug: str | None = None,
    course: CoursePage | None = None,
    user=None,
    force: bool = False,
) -> ArticleImportResult:
    """Parse ``raw`` and create or update the draft module. Raises ArticleError; writes nothing then.

    ``force`` re-imports an unchanged file, e.g. after the parser has improved.
    """
    article = parse_article(raw, file_name)
    checksum = hashlib.sha256(raw).hexdigest()
    course_pk = course.pk if course is not None else None
    for attempt in range(IMPORT_TRIES):
        try:
            return _import_once(
                article, checksum, course_pk=course_pk, course_slug=course_slug, user=user, force=force
            )
        except IntegrityError:
            # Another import of the same file (or a page landing at the same place in the tree) committed
            # first. Try again from a fresh read: the file is then found and updated, or left unchanged.
            if attempt == IMPORT_TRIES - 1:
                raise ArticleError(
                    f"Another import of “{article.file_name}” into this course was saved at the same time. "
                    "Nothing was imported by this request; open the course to check the draft, or try again."
                ) from None
    raise AssertionError("unreachable")


def _import_once(
    article: ParsedArticle, checksum: str, *, course_pk, course_slug, user, force
) -> ArticleImportResult:
    with transaction.atomic():
        # Lock the course row: imports into one course run one after the other, so the second import of a
        # file finds the first one's draft. Re-read on every try (its tree fields, numchild, may have moved).
        course = course_by_slug(course_slug) if course_pk is None else None
        course = CoursePage.objects.select_for_update().get(pk=course_pk if course is None else course.pk)
        source = _source_for_update(course, article.file_name)
        module = source.module.specific if source and source.module_id else None
        if source and module and source.checksum == checksum and not force:
            return ArticleImportResult(UNCHANGED, module, source, admin_edit_url(module))
        if module is None:
            module = _module_create(course, article, user)
            status = CREATED
        else:
            _module_update(module, article, user)
            status = UPDATED
        source = source or SourceArticle(course=course, file_name=article.file_name)
        source.module = module
        source.title = article.title[:255]
        source.checksum = checksum
        source.imported_by = _real_user(user)
        source.save()
    return ArticleImportResult(status, module, source, admin_edit_url(module))


def _source_for_update(course: CoursePage, file_name: str) -> SourceArticle | None:
    return SourceArticle.objects.select_for_update().filter(course=course, file_name=file_name).first()


def course_by_slug(slug: str | None) -> CoursePage:
    courses = list(CoursePage.objects.filter(slug=slug or "")[:2])
    if len(courses) != 1:
        known = ", ".join(CoursePage.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
        problem = "No course" if not courses else "More than one course"
        raise ArticleError(f"{problem} with the slug “{slug}”. Known course slugs: {known}.")
    return courses[0]


def admin_edit_url(page) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_pages:edit", args=[page.pk])


def module_body_data(article: ParsedArticle) -> list[dict]:
    rows = Muscle.objects.values_list("slug", "name", "aliases")
    return article_body(article, muscle_terms(rows), url_for=muscle_url)


def muscle_url(slug: str) -> str:
    try:
        return reverse("content:muscle_detail", args=[slug])
    except NoReverseMatch:  # the glossary URL is agreed even before its view exists
        return f"/anatomy/{slug}/"


def _module_create(course: CoursePage, article: ParsedArticle, user) -> ModulePage:
    module = ModulePage(
        title=article.title,
        slug=_free_slug(course, article.title),
        summary=article_summary(article),
        body=module_body_data(article),
        live=False,
        owner=_real_user(user),
    )
    course.add_child(instance=module)  # Wagtail logs the creation, by the owner
    module.save_revision(user=_real_user(user), log_action=True, clean=False)
    return module


def _module_update(module: ModulePage, article: ParsedArticle, user) -> None:
    module.title = article.title
    module.draft_title = article.title
    module.summary = article_summary(article)
    module.body = module_body_data(article)
    if not module.live:
        module.save(clean=False)  # as Wagtail's edit view does: a draft-only page keeps its row current
    module.save_revision(user=_real_user(user), log_action=True, clean=False)


def _free_slug(course: CoursePage, title: str) -> str:
    base = slugify(title)
    if len(base) > SLUG_MAX:
        base = base[:SLUG_MAX].rsplit("-", 1)[0]
    base = base.strip("-") or "imported-article"
    taken = set(course.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _real_user(user):
    return user if getattr(user, "pk", None) else None
