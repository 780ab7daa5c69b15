"""Where certificate PDFs and lesson media live: never at a public URL.

Two storages of settings.STORAGES hold them: "private" (certificates; a regenerated PDF replaces its
file) and "lesson_media" (video and audio; an upload never replaces another file of the same name).
By default both are `PrivateStorage`, a directory outside MEDIA_ROOT: settings.PRIVATE_MEDIA_ROOT, or
"<MEDIA_ROOT>-private" next to MEDIA_ROOT (not inside it: in DEBUG the dev server serves MEDIA_ROOT as
is); web and worker must then share that directory. With object storage configured (S3_PRIVATE_BUCKET,
cms/settings/base.py) both are `PrivateS3Storage` on a bucket with no public access, and replicas
share nothing on disk.

Files are only ever served by views that check who asks: `courses.views.certificate_download` streams
the PDF; `courses.media_views` streams lesson media from disk, or, from a bucket, answers with a
short-lived signed URL (`signed_url`) issued after the check.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty
from storages.backends.s3 import S3Storage


def private_media_root() -> Path:
    configured = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    if configured:
        return Path(configured)
    media = Path(settings.MEDIA_ROOT)
    return media.with_name(media.name + "-private")


@deconstructible
class PrivateStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        # Regenerating a certificate writes the same name again: replace the file, never add "_a1b2c3".
        kwargs.setdefault("allow_overwrite", True)
        super().__init__(**kwargs)

    @property
    def base_location(self):  # read at each use, so test settings and override_settings apply
        return str(private_media_root())

    @property
    def location(self):
        return str(private_media_root().resolve())

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no public URL; use the view that checks who asks.")


@deconstructible
class PrivateS3Storage(S3Storage):
    """A private bucket: no ACL is ever sent (objects are as private as the bucket) and every URL is
    signed. `public_endpoint_url` is the endpoint as browsers reach it, when it differs from the one
    the servers use (docker compose: http://minio:9000 inside, http://localhost:9000 outside); a
    signature covers the host, so the URL must be signed for the browser's."""

    def __init__(self, public_endpoint_url=None, **kwargs):
        kwargs["querystring_auth"] = True
        kwargs["default_acl"] = None
        kwargs["custom_domain"] = None  # a custom domain's URLs are unsigned (bar CloudFront's)
        kwargs.setdefault("signature_version", "s3v4")  # SigV2 query strings are refused by most stores
        self.public_endpoint_url = public_endpoint_url or None
        self._signing_options = kwargs
        super().__init__(**kwargs)

    def url(self, name, parameters=None, expire=None, http_method=None):
        if self.public_endpoint_url and self.public_endpoint_url != self.endpoint_url:
            # Signing is local (no request): a twin storage on the browser's endpoint signs the URL.
            signer = S3Storage(**{**self._signing_options, "endpoint_url": self.public_endpoint_url})
            return signer.url(name, parameters=parameters, expire=expire, http_method=http_method)
        return super().url(name, parameters=parameters, expire=expire, http_method=http_method)


class _ConfiguredStorage(LazyObject):
    """settings.STORAGES[alias], looked up at first use (and again after the setting changes), so a
    model field can name it while tests and deployments choose the backend."""

    def __init__(self, alias: str):
        self.__dict__["_alias"] = alias
        super().__init__()

    def _setup(self):
        self._wrapped = storages[self._alias]

    def __reduce__(self):
        return (_ConfiguredStorage, (self._alias,))


_private = _ConfiguredStorage("private")
_lesson_media = _ConfiguredStorage("lesson_media")


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting in ("STORAGES", "PRIVATE_MEDIA_ROOT"):
        _private._wrapped = empty
        _lesson_media._wrapped = empty


def private_storage():
    """Certificate PDFs (courses.Certificate.pdf)."""
    return _private


def lesson_media_storage():
    """Lesson video and audio (courses.LessonMedia): served only by courses.media_views after the
    permission check."""
    return _lesson_media


def signed_url(field_file, *, seconds: int, parameters: dict | None = None) -> str | None:
    """A URL that lets whoever holds it GET the file for `seconds`, when the file is in a bucket;
    None when it is on disk (then the view streams it)."""
    if not isinstance(field_file.storage, S3Storage):
        return None
    return field_file.storage.url(field_file.name, parameters=parameters, expire=seconds)
