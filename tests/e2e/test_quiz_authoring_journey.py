"""Quiz authoring in one place (issue 14 item 2), in Chromium: the pool in the quiz's edit view, a new
body-map question keyed by clicking zones on the learner's map, and the preview as a learner sees it."""

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from cms.services import site_tree_ensure
from courses.services import course_instructor_assign
from quizzes.models import Attempt, Question, QuestionKind, Response
from tests.e2e.instructors import instructors_group_ready
from tests.e2e.screens import AdminJourney, Journey
from tests.e2e.test_override_journey import logged_in_context
from tests.factories import InstructorFactory, psoas_course, wagtail_base_ensure
from tests.quizzes import factories as qf
from tests.quizzes.test_item_analysis import record_attempts

pytestmark = pytest.mark.e2e

STEM = "Where does an active trigger point in psoas major refer pain?"


@pytest.fixture
def authoring_world(transactional_db):
    wagtail_base_ensure()
    instructors_group_ready()
    zones = qf.zones_create()
    _, catalogue = site_tree_ensure()
    course, module = psoas_course(catalogue)
    answered = [
        qf.single_choice(
            module, topic="attachments", stem="Where does psoas major insert?", family="psoas-insertion"
        ),
        qf.single_choice(
            module,
            topic="attachments",
            stem="Which muscle inserts on the lesser trochanter?",
            family="psoas-insertion",
        ),
    ]
    qf.vignette(module, stem="A client reports saddle numbness and new trouble passing urine after lifting.")
    quiz = qf.quiz_create(course, module, title="Quiz: the psoas and iliacus")
    record_attempts(quiz, answered[:1], {"A": [1], "B": [0], "C": [1], "D": [1]})
    instructor = InstructorFactory(username="dana.instructor", legal_name="Dana Whitfield", is_staff=False)
    course_instructor_assign(course=course, user=instructor)
    return {"quiz": quiz, "module": module, "instructor": instructor, "zones": zones}


@override_settings(ITEM_ANALYSIS_MIN_RESPONSES=4)
def test_an_instructor_keys_a_body_map_by_clicking_zones_and_previews_the_quiz(
    browser, live_server, authoring_world
):
    w = authoring_world
    admin, learner_view = AdminJourney("quiz-authoring-admin"), Journey("quiz-authoring-preview")
    context = logged_in_context(browser, live_server, w["instructor"])
    page = context.new_page()
    edit_url = f"{live_server.url}/admin/snippets/quizzes/quiz/edit/{w['quiz'].pk}/"

    # 1. The pool, in the quiz's edit view: by topic, kind and family, with each question's statistics.
    page.goto(edit_url)
    page.get_by_role("tab", name="Question pool").click()
    pool = page.locator("[data-quiz-pool]")
    expect(pool).to_contain_text("3 questions")
    expect(pool.locator("tr", has_text="Where does psoas major insert?")).to_contain_text("75%")
    expect(pool.locator("tr", has_text="lesser trochanter")).to_contain_text(
        "Not enough data yet (0 of 4 responses)"
    )
    admin.shoot(page, "pool", focus=pool)

    # 2. A new question from the pool: a body map keyed by clicking zones on the learner's map.
    pool.get_by_role("link", name="New question").click()
    page.get_by_label("Kind").select_option(label="Body map (zones)")
    page.get_by_label("Stem").fill(STEM)
    page.get_by_label("Explanation").fill(
        "Psoas refers along the lumbar spine and into the groin and front of the thigh."
    )
    key = page.locator("[data-body-map-key]")
    expect(key.locator("[data-body-map]")).to_be_visible()
    key.locator('path[data-zone="lumbar-left"]').click()
    key.locator('path[data-zone="groin"]').click()
    key.locator('path[data-zone="thigh-front"]').click()
    key.locator('path[data-zone="thigh-front"]').click()  # a second click clears it
    expect(key.locator("[data-zone-summary]")).to_have_text("Selected: Groin (front), Lumbar, left (back)")
    expect(key.locator('[data-zone-list] input[value="groin"]')).to_be_checked()
    admin.shoot(page, "body-map-key", focus=key)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/snippets/quizzes/quiz/edit/{w['quiz'].pk}/$"))
    question = Question.objects.get(stem=STEM)
    assert question.kind == QuestionKind.BODY_MAP and question.module_id == w["module"].pk
    assert sorted(question.correct_zones.values_list("code", flat=True)) == ["groin", "lumbar-left"]
    page.get_by_role("tab", name="Question pool").click()
    expect(page.locator("[data-quiz-pool]")).to_contain_text(STEM)

    # The key reopens on the map as it was saved.
    page.goto(f"{live_server.url}/admin/snippets/quizzes/question/edit/{question.pk}/")
    key = page.locator("[data-body-map-key]")
    expect(key.locator('path[data-zone="groin"]')).to_have_attribute("aria-checked", "true")
    expect(key.locator('path[data-zone="thigh-front"]')).to_have_attribute("aria-checked", "false")

    # 3. The preview: the learner's page, no key before its own submit, nothing recorded.
    page.goto(f"{live_server.url}/admin/snippets/quizzes/quiz/preview/{w['quiz'].pk}/")
    expect(page.locator("[data-preview-banner]")).to_contain_text("Nothing is recorded")
    expect(page.locator("fieldset.quiz-question")).to_have_count(3)  # one of the psoas-insertion family
    expect(page.locator("body")).not_to_contain_text("Correct answer")
    learner_view.shoot(page, "preview")
    body_map = page.locator('fieldset[data-kind="body_map"]')
    body_map.locator('path[data-zone="groin"]').click()
    page.get_by_role("button", name="Submit answers (preview)").click()
    expect(page.locator("[data-preview-result]")).to_be_visible()
    expect(page.locator("li", has_text=STEM).locator("[data-preview-key]")).to_contain_text("Lumbar, left")
    learner_view.shoot(page, "preview-result")
    assert Attempt.objects.count() == 4 and Response.objects.count() == 4  # only the recorded ones
    context.close()
