"""Lesson video, audio and caption files, from the private store, to those who may read the module.

A learner gets a clip through the module that shows it (`/modules/<id>/media/<id>/`): the module must
be live and open to them (enrolled, in order: `services.module_reader_enrollment`, the question the
module page and its study clock ask) and its published body must hold the clip. Staff who read every
module (`permissions.reads_every_module`) get any clip through any module, published or not (a
draft's preview); the admin's Media
library links to `/lesson-media/<id>/`, which is theirs alone. Anyone else: "not found", whatever
exists.

How a file reaches the browser, after the check: from disk, streamed with byte ranges
(courses/byte_ranges.py) so the player can seek. From a bucket (courses/storage.py), a video or audio
file is a redirect to a signed URL that works for settings.PRIVATE_URL_EXPIRE_SECONDS: the object store
answers the player's range requests itself, so a web process is not held for the minutes a video
plays, and the redirect is never cached (each play asks again, and is checked again). Caption tracks
are streamed in both cases: they are a few KB, and a <track> from another origin would need CORS.
"""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe
from wagtail.documents import get_document_model

from .byte_ranges import ranged_file_response
from .lesson_media import LessonMedia
from .models import ModulePage
from .permissions import reads_every_module
from .services import module_reader_enrollment
from .storage import signed_url

CAPTIONS_CONTENT_TYPE = "text/vtt; charset=utf-8"
MEDIA_CONTENT_TYPES = {
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "oga": "audio/ogg",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "m4v": "video/mp4",
    "mp4": "video/mp4",
    "webm": "video/webm",
}


def _media_blocks(module: ModulePage, media_id: int) -> list[dict]:
    """The published body's media blocks (raw values: no query) that show this clip."""
    blocks = []
    for block in module.body.raw_data:
        value = block.get("value") if isinstance(block, dict) else None
        if block.get("type") == "media" and isinstance(value, dict) and value.get("media") == media_id:
            blocks.append(value)
    return blocks


def _caption_ids(block_value: dict) -> set[int]:
    ids = set()
    for item in block_value.get("captions") or []:
        track = item.get("value", item) if isinstance(item, dict) else None
        if isinstance(track, dict) and isinstance(track.get("file"), int):
            ids.add(track["file"])
    return ids


def _readable_blocks(request, module_id: int, media_id: int) -> list[dict] | None:
    """The module's blocks showing this clip when the visitor may play it; None for staff (any clip)."""
    if reads_every_module(request.user):  # a draft's preview too
        get_object_or_404(ModulePage, pk=module_id)
        return None
    module = get_object_or_404(ModulePage.objects.live(), pk=module_id)
    blocks = _media_blocks(module, media_id)
    if not blocks or module_reader_enrollment(user=request.user, module=module) is None:
        raise Http404("No such media here.")
    return blocks


def _media_response(request, media: LessonMedia):
    if not media.file or not media.file.storage.exists(media.file.name):
        raise Http404("The media file is missing.")
    content_type = MEDIA_CONTENT_TYPES.get(media.file_extension.lower(), "application/octet-stream")
    url = signed_url(
        media.file,
        seconds=settings.PRIVATE_URL_EXPIRE_SECONDS,
        parameters={"ResponseContentType": content_type, "ResponseContentDisposition": "inline"},
    )
    if url is None:
        return ranged_file_response(request, media.file, content_type)
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def module_media(request, module_id: int, media_id: int):
    _readable_blocks(request, module_id, media_id)
    return _media_response(request, get_object_or_404(LessonMedia, pk=media_id))


@require_safe
def module_media_captions(request, module_id: int, media_id: int, document_id: int):
    blocks = _readable_blocks(request, module_id, media_id)
    if blocks is not None and not any(document_id in _caption_ids(block) for block in blocks):
        raise Http404("No such caption track here.")
    document = get_object_or_404(get_document_model(), pk=document_id)
    if not document.file.name.lower().endswith(".vtt") or not document.file.storage.exists(
        document.file.name
    ):
        raise Http404("No such caption track here.")
    return ranged_file_response(request, document.file, CAPTIONS_CONTENT_TYPE)


@require_safe
def library_media(request, media_id: int):
    """The admin Media library's link to a file: staff only."""
    if not reads_every_module(request.user):
        raise Http404("No such media here.")
    return _media_response(request, get_object_or_404(LessonMedia, pk=media_id))
