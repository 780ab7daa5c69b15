"""A file from storage, whole or one byte range of it (RFC 9110 §14): browsers ask for ranges to seek
in a video, and Safari will not play one without them. Django's FileResponse serves whole files only.

One range is honoured; anything else (several ranges, another unit, a malformed header, an If-Range
we cannot check) gets the whole file, which the RFC allows. A range that starts past the end is a 416.
"""

import re

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

ONE_RANGE = re.compile(r"bytes=([0-9]{0,18})-([0-9]{0,18})")
CHUNK_BYTES = 64 * 1024


class RangeNotSatisfiable(Exception):
    pass


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte, inclusive, of the one range asked for; None for the whole file.
    Raises RangeNotSatisfiable when the range lies outside the file."""
    match = ONE_RANGE.fullmatch((header or "").strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first:  # "bytes=-N": the last N bytes
        if not last:
            return None
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid: ignored, as the RFC says
    if start >= size:
        raise RangeNotSatisfiable
    return start, min(int(last), size - 1) if last else size - 1


def _read(handle, start: int, length: int):
    try:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(CHUNK_BYTES, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


def ranged_file_response(request, field_file, content_type: str):
    """Serve `field_file` (a FieldFile) inline, honouring a Range header."""
    storage, name = field_file.storage, field_file.name
    size = storage.size(name)
    try:
        byte_range = (
            None if "If-Range" in request.headers else requested_range(request.headers.get("Range"), size)
        )
    except RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if byte_range is None:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    else:
        first, last = byte_range
        length = last - first + 1
        response = StreamingHttpResponse(_read(storage.open(name, "rb"), first, length), status=206)
        response["Content-Type"] = content_type
        response["Content-Length"] = str(length)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = "inline"
    return response
