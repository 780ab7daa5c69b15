"""Video and audio in lessons (issue 14, item 3): the lesson block refuses a video without WebVTT
captions (and a file that is not WebVTT) and audio without a transcript; the files are served from
the private store only to those who may read the module, with byte ranges; the page plays them with
the browser's own player; instructors upload them in the admin like images and documents."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.test.utils.form_data import nested_form_data, streamfield
from wagtailmedia import get_permission_policy

from courses.blocks import LessonMediaBlock, ModuleBodyBlock
from courses.byte_ranges import RangeNotSatisfiable, requested_range
from courses.lesson_media import LessonMedia
from courses.models import ModuleProgress
from courses.services import enrollment_create
from tests.courses.media_clips import (
    TRANSCRIPT,
    caption_document,
    clip_bytes,
    lesson_audio,
    lesson_video,
    media_value,
    module_with_media,
)
from tests.factories import UserFactory, module_create

pytestmark = pytest.mark.django_db
MEDIA_BLOCK = ModuleBodyBlock().child_blocks["media"]
CLIP = clip_bytes("clip.webm")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def video(db):
    return lesson_video()


@pytest.fixture
def captions(db):
    return caption_document()


@pytest.fixture
def lesson(course, video, captions):
    """The course's first (so open) module, showing the video with its captions."""
    return module_with_media(course, video, captions=[captions])


@pytest.fixture
def enrolled(learner, course, lesson):
    enrollment_create(user=learner, course=course)
    return learner


def media_url(module, media):
    return reverse("courses:lesson_media", args=[module.pk, media.pk])


def captions_url(module, media, document):
    return reverse("courses:lesson_media_captions", args=[module.pk, media.pk, document.pk])


def clean(value):
    return MEDIA_BLOCK.clean(MEDIA_BLOCK.normalize(value))


def block_errors(value) -> dict:
    with pytest.raises(StructBlockValidationError) as raised:
        clean(value)
    return raised.value.block_errors


def messages(error) -> str:
    return " ".join(str(message) for message in getattr(error, "messages", [error]))


# ---------- the block: captions for video, a transcript for audio, WebVTT checked ----------


def test_a_video_with_a_webvtt_track_is_accepted(video, captions):
    value = clean(media_value(video, captions=[captions]))
    assert value["media"] == video and len(value["captions"]) == 1


def test_a_draft_may_hold_a_media_block_with_nothing_chosen_yet(video):
    """Saving a draft (and the editor's autosave) defers required fields: a block whose clip or caption
    file is still to be chosen is kept as it is, not a 500."""
    block = LessonMediaBlock()
    block.defer_required_validation()
    value = block.clean(block.normalize({"media": None, "captions": [{"file": None}], "transcript": ""}))
    assert value["media"] is None and value["captions"][0]["file"] is None


def test_a_video_without_captions_is_refused(video):
    errors = block_errors(media_value(video, captions=[]))
    assert list(errors) == ["captions"]
    assert "at least one WebVTT caption track" in messages(errors["captions"])


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"Just some words, no header.\n", "captions.vtt", "not valid WebVTT"),
        (b"1\n00:00:00,000 --> 00:00:01,000\nAn SRT file renamed\n", "captions.vtt", "not valid WebVTT"),
        (b"WEBVTT\n\n00:00.000 --> soon\nBad timing\n", "captions.vtt", "not valid WebVTT"),
        (b"WEBVTT\n", "captions.vtt", "no captions"),
        (b"\xff\xfe\x00W\x00E\x00B", "captions.vtt", "not UTF-8"),
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi\x00\n", "captions.vtt", "binary data"),
        (
            b"WEBVTT\n\n00:00.000 --> 00:01.000\nRight content, wrong name\n",
            "captions.txt",
            "not a WebVTT file",
        ),
    ],
)
def test_a_caption_file_that_is_not_webvtt_is_refused(video, content, name, reason):
    document = caption_document(content, name=name)
    errors = block_errors(media_value(video, captions=[document]))
    assert list(errors) == ["captions"]
    assert reason in messages(errors["captions"].block_errors[0].block_errors["file"])


def test_an_oversized_caption_file_is_refused(video, settings):
    document = caption_document(b"WEBVTT\n\n" + b"00:00.000 --> 00:01.000\nla\n\n" * 80_000)
    errors = block_errors(media_value(video, captions=[document]))
    assert "over 2 MB" in messages(errors["captions"].block_errors[0].block_errors["file"])


def test_audio_needs_a_transcript_not_captions(db):
    audio = lesson_audio()
    errors = block_errors(media_value(audio, transcript="  "))
    assert list(errors) == ["transcript"]
    assert clean(media_value(audio, transcript=TRANSCRIPT))["transcript"] == TRANSCRIPT


# ---------- the page: the browser's own player, captions on, transcript below ----------


def test_the_lesson_plays_the_video_with_its_captions_and_transcript(
    client, enrolled, lesson, video, captions
):
    client.force_login(enrolled)
    html = client.get(lesson.url).content.decode()
    assert '<video class="lesson-media__player" controls' in html
    assert f'<source src="{media_url(lesson, video)}" type="video/webm">' in html
    assert (
        f'<track kind="captions" src="{captions_url(lesson, video, captions)}" srclang="en" label="English" default>'
        in html
    )
    assert "<summary>Transcript" in html and TRANSCRIPT in html
    assert video.file.name not in html  # no path into the store, no public media URL


def test_audio_plays_in_an_audio_element(client, learner, course):
    audio = lesson_audio()
    module = module_with_media(course, audio, title="Breathing")
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    html = client.get(module.url).content.decode()
    assert '<audio class="lesson-media__player" controls' in html
    assert f'<source src="{media_url(module, audio)}" type="audio/ogg">' in html


def test_a_visitor_who_may_not_read_the_module_gets_no_player(client, lesson, learner):
    client.force_login(learner)  # not enrolled
    assert "<video" not in client.get(lesson.url).content.decode()


# ---------- the files: private store, readers of the module only ----------


def test_the_file_lives_in_the_private_store_with_no_public_url(client, video, private_media):
    assert video.file.path.startswith(str(private_media.resolve()))
    assert not video.file.path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError, match="no public URL"):
        video.file.url  # the storage refuses to make one
    assert video.url == reverse("courses:lesson_media_file", args=[video.pk])  # the staff-only view
    assert client.get(settings.MEDIA_URL + video.file.name).status_code == 404


def test_an_enrolled_learner_gets_the_whole_file_and_the_captions(client, enrolled, lesson, video, captions):
    client.force_login(enrolled)
    response = client.get(media_url(lesson, video))
    assert response.status_code == 200
    assert response["Content-Type"] == "video/webm"
    assert response["Accept-Ranges"] == "bytes"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == CLIP
    track = client.get(captions_url(lesson, video, captions))
    assert track.status_code == 200
    assert track["Content-Type"] == "text/vtt; charset=utf-8"
    assert b"".join(track.streaming_content).startswith(b"WEBVTT")


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-50", None, None),
        ("bytes=10-999999", 10, None),
    ],
)
def test_a_range_request_gets_that_range(client, enrolled, lesson, video, header, first, last):
    size = len(CLIP)
    first = size - 50 if first is None else first
    last = size - 1 if last is None else last
    client.force_login(enrolled)
    response = client.get(media_url(lesson, video), headers={"Range": header})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert response["Content-Length"] == str(last - first + 1)
    assert b"".join(response.streaming_content) == CLIP[first : last + 1]


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc",
        "bytes=0-1,5-9",  # several ranges: the whole file
        "items=0-5",
        "bytes=9-3",
        "bytes=-",
        "bytes=" + "9" * 40 + "-",
        "bytes=0-" + "9" * 40,
        "bytes= 0-5; drop table",
        "bytes=\u00e9-1",
    ],
)
def test_a_malformed_range_gets_the_whole_file(client, enrolled, lesson, video, header):
    client.force_login(enrolled)
    response = client.get(media_url(lesson, video), headers={"Range": header})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CLIP


@pytest.mark.parametrize("header", [f"bytes={len(CLIP)}-", "bytes=999999-1000000", "bytes=-0"])
def test_a_range_past_the_end_is_416(client, enrolled, lesson, video, header):
    client.force_login(enrolled)
    response = client.get(media_url(lesson, video), headers={"Range": header})
    assert response.status_code == 416
    assert response["Content-Range"] == f"*/{len(CLIP)}".join(["bytes ", ""])


def test_if_range_gets_the_whole_file(client, enrolled, lesson, video):
    client.force_login(enrolled)
    response = client.get(media_url(lesson, video), headers={"Range": "bytes=0-9", "If-Range": '"etag"'})
    assert response.status_code == 200


def test_requested_range_of_an_empty_file():
    with pytest.raises(RangeNotSatisfiable):
        requested_range("bytes=-5", 0)
    with pytest.raises(RangeNotSatisfiable):
        requested_range("bytes=0-", 0)
    assert requested_range(None, 0) is None


def test_who_gets_the_file(client, lesson, video, captions, learner, course, instructor):
    url, track = media_url(lesson, video), captions_url(lesson, video, captions)
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(learner)  # not enrolled
    assert client.get(url).status_code == client.get(track).status_code == 404
    client.force_login(instructor)  # staff read every module (courses.permissions.reads_every_module)
    assert client.get(url).status_code == client.get(track).status_code == 200
    assert client.post(url).status_code == 405
    head = client.head(url)
    assert head.status_code == 200 and head["Content-Length"] == str(len(CLIP))


def test_the_caption_file_is_not_served_by_wagtails_public_document_url(
    client, enrolled, lesson, video, captions, learner, instructor
):
    """Only the module's captions URL (after the clip's permission check) serves the track to a learner;
    Wagtail's document URL serves it to course staff alone."""
    public = captions.url
    assert public.startswith("/documents/")
    client.force_login(enrolled)
    assert client.get(public).status_code == 404  # the enrolled learner
    assert client.get(captions_url(lesson, video, captions)).status_code == 200  # through the module: yes
    client.logout()
    assert client.get(public).status_code == 404  # anonymous
    client.force_login(instructor)
    response = client.get(public)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"WEBVTT")


def test_a_learner_gets_only_what_the_module_shows(client, enrolled, lesson, course, video, captions):
    other_video, other_track = lesson_video("Not in this lesson"), caption_document(title="Other captions")
    client.force_login(enrolled)
    assert client.get(media_url(lesson, other_video)).status_code == 404
    assert client.get(captions_url(lesson, video, other_track)).status_code == 404
    assert client.get(reverse("courses:lesson_media_file", args=[video.pk])).status_code == 404
    plain = module_create(course, title="Plain text")  # open? no: locked behind the first
    assert client.get(media_url(plain, video)).status_code == 404
    assert client.get(media_url(lesson, video)).status_code == 200


def test_a_locked_or_unpublished_module_serves_nothing(client, learner, course, video, captions):
    first = module_with_media(course, video, captions=[captions], title="First")
    locked = module_with_media(course, video, captions=[captions], title="Second")
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    assert client.get(media_url(first, video)).status_code == 200
    assert client.get(media_url(locked, video)).status_code == 404  # modules open in order
    first.unpublish()
    assert client.get(media_url(first, video)).status_code == 404


def test_staff_preview_a_draft_modules_clip(client, instructor, course, video, captions):
    draft = module_with_media(course, video, captions=[captions], title="Draft", live=False)
    client.force_login(instructor)
    assert client.get(media_url(draft, video)).status_code == 200
    assert client.get(captions_url(draft, video, captions)).status_code == 200
    assert client.get(reverse("courses:lesson_media", args=[10**17, video.pk])).status_code == 404


def test_a_missing_file_is_404_not_500(client, instructor, lesson, video):
    video.file.storage.delete(video.file.name)
    client.force_login(instructor)
    assert client.get(media_url(lesson, video)).status_code == 404
    assert client.get(reverse("courses:lesson_media_file", args=[10**17])).status_code == 404


# ---------- seat time: a playing clip keeps the study clock going ----------


def test_watching_ten_minutes_without_touching_anything_counts_ten_minutes(client, enrolled, lesson, course):
    """The page's script pings the study clock each minute while a clip plays (cms/static/js/site.js),
    with no scroll, key or pointer: each ping credits its minute, so the whole video counts; one ping
    after ten silent minutes would credit five (the idle cap)."""
    client.force_login(enrolled)
    start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        client.get(lesson.url)  # opens the module: the clock starts
    study = reverse("courses:module_study", args=[lesson.pk])
    for minute in range(1, 11):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            assert client.post(study, headers={"accept": "application/json"}).status_code == 200
    progress = ModuleProgress.objects.get(enrollment__user=enrolled, module=lesson)
    assert progress.seconds_spent == 600
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        client.post(study)  # ten minutes with nothing playing and no input: the cap
    progress.refresh_from_db()
    assert progress.seconds_spent == 600 + 300


# ---------- the admin: instructors upload media as they do images and documents ----------


def test_an_instructor_uploads_a_video_into_the_private_store(client, instructor, private_media):
    policy = get_permission_policy()
    assert policy.user_has_permission(instructor, "add") and policy.user_has_permission(instructor, "change")
    assert not policy.user_has_any_permission(UserFactory(), ["add", "change"])
    client.force_login(instructor)
    assert client.get(reverse("wagtailmedia:index")).status_code == 200
    upload = SimpleUploadedFile("demo.webm", CLIP, content_type="video/webm")
    response = client.post(
        reverse("wagtailmedia:add", args=["video"]),
        {"title": "Demo", "file": upload, "duration": "1", "width": "64", "height": "64"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    media = LessonMedia.objects.get(title="Demo")
    assert media.uploaded_by_user == instructor
    assert media.file.path.startswith(str(private_media.resolve()))
    listing = client.get(reverse("wagtailmedia:index")).content.decode()
    assert reverse("courses:lesson_media_file", args=[media.pk]) in listing
    assert client.get(reverse("courses:lesson_media_file", args=[media.pk])).status_code == 200
    edit = client.get(reverse("wagtailmedia:edit", args=[media.pk])).content.decode()
    assert reverse("courses:lesson_media_file", args=[media.pk]) in edit  # the file's link: the staff view
    chooser = client.get(reverse("wagtailmedia:chooser_typed", args=["video"]))
    assert chooser.status_code == 200 and "Demo" in chooser.content.decode()


def test_the_admin_refuses_an_oversized_or_wrong_kind_of_file(client, instructor, settings):
    settings.LESSON_MEDIA_MAX_UPLOAD_SIZE = 1024
    client.force_login(instructor)
    for name in ("big.webm", "script.html"):
        upload = SimpleUploadedFile(name, CLIP, content_type="video/webm")
        response = client.post(reverse("wagtailmedia:add", args=["video"]), {"title": name, "file": upload})
        assert response.status_code == 200  # the form again, with the error
    assert not LessonMedia.objects.exists()


def _editor_post(client, module, media, documents, transcript=TRANSCRIPT):
    captions = {"count": len(documents)}
    for index, document in enumerate(documents):
        value = {"file": document.pk, "language": "en", "label": "English"}
        captions[str(index)] = {"value": value, "deleted": "", "order": index}
    value = {"media": media.pk, "captions": captions, "transcript": transcript, "poster": ""}
    data = nested_form_data(
        {"title": module.title, "slug": module.slug, "summary": "", "body": streamfield([("media", value)])}
    )
    return client.post(reverse("wagtailadmin_pages:edit", args=[module.pk]), data)


def test_the_page_editor_refuses_a_video_without_captions_and_saves_one_with(
    client, assigned_instructor, course, video, captions
):
    module = module_create(course, title="Draping and effleurage")
    client.force_login(assigned_instructor)
    refused = _editor_post(client, module, video, [])
    assert refused.status_code == 200
    assert "at least one WebVTT caption track" in refused.content.decode()
    bad = _editor_post(client, module, video, [caption_document(b"not captions")])
    assert bad.status_code == 200 and "not valid WebVTT" in bad.content.decode()
    assert module.revisions.count() == 0
    saved = _editor_post(client, module, video, [captions])
    assert saved.status_code == 302
    module.refresh_from_db()
    body = module.get_latest_revision_as_object().body
    assert body[0].block_type == "media" and body[0].value["captions"][0]["file"] == captions
