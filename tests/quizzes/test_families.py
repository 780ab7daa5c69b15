"""Issue 13 item 5: which generated questions are one family (drawn at most one per attempt) and
which are application items. Built from the knowledge base, checked against what the questions say."""

import functools
from collections import defaultdict

import pytest

from content.services import knowledge_base_load
from quizzes import generators as gen
from quizzes.generators.families import referral_family
from quizzes.generators.handwritten import manual_spec
from quizzes.models import QuestionKind
from tests.shared_db import rolled_back


@pytest.fixture(scope="module")
def kb_built(django_db_setup, django_db_blocker):
    """The knowledge base loaded once for the file (tests/shared_db.py), read as plain frozen facts."""
    with rolled_back(django_db_blocker):
        knowledge_base_load()
        yield gen.knowledge_base_read()


@pytest.fixture
def kb(kb_built, db):
    return kb_built


@functools.lru_cache(maxsize=2)
def _bank(kb):
    specs = gen.questions_build(kb, seed=gen.DEFAULT_SEED)
    gen.families_assign(specs, {m.slug: m.zones for m in kb.muscles})
    return specs


@pytest.fixture
def bank(kb):
    return _bank(kb)


def test_every_question_on_one_red_flag_is_one_family(bank):
    by_flag = defaultdict(set)
    for spec in bank:
        if spec.red_flag:
            by_flag[spec.red_flag].add(spec.family)
    assert len(by_flag) >= 18
    assert all(families == {f"flag:{flag}"} for flag, families in by_flag.items())


def test_a_fact_asked_both_ways_is_one_family(bank):
    family = {spec.key: spec.family for spec in bank}
    checked = 0
    for spec in bank:
        if spec.key.startswith("inserts-on:"):
            muscle = spec.key.split(":")[1]
            assert family[f"insertion:{muscle}"] == spec.family  # the reverse pair
            checked += 1
        if spec.key.startswith("actions:"):
            muscle = spec.key.split(":")[1]
            assert family.get(f"action:{muscle}", spec.family) == spec.family  # single / multiple
    assert checked >= 15


def test_identical_body_maps_and_the_zone_questions_keyed_on_them_are_one_family(kb, bank):
    maps = [s for s in bank if s.kind == QuestionKind.BODY_MAP]
    by_zones = defaultdict(set)
    for spec in maps:
        by_zones[spec.zones].add(spec.family)
    assert all(len(families) == 1 for families in by_zones.values())
    assert any(len([s for s in maps if s.zones == zones]) > 1 for zones in by_zones)  # the adductors, ...
    zones_of = {m.slug: m.zones for m in kb.muscles}
    for spec in bank:
        if spec.key.startswith("referral-zone:") and not spec.red_flag:
            assert spec.family == referral_family(zones_of[spec.muscle])


def test_different_facts_are_different_families(bank):
    families = defaultdict(list)
    for spec in bank:
        families[spec.family].append(spec.key)
    mixed = {
        family: keys
        for family, keys in families.items()
        if not family.startswith(("flag:", "map:"))
        and len({k.split(":")[0].replace("inserts-on", "insertion").rstrip("s") for k in keys}) > 1
    }
    assert mixed == {}


def test_case_vignettes_are_application_and_attachment_facts_recall(bank):
    levels = {spec.key: spec.cognitive_level for spec in bank}
    vignettes = [s for s in bank if s.key.startswith("vignette:")]
    assert vignettes and all(levels[s.key] == "application" for s in vignettes)
    assert all(
        levels[s.key] == "recall" for s in bank if s.key.startswith(("origin:", "insertion:", "action:"))
    )


def test_a_hand_written_item_may_name_its_family_and_level():
    item = {
        "slug": "x",
        "kind": "true_false",
        "topic": "general",
        "stem": "True or false?",
        "explanation": "Because.",
        "answer": True,
        "family": "psoas-myths",
        "cognitive_level": "application",
    }
    spec = manual_spec(item)
    gen.families_assign([spec], {})
    assert (spec.family, spec.cognitive_level) == ("psoas-myths", "application")
