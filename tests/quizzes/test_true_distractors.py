"""Issue 13 item 3: no distractor in the generated bank is true of the keyed muscle.

A property over every generated question, checked against the knowledge base plus what standard
kinesiology gives the named fibres (quizzes.generators.kinesiology.FIBRE_ACTIONS) and the
muscle's group (erector spinae and its three columns overlap): not a list of known bad items.
"""

import functools

import pytest

from content.services import knowledge_base_load
from quizzes import generators as gen
from quizzes.generators.actions import clean_action
from quizzes.generators.fact_keys import action_keys, action_parts, expand_action_keys, normalise
from quizzes.generators.kinesiology import (
    MUSCLE_GROUPS,
    group_members,
    overlapping,
    true_action_keys,
    true_action_texts,
)
from quizzes.models import QuestionKind
from tests.shared_db import rolled_back

CHOICE_KINDS = {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_RESPONSE, QuestionKind.CASE_VIGNETTE}


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
    return gen.questions_build(kb, seed=gen.DEFAULT_SEED)


@pytest.fixture
def bank(kb):
    return _bank(kb)


def _action_owner(kb, text):
    """The muscle (and its action text) a distractor was taken from."""
    for muscle in kb.muscles:
        for action in muscle.actions:
            if normalise(clean_action(action)) == normalise(text):
                return muscle, action
    raise AssertionError(f"no muscle has the action {text!r}")


def _distractor_keys(muscle, action):
    parts = frozenset(p for a in muscle.actions for p in action_parts(a))
    return expand_action_keys(action_keys(action, parts))


def test_no_action_distractor_is_true_of_the_muscle_its_fibres_or_its_group(kb, bank):
    muscles = {m.slug: m for m in kb.muscles}
    checked = 0
    for spec in bank:
        if not spec.key.startswith(("action:", "actions:")):
            continue
        asked = muscles[spec.muscle]
        true_keys = true_action_keys(kb, asked)
        true_texts = {normalise(clean_action(t)) for t in true_action_texts(kb, asked)}
        for option in spec.options:
            if option.is_correct:
                continue
            owner, action = _action_owner(kb, option.text)
            keys = _distractor_keys(owner, action)
            assert keys, (spec.key, option.text)
            assert not keys & true_keys, (spec.key, option.text, sorted(keys & true_keys))
            assert normalise(option.text) not in true_texts, (spec.key, option.text)
            assert not overlapping(asked.slug, owner.slug), (spec.key, owner.slug)
            checked += 1
    assert checked >= 60


def test_every_muscle_named_as_a_wrong_option_is_not_the_keyed_muscles_group_or_part(kb, bank):
    """'Which muscle inserts on ...', 'Trigger points in which muscle refer to ...', innervation and
    every other question whose options are muscles."""
    by_name = {m.name: m for m in kb.muscles}
    checked = 0
    for spec in bank:
        if spec.kind not in CHOICE_KINDS or not spec.muscle:
            continue
        for option in spec.options:
            other = by_name.get(option.text)
            if other is None or option.is_correct:
                continue
            assert not overlapping(spec.muscle, other.slug), (spec.key, other.slug)
            checked += 1
    assert checked >= 40


def test_no_attachment_distractor_belongs_to_the_group_or_a_part_of_the_asked_muscle(kb, bank):
    checked = 0
    for spec in bank:
        if not spec.key.startswith(("origin:", "insertion:")):
            continue
        fact = spec.key.split(":")[0]
        for option in spec.options:
            if option.is_correct:
                continue
            owners = [m for m in kb.muscles if gen.attachment_text(kb, m, fact) == option.text]
            assert owners, (spec.key, option.text)
            for owner in owners:
                assert not overlapping(spec.muscle, owner.slug), (spec.key, owner.slug)
            checked += 1
    assert checked >= 100


def test_matching_never_pairs_a_group_with_its_own_part(kb, bank):
    by_name = {m.name: m for m in kb.muscles}
    for spec in bank:
        if spec.kind != QuestionKind.MATCHING:
            continue
        slugs = [by_name[o.text].slug for o in spec.options]
        for a in slugs:
            assert not any(overlapping(a, b) for b in slugs if b != a), spec.key


def test_referral_zone_distractors_and_their_groups_refer_nowhere_near_the_zone(kb, bank):
    by_name = {m.name: m for m in kb.muscles}
    checked = 0
    for spec in bank:
        if not spec.key.startswith("referral-zone:"):
            continue
        code = spec.key.split(":")[1]
        for option in spec.options:
            if option.is_correct:
                continue
            related = group_members(by_name[option.text].slug)
            zones = {z for m in kb.muscles if m.slug in related for z in m.zones}
            assert not any(gen.zones_near(code, z) for z in zones), (spec.key, option.text)
            checked += 1
    assert checked >= 40


def test_a_groups_body_map_covers_every_zone_of_its_parts(kb, bank):
    muscles = {m.slug: m for m in kb.muscles}
    body_maps = {s.muscle: set(s.zones) for s in bank if s.kind == QuestionKind.BODY_MAP}
    for group, parts in MUSCLE_GROUPS.items():
        for part in parts:
            assert set(muscles[part].zones) <= set(muscles[group].zones), (group, part)
        assert set(muscles[group].zones) == body_maps[group]
    assert "lumbar-paraspinal" in body_maps["erector-spinae"]  # the low back beside the spine


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("tips the head toward the shoulder on its own side", ("lateral-flex", "neck")),
        ("tilts the head toward the same shoulder", ("lateral-flex", "neck")),
        ("they can also tip the head back at the top neck joints", ("extend", "neck")),
        ("Both sides: bend the neck forward", ("flex", "neck")),
        ("lifts ('hikes') the pelvis on its own side", ("*", "pelvis")),
    ],
)
def test_the_fact_keys_read_the_usual_wordings(text, key):
    assert key in action_keys(text)


def test_the_reviewers_examples_hold_as_instances_of_the_property(kb):
    """The reviewer's findings, as consequences of the rules (the property above is the test)."""
    muscles = {m.slug: m for m in kb.muscles}
    scm_tip = next(a for a in muscles["sternocleidomastoid"].actions if "tips the head" in a)
    assert _distractor_keys(muscles["sternocleidomastoid"], scm_tip) & true_action_keys(
        kb, muscles["trapezius"]
    )
    abducts = expand_action_keys(action_keys("Abducts the hip"))
    adducts = expand_action_keys(action_keys("Adducts the hip"))
    assert abducts & true_action_keys(kb, muscles["gluteus-maximus"])
    assert adducts & true_action_keys(kb, muscles["biceps-femoris"])
    hike = next(a for a in muscles["quadratus-lumborum"].actions if "hikes" in a)
    for slug in ("erector-spinae", "iliocostalis", "longissimus"):
        assert _distractor_keys(muscles["quadratus-lumborum"], hike) & true_action_keys(kb, muscles[slug])
    assert overlapping("erector-spinae", "longissimus") and overlapping("spinalis", "erector-spinae")
    assert not overlapping("iliocostalis", "longissimus")
