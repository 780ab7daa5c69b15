"""Glossary links in lesson text (`link_muscles`) and the muscles a lesson mentions, on a small hand-made
glossary (tests/content/test_glossary.py has the pages, on the real knowledge base)."""

import re

import pytest
from django.utils.safestring import SafeString, mark_safe

from content.models import Muscle
from content.selectors import muscles_mentioned
from content.templatetags.glossary import link_muscles
from tests.content.test_glossary import links
from tests.factories import MuscleFactory


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


def test_muscles_mentioned_in_order_with_shared_terms_expanded(glossary):
    found = muscles_mentioned("<p>QL first, then the hamstrings; QL again.</p>")
    assert [m.slug for m in found] == ["quadratus-lumborum", "biceps-femoris", "semitendinosus"]
    assert muscles_mentioned("") == []
