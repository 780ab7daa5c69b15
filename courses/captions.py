"""Caption tracks for lesson video: WebVTT files from the document library, checked with webvtt-py
before a lesson may use them, so a learner's player never gets a file it cannot show."""

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

MAX_CAPTION_BYTES = 2 * 1024 * 1024  # hours of captions; a bigger file is not a caption track


def webvtt_problem(document) -> str | None:
    """Why `document` (a Wagtail document) is not a usable WebVTT caption track, or None when it is."""
    title = document.title
    if not document.file.name.lower().endswith(".vtt"):
        return f"“{title}” is not a WebVTT file: upload the captions as a .vtt file."
    try:
        with document.file.open("rb") as handle:
            data = handle.read(MAX_CAPTION_BYTES + 1)
    except OSError:
        return f"The file of “{title}” is missing: upload it again."
    if len(data) > MAX_CAPTION_BYTES:
        return f"“{title}” is over {MAX_CAPTION_BYTES // (1024 * 1024)} MB: that is not a caption track."
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return f"“{title}” is not UTF-8 text, as WebVTT must be."
    if "\x00" in text:
        return f"“{title}” contains binary data, not WebVTT text."
    try:
        captions = webvtt.from_string(text, strict=True)
    except (MalformedFileError, MalformedCaptionError) as error:
        return f"“{title}” is not valid WebVTT ({error}). It must start with the line WEBVTT."
    if not len(captions):
        return f"“{title}” has no captions in it."
    return None
