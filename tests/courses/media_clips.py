"""Lesson video and audio for tests: the tiny clips in tests/fixtures/lesson_clips (1 s, a few KB each,
made once with ffmpeg: see the README there), stored as LessonMedia in the private store."""

from pathlib import Path

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from courses.lesson_media import LessonMedia
from tests.factories import module_create

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lesson_clips"
TRANSCRIPT = "Effleurage along the erector spinae, light pressure."


def clip_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def lesson_video(title="Effleurage of the lower back") -> LessonMedia:
    return LessonMedia.objects.create(
        title=title,
        type="video",
        file=ContentFile(clip_bytes("clip.webm"), name="effleurage.webm"),
        width=64,
        height=64,
        duration=1,
    )


def lesson_audio(title="Breathing cue") -> LessonMedia:
    return LessonMedia.objects.create(
        title=title, type="audio", file=ContentFile(clip_bytes("clip.ogg"), name="breathing.ogg"), duration=1
    )


def caption_document(content: bytes | None = None, *, name="captions.vtt", title="English captions"):
    content = clip_bytes("captions.vtt") if content is None else content
    return get_document_model().objects.create(title=title, file=ContentFile(content, name=name))


def media_value(media, *, captions=(), transcript=TRANSCRIPT, poster=None) -> dict:
    return {
        "media": media,
        "captions": [{"file": document, "language": "en", "label": "English"} for document in captions],
        "transcript": transcript,
        "poster": poster,
    }


def module_with_media(course, media, *, captions=(), title="Effleurage in practice", live=True, **value):
    return module_create(
        course, title=title, live=live, body=[("media", media_value(media, captions=captions, **value))]
    )
