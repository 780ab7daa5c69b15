"""The learner-facing anatomy glossary: pages, search, related modules, glossary links in lessons."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from content.models import ActionLevel, Muscle, Region
from content.selectors import matcher_build, muscles_in_module, muscles_mentioned
from content.templatetags.glossary import link_muscles
from courses.selectors import related_modules
from tests.factories import MuscleFactory, module_create

LIST_URL = "/anatomy/"


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


# ---------------------------------------------------------------- link_muscles


@pytest.fixture
def glossary(db):
    for name, aliases in [
        ("Psoas major", ["psoas", "iliopsoas"]),
        ("Quadratus lumborum", ["QL"]),
        ("Iliotibial tract", ["IT band", "IT track"]),
        ("Rectus abdominis", ["abs", "six-pack"]),
        ("Biceps femoris", ["hamstrings"]),
        ("Semitendinosus", ["hamstrings"]),
        ("Tensor fasciae latae", ["TFL"]),
    ]:
        MuscleFactory(name=name, slug=re.sub(r"\W+", "-", name.lower()), aliases=aliases)


def test_aliases_link_in_any_case(glossary):
    html = link_muscles(mark_safe("<p>Work the PSOAS, then the ql and the it Band.</p>"))
    assert links(html) == [
        ("/anatomy/psoas-major/", "PSOAS"),
        ("/anatomy/quadratus-lumborum/", "ql"),
        ("/anatomy/iliotibial-tract/", "it Band"),
    ]
    assert isinstance(html, SafeString)


def test_only_the_first_mention_of_each_muscle_is_linked(glossary):
    html = link_muscles(mark_safe("<p>Psoas major is deep.</p><p>The psoas flexes; psoas major again.</p>"))
    assert links(html) == [("/anatomy/psoas-major/", "Psoas major")]


def test_longest_match_first_and_whole_words_only(glossary):
    html = link_muscles(mark_safe("<p>Abstract: the tensor fasciae latae (not the TFLs) and psoasish.</p>"))
    assert links(html) == [("/anatomy/tensor-fasciae-latae/", "tensor fasciae latae")]
    html = link_muscles(mark_safe("<p>Rectus abdominis, the six pack or abs.</p>"))
    assert links(html) == [("/anatomy/rectus-abdominis/", "Rectus abdominis")]


def test_never_inside_links_or_headings(glossary):
    html = link_muscles(
        mark_safe('<h3>The psoas</h3><p><a href="/elsewhere/">psoas release</a> and the psoas itself.</p>')
    )
    assert links(html) == [("/anatomy/psoas-major/", "psoas")]
    assert "<h3>The psoas</h3>" in html and '<a href="/elsewhere/">psoas release</a>' in html
    assert html.endswith(
        'the <a class="glossary-link" href="/anatomy/psoas-major/" '
        'title="Psoas major in the anatomy glossary">psoas</a> itself.</p>'
    )


def test_a_term_shared_by_several_muscles_links_to_a_glossary_search(glossary):
    html = link_muscles(mark_safe("<p>Tight hamstrings and the biceps femoris.</p>"))
    assert links(html) == [
        ("/anatomy/?q=hamstrings", "hamstrings"),
        ("/anatomy/biceps-femoris/", "biceps femoris"),
    ]


def test_psoas_minor_is_not_linked_as_psoas_major(glossary):
    assert links(link_muscles(mark_safe("<p>Psoas minor, then psoas.</p>"))) == [
        ("/anatomy/psoas-major/", "psoas")
    ]


def test_plain_text_is_escaped_and_markup_is_kept(glossary):
    html = link_muscles('<script>alert("psoas")</script> & QL')
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    kept = link_muscles(mark_safe('<p data-block-key="x1">A <b>QL</b> point &amp; more&nbsp;text.</p>'))
    assert kept.startswith('<p data-block-key="x1">A <b><a class="glossary-link"')
    assert link_muscles(mark_safe("<p>No muscle here.</p>")) == "<p>No muscle here.</p>"


def test_link_muscles_costs_one_query_once_warm(glossary, django_assert_num_queries):
    link_muscles(mark_safe("<p>psoas</p>"))
    with django_assert_num_queries(1):
        link_muscles(mark_safe("<p>psoas and QL</p>"))


def test_the_matcher_notices_new_and_renamed_muscles(glossary):
    link_muscles(mark_safe("<p>piriformis</p>"))
    MuscleFactory(name="Piriformis", slug="piriformis", aliases=[])
    assert links(link_muscles(mark_safe("<p>piriformis</p>"))) == [("/anatomy/piriformis/", "piriformis")]
    Muscle.objects.filter(slug="quadratus-lumborum").delete()
    assert links(link_muscles(mark_safe("<p>QL</p>"))) == []


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


def test_muscles_mentioned_in_order_with_shared_terms_expanded(glossary):
    found = muscles_mentioned("<p>QL first, then the hamstrings; QL again.</p>")
    assert [m.slug for m in found] == ["quadratus-lumborum", "biceps-femoris", "semitendinosus"]
    assert muscles_mentioned("") == []


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
