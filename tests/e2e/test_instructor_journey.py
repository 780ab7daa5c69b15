"""An instructor in the Wagtail admin, in Chromium: import an article, edit and publish the module, upload an
image, add a question of each of the seven kinds, and read the item analysis of a quiz with graded attempts."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from wagtail.images import get_image_model

from cms.services import site_tree_ensure
from content.models import SourceArticle
from courses.models import ModulePage
from courses.services import course_instructor_assign
from quizzes.models import Question, QuestionKind
from tests.e2e.a11y import watch_console
from tests.e2e.instructors import instructors_group_ready
from tests.e2e.screens import AdminJourney
from tests.factories import (
    InstructorFactory,
    ProviderAdminFactory,
    ProviderFactory,
    course_create,
    module_create,
    psoas_course,
    wagtail_base_ensure,
)
from tests.quizzes import factories as qf
from tests.quizzes.test_item_analysis import MATRIX, record_attempts

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
# "Back pain due to tight psoas", with the headings "The culprit" and "The solution".
ARTICLE = Path(__file__).parents[1] / "content" / "articles" / "001_b926f76fb498bbb7.txt"
HARD_STEM = "Which nerve roots supply psoas major?"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def instructor_world(transactional_db, settings):
    settings.ITEM_ANALYSIS_MIN_RESPONSES = 6  # six learners: judge the questions on their six responses
    wagtail_base_ensure()
    instructors_group_ready()
    zones = qf.zones_create()
    _, catalogue = site_tree_ensure()
    course, module = psoas_course(catalogue)
    # A module quiz that six learners have taken: the fourth question is answered by one of them only.
    questions = [
        qf.single_choice(
            module,
            stem="Where does psoas major insert?",
            right="Lesser trochanter of the femur",
            wrong=("Greater trochanter", "Ischial tuberosity", "Iliac crest"),
        ),
        qf.single_choice(
            module,
            stem="Which muscle shares the psoas tendon?",
            right="Iliacus",
            wrong=("Piriformis", "Quadratus lumborum", "Gluteus medius"),
        ),
        qf.single_choice(
            module,
            stem="What does psoas major do at the hip?",
            right="Flexes the hip",
            wrong=("Extends the hip", "Abducts the hip", "Nothing"),
        ),
        qf.single_choice(
            module,
            stem=HARD_STEM,
            right="L1 to L3 (ventral rami)",
            wrong=("S1 to S3", "C5 to C7", "T1 to T3"),
        ),
    ]
    quiz = qf.quiz_create(course, module, title="Quiz: the psoas and iliacus")
    record_attempts(quiz, questions, MATRIX)
    # Another course with a quiz of its own, which this instructor does not teach.
    other = course_create(
        catalogue, title="Neck and Shoulders", slug="neck-and-shoulders", provider=ProviderFactory()
    )
    other_quiz = qf.quiz_create(
        other, module_create(other, title="The upper trapezius"), title="Quiz: the upper trapezius"
    )
    instructor = InstructorFactory(username="dana.instructor", legal_name="Dana Whitfield", is_staff=False)
    course_instructor_assign(course=course, user=instructor)  # page rights on this course only
    return {
        "course": course,
        "module": module,
        "quiz": quiz,
        "zones": zones,
        "instructor": instructor,
        "hard": questions[3],
        "other_quiz": other_quiz,
    }


def log_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bodywork CE")


def save_snippet(page):
    page.get_by_role("button", name="Save", exact=True).click()


def option_rows(page):
    return page.locator("[data-inline-panel-child]:not(.deleted)")


def add_options(page, options):
    """options: (text, match_text, is_correct) triples, added with the inline panel's "Add option" button."""
    for text, match_text, correct in options:
        page.get_by_role("button", name="Add option").click()
        row = option_rows(page).last
        if text:
            row.get_by_label("Text", exact=True).fill(text)
        if match_text:
            row.get_by_label("Match text").fill(match_text)
        if correct:
            row.get_by_label("Is correct").check()


QUESTIONS = [
    (
        QuestionKind.SINGLE_CHOICE,
        "Single choice",
        "Which muscle flexes the hip most strongly?",
        [("Iliopsoas", "", True), ("Gluteus maximus", "", False), ("Hamstrings", "", False)],
    ),
    (
        QuestionKind.MULTIPLE_RESPONSE,
        "Multiple response",
        "Which muscles attach to the lesser trochanter?",
        [("Psoas major", "", True), ("Iliacus", "", True), ("Piriformis", "", False)],
    ),
    (
        QuestionKind.TRUE_FALSE,
        "True / false",
        "Psoas major attaches to the lumbar vertebrae.",
        [("True", "", True), ("False", "", False)],
    ),
    (
        QuestionKind.MATCHING,
        "Matching",
        "Match each muscle to its insertion.",
        [
            ("Psoas major", "Lesser trochanter", False),
            ("Piriformis", "Greater trochanter", False),
            ("", "Ischial tuberosity", False),
        ],
    ),
    (
        QuestionKind.ORDERING,
        "Ordering",
        "Put the steps of a psoas release in order.",
        [
            ("Explain and get consent", "", False),
            ("Locate the muscle", "", False),
            ("Apply gentle pressure", "", False),
        ],
    ),
    (
        QuestionKind.CASE_VIGNETTE,
        "Case vignette",
        "A client has new numbness in the saddle area and trouble passing urine. What do you do?",
        [("Treat", "", False), ("Refer (routine)", "", False), ("Emergency (call 911 / ED now)", "", True)],
    ),
    (
        QuestionKind.BODY_MAP,
        "Body map (zones)",
        "Where does a quadratus lumborum trigger point refer pain?",
        [],
    ),
]


def test_import_edit_publish_upload_write_questions_and_read_item_analysis(
    page, live_server, instructor_world
):
    journey = AdminJourney("instructor")
    world = instructor_world
    course, instructor = world["course"], world["instructor"]

    page.set_default_timeout(10_000)
    problems = watch_console(page)  # the admin too must work under its CSP

    # 1. Log in to the admin as an instructor (not a superuser).
    log_in(page, live_server, instructor.username)
    journey.shoot(page, "admin-dashboard")

    # 2. Import an article as a draft module of the course.
    page.get_by_role("link", name="Import article").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import article")
    courses = page.get_by_label("Course")
    expect(courses.locator("option")).to_have_text(
        ["Choose a course…", course.title]
    )  # only the course they teach
    courses.select_option(label=course.title)
    page.get_by_label("Article file").set_input_files(str(ARTICLE))
    journey.shoot(page, "import-form")
    page.get_by_role("button", name="Import as draft").click()
    expect(page.get_by_text("as a new draft module")).to_be_visible()
    source = SourceArticle.objects.get(course=course, file_name=ARTICLE.name)
    imported = ModulePage.objects.get(pk=source.module_id)
    assert not imported.live and imported.get_parent().pk == course.pk
    expect(page).to_have_url(re.compile(rf"/admin/pages/{imported.pk}/edit/"))
    journey.shoot(page, "imported-draft")

    # 3. Edit the first heading of the draft and submit it for moderation (instructors do not publish); a
    #    provider admin approves it (their side in the browser: test_course_creation_journey).
    heading = page.get_by_role("textbox", name=re.compile(r"^Text\*?$")).first
    expect(heading).to_have_value("The culprit")
    heading.fill("The culprit: a short, tight psoas")
    journey.shoot(page, "edit-heading", focus=heading)
    page.get_by_role("button", name="More actions").click()
    expect(page.get_by_role("button", name=re.compile("^Publish"))).to_have_count(0)
    page.get_by_role("button", name=re.compile("Submit to Course moderation")).click()
    expect(page.get_by_text("has been submitted for moderation")).to_be_visible()
    journey.shoot(page, "submitted")
    imported.refresh_from_db()
    assert not imported.live
    imported.current_workflow_task_state.approve(user=ProviderAdminFactory())
    imported.refresh_from_db()
    assert imported.live

    page.goto(live_server.url + imported.url)
    expect(page.get_by_role("heading", name="The culprit: a short, tight psoas")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(imported.title)
    journey.shoot(page, "published-module-on-site")

    # 4. Upload an image for the lesson.
    page.goto(live_server.url + "/admin/images/multiple/add/")
    page.locator("input[type=file]").set_input_files(str(Path(__file__).parent / "fixtures" / "psoas.png"))
    expect(page.get_by_text("Upload successful. Please update this image")).to_be_visible()
    page.get_by_label("Title").fill("Palpating the psoas")
    page.get_by_label("Description").fill(
        "A therapist's fingertips sinking beside the navel towards the psoas."
    )
    journey.shoot(page, "image-uploaded")
    with page.expect_response(
        lambda r: "/admin/images/multiple/" in r.url and r.request.method == "POST"
    ) as saved:
        page.get_by_role("button", name="Update").click()
    assert saved.value.ok
    image = get_image_model().objects.get(uploaded_by_user=instructor)
    assert (image.title, image.width, image.height) == ("Palpating the psoas", 320, 200)
    assert image.description.startswith("A therapist's fingertips")

    # 5. Add a question of each kind to the question bank.
    for kind, label, stem, options in QUESTIONS:
        page.goto(live_server.url + "/admin/snippets/quizzes/question/add/")
        page.get_by_label("Kind").select_option(label=label)
        page.get_by_label("Stem").fill(stem)
        page.get_by_label("Explanation").fill(f"Why: {stem}")
        add_options(page, options)
        if kind == QuestionKind.BODY_MAP:
            key = page.locator(
                "[data-body-map-key]"
            )  # the learner's map: a zone clicked, one ticked in the list
            key.locator('path[data-zone="lumbar-left"]').click()
            key.locator("[data-zone-list]").get_by_label("Upper buttock (back)").check()
            expect(key.locator("[data-zone-summary]")).to_contain_text("Lumbar, left (back)")
        if kind == QuestionKind.SINGLE_CHOICE:  # where it is taught: the page chooser, searched by title
            page.get_by_role("button", name="Choose a page").click()
            chooser = page.get_by_role("dialog")
            chooser.get_by_role("textbox", name="Search").fill("psoas and iliacus")
            chooser.get_by_role("link", name=world["module"].title).click()
            expect(page.locator("#id_module-title")).to_have_text(world["module"].title)
        if kind == QuestionKind.MATCHING:
            journey.shoot(page, "question-form-matching")
        save_snippet(page)
        expect(page).to_have_url(re.compile(r"/admin/snippets/quizzes/question/$"))
        expect(page.get_by_role("status")).to_contain_text("created")
        saved = list(Question.objects.filter(stem=stem))
        assert len(saved) == 1, f"{label} saved {len(saved)} times, at {[q.created_at for q in saved]}"
        question = saved[0]
        assert question.kind == kind
        assert question.module_id == (world["module"].pk if kind == QuestionKind.SINGLE_CHOICE else None)
        if kind == QuestionKind.BODY_MAP:
            assert sorted(question.correct_zones.values_list("code", flat=True)) == [
                "buttock-upper",
                "lumbar-left",
            ]
        else:
            assert [
                (o.text, o.match_text, o.is_correct) for o in question.options.order_by("sort_order")
            ] == options
    journey.shoot(page, "question-bank")

    # 6. Item analysis of the module quiz: one question is flagged as too hard; open it to edit.
    page.goto(live_server.url + "/admin/")
    page.get_by_role("button", name="Quizzes").click()
    # the sidebar's entry (the admin home's panels link to item analysis too)
    page.get_by_role("list", name="Quizzes").get_by_role("link", name="Item analysis").click()
    expect(page.get_by_role("link", name=world["quiz"].title)).to_be_visible()
    expect(page.get_by_role("link", name=world["other_quiz"].title)).to_have_count(0)  # not their course
    page.get_by_role("link", name=world["quiz"].title).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world["quiz"].title)
    expect(page.locator(".insight-cards")).to_contain_text("1 of 4")
    journey.shoot(page, "item-analysis")
    flagged = page.locator("#section-flagged tbody.is-flagged")  # the flagged group comes first, open
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("too hard")
    journey.shoot(page, "item-analysis-flagged", focus=flagged)
    flagged.get_by_role("link", name=HARD_STEM).click()
    expect(page).to_have_url(re.compile(rf"/admin/snippets/quizzes/question/edit/{world['hard'].pk}/"))
    expect(page.get_by_label("Stem")).to_have_value(HARD_STEM)
    journey.shoot(page, "flagged-question-edit")
    assert problems == []
