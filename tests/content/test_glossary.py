"""The learner-facing anatomy glossary: pages, search, related modules, glossary links in lessons.

The real knowledge base is loaded once for the file (tests/shared_db.py) and each test's writes roll back;
the link tests on a small hand-made glossary are in test_glossary_links.py."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import ActionLevel, Muscle, Region
from content.selectors import matcher_build, muscles_in_module
from content.services import knowledge_base_load
from courses.related_selectors import related_modules
from tests.factories import MuscleFactory, module_create
from tests.shared_db import rolled_back

LIST_URL = "/anatomy/"


@pytest.fixture(scope="module")
def knowledge_base_built(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield knowledge_base_load()


@pytest.fixture
def knowledge_base(knowledge_base_built, db):
    """The conftest's fixture of the same name, loaded once for the file instead of for each test."""
    return knowledge_base_built


def links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every glossary link in the HTML."""
    return re.findall(r'<a class="glossary-link" href="([^"]+)"[^>]*>([^<]+)</a>', str(html))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# ---------------------------------------------------------------- glossary pages


def test_the_glossary_lists_every_muscle_grouped_by_region(client, knowledge_base):
    response = client.get(reverse("content:muscle_list"))
    assert response.status_code == 200
    html = response.content.decode()
    for muscle in Muscle.objects.all():
        assert f'href="/anatomy/{muscle.slug}/"' in html
    headings = re.findall(r'<h2 class="h4" id="region-(\w+)">', html)
    assert headings == [value for value in Region.values if Muscle.objects.filter(region=value).exists()]
    assert 'href="/anatomy/red-flags/"' in html
    assert "Saddle" in html or "saddle" in html  # the emergency quick reference


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "QL"}, ["quadratus-lumborum"]),
        ({"q": "ql"}, ["quadratus-lumborum"]),
        ({"q": "hamstrings"}, ["biceps-femoris", "semimembranosus", "semitendinosus"]),
        ({"q": "IT band"}, ["iliotibial-tract"]),
        ({"region": "neck_shoulder"}, ["rhomboids", "sternocleidomastoid", "trapezius"]),
        ({"q": "glute", "region": "hip"}, ["gluteus-maximus", "gluteus-medius", "gluteus-minimus"]),
        ({"q": "psoas", "region": "thigh"}, []),
    ],
)
def test_search_and_region_filter_work_without_javascript(client, knowledge_base, query, expected):
    html = client.get(LIST_URL, query).content.decode()
    found = sorted(set(re.findall(r'class="stretched-link" href="/anatomy/([\w-]+)/"', html)))
    assert found == expected
    if not expected:
        assert "No muscle matches" in html


def test_an_unknown_region_is_ignored_and_the_query_is_echoed_escaped(client, knowledge_base):
    html = client.get(LIST_URL, {"region": "elbow", "q": "<b>psoas</b>"}).content.decode()
    assert "&lt;b&gt;psoas&lt;/b&gt;" in html and "<b>psoas</b>" not in html
    all_muscles = client.get(LIST_URL, {"region": "elbow"}).content.decode()
    assert all_muscles.count('class="stretched-link"') == 24


def test_the_detail_page_shows_the_facts_zones_and_sources(client, knowledge_base):
    response = client.get(reverse("content:muscle_detail", args=["quadratus-lumborum"]))
    assert response.status_code == 200
    html = response.content.decode()
    muscle = response.context["muscle"]
    assert "<dt>Origin</dt>" in html and "<dt>Insertion</dt>" in html and "<dt>Innervation</dt>" in html
    assert "iliolumbar ligament" in html
    for zone in muscle.referred_zones.all():
        assert zone.name in html
        assert f'data-zone="{zone.code}"' in html  # drawn on the body figure
    assert "1918, p.420 (quadratus lumborum)" in html  # its sources cite the textbook page
    assert "Also called: QL" in html


def test_a_muscle_without_a_documented_pattern_says_so(client, knowledge_base):
    html = client.get("/anatomy/spinalis/").content.decode()
    assert "No referral zones are mapped" in html
    assert "data-zone=" not in html


def test_an_unknown_muscle_is_a_404(client, knowledge_base):
    assert client.get("/anatomy/no-such-muscle/").status_code == 404


def test_the_red_flag_page_lists_every_flag_by_action_level(client, knowledge_base):
    response = client.get(reverse("content:red_flag_list"))
    assert response.status_code == 200
    html = response.content.decode()
    levels = re.findall(r'<section class="red-flag-level" id="level-(\w+)"', html)
    assert levels == ["emergency", "refer_urgent", "refer_routine"]
    assert len(re.findall(r'<article class="red-flag red-flag--', html)) == 21
    assert (
        html.index('id="saddle-anaesthesia"')
        < html.index('id="renal-colic"')
        < html.index('id="renal-colic"') + 1
    )
    assert html.index('id="renal-colic"') < html.index('id="inflammatory-back-pain"')
    # the one scale, most urgent first, each level with the reference's definition
    scale = html[html.index('class="red-flag-scale"') : html.index('class="red-flag-level"')]
    labels = [label for _, label in ActionLevel.choices]
    assert [scale.index(label) for label in labels] == sorted(scale.index(label) for label in labels)
    assert "call 911" in scale and "safety-netting" in scale and "Treat with care" not in html


def test_glossary_queries_do_not_grow_with_the_number_of_muscles(
    client, knowledge_base, django_assert_max_num_queries
):
    client.get(LIST_URL)  # warm up: the glossary matcher is built on first use
    client.get("/anatomy/psoas-major/")
    list_before = count_queries(client, LIST_URL)
    detail_before = count_queries(client, "/anatomy/psoas-major/")
    for n in range(30):
        MuscleFactory(name=f"Extra muscle {n}", slug=f"extra-muscle-{n}", aliases=[f"extra {n}"])
    client.get("/anatomy/psoas-major/")  # the matcher is rebuilt once after the change
    assert count_queries(client, LIST_URL) == list_before
    assert count_queries(client, "/anatomy/psoas-major/") == detail_before
    with django_assert_max_num_queries(3):
        client.get(LIST_URL)
    with django_assert_max_num_queries(8):
        client.get("/anatomy/psoas-major/")


# ---------------------------------------------------------------- related modules


def test_related_modules_are_the_live_modules_that_mention_the_muscle(
    client, knowledge_base, course, modules
):
    psoas = Muscle.objects.get(slug="psoas-major")
    piriformis = Muscle.objects.get(slug="piriformis")
    minor = module_create(
        course, title="Psoas minor", body=[("rich_text", "<p>Psoas minor is often absent.</p>")]
    )
    card = module_create(
        course, title="Deep rotators", body=[("muscle_card", {"muscle": piriformis, "note": ""})]
    )
    draft = module_create(course, title="Draft", body=[("rich_text", "<p>The iliopsoas again.</p>")])
    draft.unpublish()

    found = [item["module"].pk for item in related_modules(muscle=psoas)]
    assert found == [m.pk for m in modules]
    assert minor.pk not in found and draft.pk not in found
    assert [item["module"].pk for item in related_modules(muscle=piriformis)] == [card.pk]
    assert related_modules(muscle=psoas)[0]["course"].pk == course.pk

    html = client.get("/anatomy/psoas-major/").content.decode()
    assert f'href="{modules[0].url}"' in html and course.title in html
    assert "No published lesson mentions" in client.get("/anatomy/rhomboids/").content.decode()


def test_related_modules_match_aliases_in_any_block(knowledge_base, course):
    module = module_create(
        course,
        title="QL",
        body=[
            ("heading", {"text": "Side bending", "anchor": ""}),
            ("key_points", {"title": "Key points", "points": ["The QL hikes the hip."]}),
        ],
    )
    ql = Muscle.objects.get(slug="quadratus-lumborum")
    assert [item["module"].pk for item in related_modules(muscle=ql)] == [module.pk]


def test_related_modules_cost_a_fixed_number_of_queries(
    knowledge_base, course, django_assert_max_num_queries
):
    psoas = Muscle.objects.get(slug="psoas-major")
    for n in range(6):
        module_create(course, title=f"Psoas {n}", body=[("rich_text", f"<p>Psoas lesson {n}.</p>")])
    related_modules(muscle=psoas)
    # the matcher's stamp, the view restrictions (public()), the modules, their courses
    with django_assert_max_num_queries(4):
        assert len(related_modules(muscle=psoas)) == 6


def test_rich_text_blocks_of_a_lesson_carry_glossary_links(client, knowledge_base, instructor, course):
    module = module_create(
        course,
        title="Hips",
        body=[
            ("rich_text", "<p>Release the TFL before the IT band.</p>"),
            ("heading", {"text": "The TFL", "anchor": "tfl"}),
        ],
    )
    rendered = str(module.body[0].render())
    assert 'class="rich-text lesson-text"' in rendered
    assert links(rendered) == [
        ("/anatomy/tensor-fasciae-latae/", "TFL"),
        ("/anatomy/iliotibial-tract/", "IT band"),
    ]
    client.force_login(instructor)
    page = client.get(module.url).content.decode()
    assert 'href="/anatomy/tensor-fasciae-latae/"' in page


# ---------------------------------------------------------------- mentions for a lesson sidebar


def test_muscles_in_module_include_muscle_cards(knowledge_base, course):
    piriformis = Muscle.objects.get(slug="piriformis")
    module = module_create(
        course,
        title="Mixed",
        body=[
            ("rich_text", "<p>The erectors and the SCM.</p>"),
            ("muscle_card", {"muscle": piriformis, "note": "Compare with glute max."}),
        ],
    )
    assert [m.slug for m in muscles_in_module(module)] == [
        "erector-spinae",
        "sternocleidomastoid",
        "piriformis",
        "gluteus-maximus",
    ]


def test_lesson_muscles_tag(knowledge_base, course):
    from django.template import Context, Template

    module = module_create(course, title="Back", body=[("rich_text", "<p>Multifidus and QL.</p>")])
    out = Template(
        "{% load glossary %}{% lesson_muscles page as ms %}{% for m in ms %}{{ m.name }};{% endfor %}"
    )
    assert out.render(Context({"page": module})) == "Multifidus;Quadratus lumborum;"


def test_matcher_build_prefers_a_muscles_own_name_over_another_alias():
    a = Muscle(pk=1, name="Alpha", slug="alpha", aliases=["beta"])
    b = Muscle(pk=2, name="Beta", slug="beta", aliases=[])
    matcher = matcher_build([a, b])
    assert matcher.entry_for("BETA").muscles == (b,)
