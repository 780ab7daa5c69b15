"""Site pages and lesson blocks render in the site style: home, error pages, every block template."""

import re
from io import BytesIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from content.models import ActionLevel
from courses.blocks import ModuleBodyBlock
from courses.models import ModuleProgress
from tests.factories import EnrollmentFactory, MuscleFactory, RedFlagFactory

# An executable <script> element without a src attribute: forbidden everywhere (a CSP comes later).
# JSON data blocks (<script type="application/json">, as Wagtail's userbar writes) never execute.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)(?![^>]*\btype\s*=\s*[\"']application/(?:ld\+)?json)[^>]*>", re.IGNORECASE
)

BODY = ModuleBodyBlock()


def render_block(name, value):
    block = BODY.child_blocks[name]
    return block.render(block.normalize(value))


@pytest.fixture
def muscle(db):
    return MuscleFactory(
        name="Psoas major",
        slug="psoas-major",
        origin="Bodies and transverse processes of T12 to L5",
        insertion="Lesser trochanter of the femur",
        actions=["Flexes the hip", "Flexes the trunk"],
        innervation="Anterior rami of L1 to L3",
        referred_pain="Low back and upper buttock",
    )


@pytest.fixture
def image(db):
    buffer = BytesIO()
    PILImage.new("RGB", (1200, 600), "#2f6f68").save(buffer, format="PNG")
    upload = SimpleUploadedFile("diagram.png", buffer.getvalue(), content_type="image/png")
    return get_image_model().objects.create(title="Psoas diagram", file=upload)


# ---------- home page ----------


def test_home_page_lists_course_cards_with_provider_and_how_it_works(client, course, modules):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="course-card"' in html
    assert course.title in html
    assert f'href="{course.url}"' in html
    assert "3 modules" in html
    assert "2 CE hours" in html
    assert f"#{course.provider.ncbtmb_provider_number}" in html
    assert "How it works" in html
    assert "Earn your certificate" in html
    # an anonymous visitor sees no progress bar
    assert "<progress" not in html


def test_home_page_shows_an_enrolled_learners_progress(client, course, modules, learner):
    enrollment = EnrollmentFactory(user=learner, course=course)
    ModuleProgress.objects.create(enrollment=enrollment, module=modules[0], completed_at=timezone.now())
    client.force_login(learner)

    html = client.get("/").content.decode()

    assert re.search(r'<progress[^>]*value="33"[^>]*max="100"', html)
    assert "Continue learning" in html


def test_home_page_without_courses_says_so(client, site_tree):
    html = client.get("/").content.decode()

    assert "New courses are on the way" in html
    assert 'class="course-card"' not in html


def test_navbar_marks_the_current_section(client, course):
    html = client.get("/courses/").content.decode()

    assert re.search(r'<a class="nav-link active" href="/courses/" aria-current="page">Courses</a>', html)
    assert 'aria-current="page">Anatomy glossary' not in html


# ---------- blocks ----------


def test_heading_block_has_its_anchor_as_id():
    html = render_block("heading", {"text": "Where the psoas attaches", "anchor": "psoas-attachments"})

    assert '<h2 class="lesson-heading" id="psoas-attachments">Where the psoas attaches</h2>' in html


def test_heading_block_without_anchor_gets_an_id_from_its_text():
    html = render_block("heading", {"text": "Red flags first", "anchor": ""})

    assert 'id="red-flags-first"' in html


def test_key_points_block_lists_every_point():
    html = render_block("key_points", {"title": "Remember", "points": ["First point", "Second <point>"]})

    assert 'class="key-points"' in html
    assert "Remember" in html
    assert "<li>First point</li>" in html
    assert "<li>Second &lt;point&gt;</li>" in html


def test_muscle_card_links_to_the_glossary_and_lists_attachments(muscle):
    html = render_block("muscle_card", {"muscle": muscle, "note": "Why it matters here"})

    assert f'<a href="{muscle.get_absolute_url()}">Psoas major</a>' in html
    assert muscle.get_absolute_url() == "/anatomy/psoas-major/"
    for label, text in [
        ("Origin", muscle.origin),
        ("Insertion", muscle.insertion),
        ("Innervation", muscle.innervation),
        ("Referred pain", muscle.referred_pain),
    ]:
        assert re.search(rf"<dt>{label}</dt><dd>{re.escape(text)}</dd>", html), label
    assert "<li>Flexes the hip</li><li>Flexes the trunk</li>" in html
    assert "Why it matters here" in html


def test_muscle_card_without_referred_pain_leaves_the_row_out(db):
    html = render_block("muscle_card", {"muscle": MuscleFactory(referred_pain=""), "note": ""})

    assert "Referred pain" not in html
    assert "In this lesson" not in html


@pytest.mark.parametrize("level", [choice.value for choice in ActionLevel])
def test_red_flag_callout_is_styled_and_labelled_by_action_level(db, level):
    flag = RedFlagFactory(
        sign="Numb saddle area",
        suspected_condition="Cauda equina syndrome",
        action_level=level,
        action="Send to the emergency department now.",
    )

    html = render_block("red_flag", {"red_flag": flag, "note": "Ask at intake."})

    assert f'class="red-flag red-flag--{level}"' in html
    assert 'role="note"' in html
    assert f'aria-label="Red flag, {flag.get_action_level_display().lower()}: Numb saddle area"' in html
    assert flag.get_action_level_display() in html
    assert "Cauda equina syndrome" in html
    assert "Send to the emergency department now." in html
    assert "Ask at intake." in html
    assert "<svg" in html


def test_figure_block_uses_contextual_alt_text_and_caption(image):
    html = render_block(
        "figure",
        {
            "image": {"image": image, "decorative": False, "alt_text": "Psoas running to the femur"},
            "caption": "Psoas major from the front",
            "credit": "Bodywork CE",
        },
    )

    assert '<figure class="lesson-figure">' in html
    assert 'alt="Psoas running to the femur"' in html
    assert 'width="800"' in html
    assert "<figcaption>" in html and "Psoas major from the front" in html
    assert "Credit: Bodywork CE" in html


def test_decorative_figure_has_empty_alt(image):
    html = render_block(
        "figure", {"image": {"image": image, "decorative": True, "alt_text": ""}, "caption": "", "credit": ""}
    )

    assert 'alt=""' in html
    assert "<figcaption>" not in html


def test_editors_note_shows_the_claim_and_the_correction():
    html = render_block(
        "editors_note",
        {
            "article_claim": "The psoas attaches to the pelvis.",
            "correction": "It runs from the lumbar spine to the lesser trochanter.",
            "reference": "Gray's Anatomy",
        },
    )

    assert 'class="editors-note"' in html and 'role="note"' in html
    assert "Editor's note" in html
    assert "The article says" in html and "The psoas attaches to the pelvis." in html
    assert "The evidence says" in html and "lesser trochanter" in html
    assert "<cite>Gray&#x27;s Anatomy</cite>" in html


def test_source_citation_links_to_the_url_when_given():
    html = render_block(
        "source_citation",
        {
            "title": "Tight psoas",
            "author": "A. Writer",
            "file_name": "001.txt",
            "url": "https://example.com/a",
            "note": "",
        },
    )

    assert 'class="source-citation"' in html
    assert '<a href="https://example.com/a" rel="noopener">Tight psoas</a>' in html
    assert "A. Writer" in html
    assert "001.txt" not in html  # the imported file's name is provenance, not for learners


def test_every_lesson_block_has_a_template_and_the_site_preview():
    for name, block in BODY.child_blocks.items():
        assert block.get_template(None), name
        if name != "rich_text":
            assert block.get_preview_template(None) == "blocks/preview.html", name


@pytest.mark.parametrize(
    "name, css_class",
    [
        ("heading", "lesson-heading"),
        ("key_points", "key-points"),
        ("muscle_card", "muscle-card"),
        ("red_flag", "red-flag red-flag--emergency"),
        ("figure", "lesson-figure"),
        ("editors_note", "editors-note"),
        ("source_citation", "source-citation"),
    ],
)
def test_block_preview_in_the_admin_shows_the_block_with_the_site_styles(
    client, instructor, muscle, image, name, css_class
):
    RedFlagFactory(slug="saddle-anaesthesia", action_level=ActionLevel.EMERGENCY)
    client.force_login(instructor)

    response = client.get("/admin/block-preview/", {"id": BODY.child_blocks[name].definition_prefix})

    assert response.status_code == 200
    html = response.content.decode()
    assert "css/site.css" in html
    assert f'class="{css_class}"' in html


# ---------- error pages ----------


def test_404_page_is_in_the_site_style(client, site_tree):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "css/site.css" in html
    assert "Bodywork" in html and "site-nav" in html and "site-footer" in html
    assert "couldn’t find that page" in html


def test_403_page_offers_login_to_anonymous_visitors(db):
    request = RequestFactory().get("/certificates/1/")
    request.user = AnonymousUser()

    html = render_to_string("403.html", request=request)

    assert "isn’t open to you" in html
    assert "/accounts/login/?next=/certificates/1/" in html


def test_500_page_renders_without_context_or_database():
    # No `db` fixture: pytest-django raises on any database access.
    html = render_to_string("500.html")

    assert "css/site.css" in html
    assert "Something went wrong" in html


# ---------- no inline scripts ----------


@pytest.mark.parametrize("who", ["anonymous", "learner", "instructor"])
def test_pages_have_no_inline_script(client, course, modules, learner, instructor, who):
    if who != "anonymous":
        user = learner if who == "learner" else instructor
        client.force_login(user)
        if who == "learner":
            EnrollmentFactory(user=learner, course=course)
    urls = ["/", course.url, modules[0].url, "/no-such-page/"]

    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        html = response.content.decode()
        assert "<script" in html, url  # the site scripts are there, from files
        assert INLINE_SCRIPT.findall(html) == [], url


def test_inline_script_check_catches_inline_code_but_not_json_data():
    assert INLINE_SCRIPT.findall('<script>alert(1)</script><script type="module">x()</script>') == [
        "<script>",
        '<script type="module">',
    ]
    assert INLINE_SCRIPT.findall('<script src="/static/js/site.js" defer></script>') == []
    assert INLINE_SCRIPT.findall('<script id="cfg" type="application/json">{}</script>') == []
