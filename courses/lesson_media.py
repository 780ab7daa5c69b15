"""Lesson video and audio: wagtailmedia's media model, kept in the private store.

settings.WAGTAILMEDIA["MEDIA_MODEL"] points here, so the admin's Media library uploads to
`courses.storage.lesson_media_storage` (never MEDIA_ROOT) and every link to a file goes through a
view that checks who asks (courses/media_views.py). A lesson shows it with `blocks.LessonMediaBlock`.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from wagtailmedia.models import AbstractMedia

from .storage import lesson_media_storage


def validate_lesson_media_size(file):
    limit = settings.LESSON_MEDIA_MAX_UPLOAD_SIZE
    if file.size > limit:
        raise ValidationError(
            f"This file is {filesizeformat(file.size)}; lesson media may be at most {filesizeformat(limit)}."
        )


class LessonMedia(AbstractMedia):
    file = models.FileField(
        upload_to="lesson-media",
        storage=lesson_media_storage,
        validators=[validate_lesson_media_size],
        verbose_name="file",
    )

    # No thumbnail upload: wagtailmedia keeps thumbnails in the public store. A lesson's poster is a
    # Wagtail image chosen in the block.
    admin_form_fields = ("title", "file", "collection", "duration", "width", "height", "tags")

    class Meta:
        verbose_name = "lesson media"
        verbose_name_plural = "lesson media"

    @property
    def url(self):
        """The admin's link to the file (staff only); learners get it through the module's URL."""
        return reverse("courses:lesson_media_file", args=[self.pk])
