"""Issue 14, item 3 in Chromium: a learner plays a lesson video with the keyboard; its WebVTT captions
track is there and showing; the file comes from the private store through the permission-checked view
(with a byte range, as a player asks); the transcript opens from the keyboard; the page is axe-clean
and fits 390 px. While the clip plays the study clock keeps pinging with no scroll, key or pointer
(page.clock runs the page's timers; the server's own crediting is tested in
tests/courses/test_lesson_media.py), and it stops once the clip is paused. Shots at 1280x800, 390x844.
"""

import io
from decimal import Decimal

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from playwright.sync_api import expect
from wagtail.images import get_image_model
from wagtail.models import Collection

from cms.services import site_tree_ensure
from courses.models import Enrollment
from tests.courses.media_clips import TRANSCRIPT, caption_document, lesson_video, module_with_media
from tests.e2e.a11y import watch_console
from tests.e2e.screens import Journey
from tests.e2e.test_learner_journey import step
from tests.e2e.test_override_journey import logged_in_context
from tests.factories import ProviderFactory, UserFactory, course_create, wagtail_base_ensure

pytestmark = pytest.mark.e2e
MINUTE_MS = 60_000


def poster_image():
    buffer = io.BytesIO()
    PILImage.new("RGB", (640, 360), "#2f6f68").save(buffer, format="PNG")
    return get_image_model().objects.create(
        title="Effleurage poster", file=ImageFile(buffer, name="poster.png")
    )


@pytest.fixture
def video_lesson(transactional_db, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    wagtail_base_ensure()
    if Collection.get_first_root_node() is None:  # a flushed database lacks the migrations' root collection
        Collection.add_root(name="Root")
    _, catalogue = site_tree_ensure()
    course = course_create(
        catalogue, title="Massage for Low Back Pain", provider=ProviderFactory(), ce_hours=Decimal("1.00")
    )
    video = lesson_video("Effleurage of the lower back")
    module = module_with_media(course, video, captions=[caption_document()], poster=poster_image())
    learner = UserFactory(username="lee.learner", legal_name="Lee Park")
    enrollment = Enrollment.objects.create(user=learner, course=course)
    return module, video, learner, enrollment


# Counts the study clock's pings inside the page (and lets each one through), so the count is exact the
# moment page.clock has run the timers; init scripts are the browser's, outside the site's CSP.
COUNT_STUDY_PINGS = """
window.__studyPings = 0;
const realFetch = window.fetch.bind(window);
window.fetch = (url, options) => {
  if (String(url).endsWith("/study/")) window.__studyPings += 1;
  return realFetch(url, options);
};
"""


def study_pings(page) -> int:
    return page.evaluate("() => window.__studyPings")


def test_a_learner_watches_a_captioned_video_and_the_study_clock_keeps_counting(
    browser, live_server, video_lesson
):
    module, video, learner, enrollment = video_lesson
    journey = Journey("media")
    context = logged_in_context(browser, live_server, learner)
    page = context.new_page()
    problems = watch_console(page)
    media_statuses = []
    page.on("response", lambda r: media_statuses.append(r.status) if f"/media/{video.pk}/" in r.url else None)
    page.add_init_script(COUNT_STUDY_PINGS)
    page.clock.install()  # the page's timers (the study clock) run when the test says
    page.goto(live_server.url + module.url)

    player = page.locator("video.lesson-media__player")
    expect(player).to_be_visible()
    expect(player.locator('track[kind="captions"][srclang="en"]')).to_have_count(1)
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")  # metadata loaded
    # the default track is showing and its cues came through the permission-checked view
    page.wait_for_function(
        "() => { const t = document.querySelector('video').textTracks[0];"
        " return t && t.kind === 'captions' && t.mode === 'showing' && t.cues && t.cues.length > 0; }"
    )
    assert any(status in (200, 206) for status in media_statuses), media_statuses
    step(journey, page, "lesson-video", "lesson with a captioned video")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]

    # Keyboard: the transcript opens with Enter; the player takes focus and plays with the space bar.
    page.locator(".lesson-media__transcript summary").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(TRANSCRIPT)).to_be_visible()
    player.evaluate("video => { video.loop = true; }")  # a 1-second clip standing in for a long one
    player.focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.querySelector('video').paused")

    # The clip is loaded before the clock runs: the tests' SQLite serves one writer at a time.
    page.wait_for_load_state("networkidle")
    before = study_pings(page)
    with page.expect_response(lambda r: r.url.endswith("/study/")) as first:
        page.clock.run_for(MINUTE_MS)  # the key press counts as activity anyway
    with page.expect_response(lambda r: r.url.endswith("/study/")) as second:
        page.clock.run_for(MINUTE_MS)  # a minute with no input at all: the playing video is the activity
    assert first.value.status == second.value.status == 200
    assert study_pings(page) == before + 2

    player.evaluate("video => video.pause()")
    page.clock.run_for(MINUTE_MS)  # the pause's own timeupdate may still count once
    paused = study_pings(page)
    page.clock.run_for(3 * MINUTE_MS)
    assert study_pings(page) == paused, "no input and nothing playing: the study clock stays quiet"
    enrollment.refresh_from_db()
    assert enrollment.last_active_at is not None

    # paused mid-cue, so the shot shows the caption the track draws over the picture
    player.evaluate("video => { video.currentTime = 0.5; }")
    page.wait_for_function(
        "() => { const v = document.querySelector('video');"
        " return !v.seeking && v.textTracks[0].activeCues.length === 1; }"
    )
    step(journey, page, "lesson-video-transcript", "lesson video with a caption and the transcript open")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    box = player.bounding_box()
    assert box and box["width"] <= 390
    assert not problems, problems
    context.close()
