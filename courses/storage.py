"""Where certificate PDFs and lesson media live: outside MEDIA_ROOT, never at a public URL.

Files are only ever served by views that check who asks: `courses.views.certificate_download` and
`courses.media_views` (lesson video and audio).
The location is settings.PRIVATE_MEDIA_ROOT, or "<MEDIA_ROOT>-private" next to MEDIA_ROOT
(not inside it: in DEBUG the dev server serves MEDIA_ROOT as is). Web and worker must share it.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


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


def lesson_media_storage() -> PrivateStorage:
    """Lesson video and audio (courses.LessonMedia): the private store, served only by
    courses.media_views after the permission check. Uploads never replace another file of the same name."""
    return PrivateStorage(allow_overwrite=False)
