"""Issue 14's acceptance journey, in Chromium, one browser context per role.

An instructor with no course starts one from the CE course template, adds a module with a captioned video
and a module quiz with a new body-map question keyed by clicking zones on the learner's map, previews the
quiz and submits the course and module for moderation; a provider admin approves the CE hours and publishes
both; the instructor enrolls a class from a CSV list; a learner sets their password from the invitation
e-mail, watches the video and takes the quiz (their one attempt fails); the instructor finds them on the
roster and in the admin home's "needs attention" panel. Key screens are shot at 1280x800 and 390x844.

Set up by the ORM (not under test): the users, the provider, the clip and its captions in the libraries,
the course's NCBTMB approval.
"""

import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.files.base import ContentFile
from playwright.sync_api import expect
from wagtail.documents import get_document_model

from cms.roles import provider_admins_grant
from cms.services import site_tree_ensure
from courses.lesson_media import LessonMedia
from courses.models import CoursePage, Enrollment, ModulePage
from quizzes.models import Attempt, Question, QuestionKind, Quiz
from quizzes.topics import topics_ensure
from tests.courses.ce_records import approval_add
from tests.courses.media_clips import clip_bytes
from tests.e2e.a11y import check_accessibility, watch_console
from tests.e2e.instructors import instructors_group_ready
from tests.e2e.screens import AdminJourney, Journey
from tests.e2e.test_override_journey import logged_in_context
from tests.factories import InstructorFactory, ProviderAdminFactory, ProviderFactory, wagtail_base_ensure
from tests.quizzes import factories as qf

pytestmark = pytest.mark.e2e
WAIT_MS = 15_000  # the admin's saves are slow on a loaded machine: wait on conditions, never on the clock

TITLE = "Massage for the Hip Flexors"
OBJECTIVE = "Identify where a psoas major trigger point refers pain, on a body map"
MODULE = "The psoas and its referred pain"
STEM = "Where does an active trigger point in the left psoas major refer pain?"
KEY = ("lumbar-left", "groin")
CLASS_LIST = "Name,E-mail,License\r\nAna Souza,ana.souza@example.com,FL MA12345\r\n"
NEW_PASSWORD = "a long new passphrase 42"


@pytest.fixture
def authoring_world(transactional_db, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    wagtail_base_ensure()
    instructors_group_ready()
    qf.zones_create()
    topics_ensure()  # the built-in topics (a data migration's rows, gone after another test's flush)
    site_tree_ensure()
    provider_admins_grant()  # now that the catalogue exists: its page permissions and the moderation workflow
    importlib.import_module("cms.migrations.0009_media_permissions").grant(django_apps, None)
    ProviderFactory()
    instructor = InstructorFactory(username="dana.instructor", legal_name="Dana Whitfield", is_staff=False)
    video = LessonMedia.objects.create(
        title="Palpating the psoas",
        type="video",
        file=ContentFile(clip_bytes("clip.webm"), name="effleurage.webm"),
        width=64,
        height=64,
        duration=1,
        uploaded_by_user=instructor,
    )
    captions = get_document_model().objects.create(
        title="Palpating the psoas: captions (English)",
        file=ContentFile(clip_bytes("captions.vtt"), name="effleurage.vtt"),
        uploaded_by_user=instructor,
    )
    return {
        "instructor": instructor,
        "provider_admin": ProviderAdminFactory(username="pat.admin", legal_name="Pat Moreno"),
        "video": video,
        "captions": captions,
    }


def test_an_instructor_builds_a_course_that_a_provider_admin_publishes_and_a_class_takes(
    browser, live_server, authoring_world, tmp_path
):
    w = authoring_world
    expect.set_options(timeout=WAIT_MS)
    admin_shots, learner_shots = AdminJourney("course-authoring-admin"), Journey("course-authoring-learner")
    staff = logged_in_context(browser, live_server, w["instructor"]).new_page()
    staff.set_default_timeout(WAIT_MS)
    problems = watch_console(staff)

    # 1. An instructor with no course starts one from the template.
    staff.goto(live_server.url + "/admin/")
    staff.get_by_role("link", name="New course").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("New course")
    admin_shots.shoot(staff, "new-course")
    staff.get_by_label("Title").fill(TITLE)
    staff.get_by_role("button", name="Start the course").click()
    course = CoursePage.objects.get(title=TITLE)
    expect(staff).to_have_url(re.compile(rf"/admin/pages/{course.pk}/edit/$"))
    assert not course.live and course.instructor_assignments.filter(user=w["instructor"]).exists()

    # The template's fields explain themselves; CE hours and provider are the provider admin's to set.
    staff.get_by_role("button", name="Insert a block").first.click()
    staff.get_by_role("region", name=re.compile(r"^Objective")).get_by_role("textbox").fill(OBJECTIVE)
    admin_shots.shoot(staff, "course-draft", focus=staff.get_by_role("region", name="Learning objectives"))
    staff.get_by_role("button", name="Save draft").click()
    expect(staff.get_by_text("has been updated")).to_be_visible()

    # 2. A module with a captioned video.
    staff.goto(f"{live_server.url}/admin/pages/{course.pk}/add_subpage/")
    staff.get_by_role("textbox", name=re.compile(r"^Title\*?$")).fill(MODULE)
    staff.get_by_role("button", name="Insert a block").first.click()
    staff.get_by_role("option", name="Video or audio").click()
    staff.get_by_role("button", name="Choose a media item").click()
    staff.get_by_role("dialog").get_by_role("link", name=w["video"].title).click()
    video_block = staff.get_by_role("region", name="Video or audio")
    video_block.get_by_role("button", name="Add", exact=True).click()  # a caption track
    video_block.get_by_role("button", name="Choose a document").click()
    staff.get_by_role("dialog").get_by_role("link", name=w["captions"].title).click()
    staff.get_by_label("Transcript").fill(
        "Fingertips sink slowly beside the navel towards the psoas as the client breathes out."
    )
    admin_shots.shoot(staff, "module-video-block", focus=staff.get_by_label("Transcript"))
    staff.get_by_role("button", name="Save draft").click()
    # Wagtail says "Page '…' created." when this click creates the page, and "… has been updated." when the
    # editor's autosave created it first (on a busy machine): either is a save.
    expect(staff.get_by_text(re.compile(rf"Page '{MODULE}' (created|has been updated)"))).to_be_visible()
    module = ModulePage.objects.get(title=MODULE)
    assert module.get_parent().pk == course.pk and not module.live
    block = module.get_latest_revision_as_object().body[0]
    assert block.block_type == "media" and block.value["media"] == w["video"]
    assert [track["file"] for track in block.value["captions"]] == [w["captions"]]

    # 3. The module's quiz, and in it a new body-map question keyed by clicking the learner's map.
    staff.goto(f"{live_server.url}/admin/snippets/quizzes/quiz/add/")
    staff.get_by_role("textbox", name=re.compile(r"^Title")).fill("Quiz: the psoas and its referred pain")
    for kind, title in (("Course page", TITLE), ("Module page", MODULE)):
        staff.get_by_role("button", name=f"Choose a page ({kind})").click()
        chooser = staff.get_by_role("dialog")
        chooser.get_by_role("textbox", name="Search").fill(title)
        chooser.get_by_role("link", name=title).click()
        expect(chooser).to_be_hidden()
    staff.get_by_label("Max attempts").fill("1")
    staff.get_by_role("button", name="Save", exact=True).click()
    quiz = Quiz.objects.get(module=module)
    expect(staff).to_have_url(re.compile(rf"/admin/snippets/quizzes/quiz/(edit/{quiz.pk}/)?$"))
    staff.goto(f"{live_server.url}/admin/snippets/quizzes/quiz/edit/{quiz.pk}/")
    staff.get_by_role("tab", name="Question pool").click()
    staff.locator("[data-quiz-pool]").get_by_role("link", name="New question").click()
    staff.get_by_label("Kind").select_option(label="Body map (zones)")
    staff.get_by_label("Stem").fill(STEM)
    staff.get_by_label("Explanation").fill(
        "A left psoas trigger point refers along the left lumbar spine and into the groin."
    )
    staff.get_by_role("combobox", name=re.compile(r"^Topic")).select_option(label="Referred pain")
    key = staff.locator("[data-body-map-key]")
    for code in KEY:
        key.locator(f'path[data-zone="{code}"]').click()
    expect(key.locator("[data-zone-summary]")).to_have_text("Selected: Groin (front), Lumbar, left (back)")
    admin_shots.shoot(staff, "body-map-key", focus=key)
    staff.get_by_role("button", name="Save", exact=True).click()
    expect(staff).to_have_url(re.compile(rf"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/$"))
    question = Question.objects.get(stem=STEM)
    assert question.kind == QuestionKind.BODY_MAP and question.module_id == module.pk
    assert sorted(question.correct_zones.values_list("code", flat=True)) == sorted(KEY)

    # 4. The preview, as a learner would see it: nothing recorded, the key only after its own submit.
    with staff.context.expect_page() as opened:
        staff.get_by_role("link", name="Preview as a learner").first.click()
    preview = opened.value
    expect(preview.locator("[data-preview-banner]")).to_contain_text("Nothing is recorded")
    expect(preview.locator('fieldset[data-kind="body_map"]')).to_contain_text(STEM)
    expect(preview.locator("body")).not_to_contain_text("Correct answer")
    learner_shots.shoot(preview, "quiz-preview")
    preview.locator('fieldset[data-kind="body_map"] path[data-zone="groin"]').click()
    preview.get_by_role("button", name="Submit answers (preview)").click()
    expect(preview.locator("li", has_text=STEM).locator("[data-preview-key]")).to_contain_text("Lumbar, left")
    assert not Attempt.objects.exists()
    preview.close()

    # 5. Submit the course and its module for moderation (an instructor cannot publish).
    for page_id in (course.pk, module.pk):
        staff.goto(f"{live_server.url}/admin/pages/{page_id}/edit/")
        staff.get_by_role("button", name="More actions").click()
        expect(staff.get_by_role("button", name="Publish", exact=True)).to_have_count(0)
        staff.get_by_role("button", name="Submit to Course moderation").click()
        expect(staff.get_by_text("has been submitted for moderation")).to_be_visible()
    admin_shots.shoot(staff, "submitted")

    # 6. A provider admin finds both on the admin home, approves the CE hours and publishes. The course's
    #    NCBTMB approval, which publishing requires, is set by the ORM (its admin screens: CE approvals tests).
    approval_add(course, "NCBTMB", hours=Decimal("1.00"))
    moderator = logged_in_context(browser, live_server, w["provider_admin"]).new_page()
    moderator.set_default_timeout(WAIT_MS)
    moderator.goto(live_server.url + "/admin/")
    waiting = moderator.get_by_role("region", name="Course drafts awaiting moderation")
    expect(waiting).to_contain_text(TITLE)
    expect(waiting).to_contain_text(MODULE)
    admin_shots.shoot(moderator, "moderation-panel", focus=waiting)
    waiting.get_by_role("link", name=TITLE).click()
    expect(moderator).to_have_url(re.compile(rf"/admin/pages/{course.pk}/edit/$"))
    moderator.locator("#id_ce_hours").fill("1.00")
    admin_shots.shoot(moderator, "approve-ce-hours", focus=moderator.locator("#id_ce_hours"))
    moderator.get_by_role("button", name="More actions").click()
    moderator.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(moderator.get_by_role("status").first).to_contain_text(f"Page '{TITLE}' has been updated")
    moderator.goto(f"{live_server.url}/admin/pages/{module.pk}/edit/")
    moderator.get_by_role("button", name="More actions").click()
    moderator.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(moderator.get_by_role("status").first).to_contain_text(f"Page '{MODULE}' has been updated")
    admin_shots.shoot(moderator, "published", focus=moderator.get_by_role("link", name=MODULE).first)
    course.refresh_from_db()
    module.refresh_from_db()
    assert course.live and module.live and course.ce_hours == Decimal("1.00")

    # 7. The instructor enrolls a class from a CSV list; the new learner is invited by e-mail.
    class_file = tmp_path / "class.csv"
    class_file.write_text(CLASS_LIST, encoding="utf-8")
    staff.goto(f"{live_server.url}/admin/enrollment/")
    staff.get_by_role("link", name="Upload a class list").click()
    staff.get_by_label("Class list (CSV)").set_input_files(str(class_file))
    staff.get_by_role("button", name="Preview").click()
    expect(staff.locator(".class-enrollment-preview")).to_contain_text("New account + invitation")
    staff.get_by_role("button", name=re.compile(r"^Enroll 1 ")).click()
    expect(staff.get_by_text(re.compile(r"1 new accounts? invited"))).to_be_visible()
    enrollment = Enrollment.objects.get(course=course, source=Enrollment.Source.CSV)

    # 8. The learner sets a password from the invitation, watches the video and takes the quiz.
    invitation = next(m for m in mail.outbox if m.to == ["ana.souza@example.com"])
    link = re.search(r"https?://\S+/accounts/invitation/\S+", invitation.body)[0]
    learner = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    learner.set_default_timeout(WAIT_MS)
    learner_problems = watch_console(learner)
    learner.goto(link)
    learner.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    learner.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    learner.get_by_role("button", name="Set my password").click()
    expect(learner).to_have_url(re.compile(r"/dashboard/$"))
    expect(learner.get_by_text(TITLE).first).to_be_visible()
    learner_shots.shoot(learner, "dashboard")

    learner.goto(live_server.url + module.url)
    player = learner.locator("video.lesson-media__player")
    expect(player.locator('track[kind="captions"]')).to_have_count(1)
    learner.wait_for_function(
        "() => { const t = document.querySelector('video').textTracks[0];"
        " return t && t.mode === 'showing' && t.cues && t.cues.length > 0; }"
    )
    player.focus()
    learner.keyboard.press("Space")
    learner.wait_for_function("() => document.querySelector('video').currentTime > 0.5")
    learner_shots.shoot(learner, "lesson-video")
    check_accessibility(learner, "lesson with a captioned video")

    learner.goto(f"{live_server.url}/quizzes/{quiz.pk}/")
    learner.get_by_role("button", name=re.compile(r"^Start")).click()
    expect(learner).to_have_url(re.compile(r"/attempts/\d+/$"))
    body_map = learner.locator('fieldset[data-kind="body_map"]')
    body_map.locator('path[data-zone="groin"]').click()  # half the key: a wrong answer
    learner_shots.shoot(learner, "quiz-body-map")
    learner.get_by_role("button", name="Submit answers").click()
    expect(learner).to_have_url(re.compile(r"/result/$"))
    learner_shots.shoot(learner, "quiz-result")
    attempt = Attempt.objects.get(user=enrollment.user)
    assert not attempt.passed

    # 9. The instructor sees the learner on the admin home (out of attempts) and on the roster.
    staff.goto(live_server.url + "/admin/")
    needs_help = staff.get_by_role("region", name="Learners who may need help")
    expect(needs_help.locator("tr", has_text="Ana Souza")).to_contain_text("1 of 1")
    admin_shots.shoot(staff, "home-panels", focus=needs_help)
    staff.goto(f"{live_server.url}/admin/insight/courses/{course.pk}/roster/")
    row = staff.locator("tr", has_text="Ana Souza")
    expect(row).to_contain_text("ana.souza@example.com")
    expect(row).to_contain_text("of 50 min required")  # time on task against the approved 1 CE hour
    admin_shots.shoot(staff, "roster")
    assert not problems, problems
    assert not learner_problems, learner_problems
    for context in (staff.context, moderator.context, learner.context):
        context.close()  # no live-server thread keeps a database session open after the test
