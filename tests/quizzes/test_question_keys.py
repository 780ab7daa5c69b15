"""Every answer key agrees with the verified reference.

The reference (quizzes/data/reference/anatomy-facts.json, a copy of ../shared/reference so CI needs
nothing outside the repository) is written in different words from the knowledge base the
generators read, so each key is re-derived from it here: landmarks of attachments, movements of
actions, referral areas of body maps, the action level of each red flag. Hand-written vignettes
and true/false and ordering questions carry `check` clauses naming the reference facts they rest
on; those facts must be in the reference, word for word.
"""

import functools
import json
import re
from pathlib import Path

import pytest
from django.utils.text import slugify

from content.models import ActionLevel
from content.services import knowledge_base_load
from quizzes import generators as gen
from quizzes.generators.fact_keys import (
    action_keys,
    action_parts,
    expand_action_keys,
    landmark_keys,
    normalise,
)
from quizzes.generators.red_flags import BETWEEN_LEVELS
from tests.quizzes.test_triage_scale import REFERENCE_LEVEL
from tests.shared_db import rolled_back

REFERENCE_PATH = Path(gen.DATA_DIR) / "reference" / "anatomy-facts.json"
# The agreed red-flag slugs, in the reference's order (notes/HELPERS.md).
FLAG_SLUGS = [
    "saddle-anaesthesia",
    "bladder-disturbance",
    "bowel-incontinence",
    "bilateral-leg-symptoms",
    "progressive-neurological-deficit",
    "history-of-cancer",
    "unexplained-weight-loss",
    "fever-with-back-pain",
    "injecting-drug-use",
    "immunosuppression",
    "significant-trauma",
    "age-under-20-or-over-50",
    "non-mechanical-night-pain",
    "thoracic-pain-or-deformity",
    "aortic-aneurysm-signs",
    "anticoagulants-sudden-pain",
    "flank-pain-with-fever",
    "renal-colic",
    "inflammatory-back-pain",
    "no-improvement-after-6-weeks",
]
URGENCY = ["treat", "refer_routine", "refer_urgent", "emergency"]  # the one scale, least urgent first
# The knowledge base splits the reference's "significant trauma" flag, which mixes two levels.
KB_FLAG_SLUGS = [
    *FLAG_SLUGS[: FLAG_SLUGS.index("significant-trauma")],
    "major-trauma",
    "fragility-fracture",
    *FLAG_SLUGS[FLAG_SLUGS.index("significant-trauma") + 1 :],
]
# Words of a body zone that the reference's referral description must use for that zone to be right.
ZONE_WORDS = {
    "vertex": ["vertex", "top of the head"],
    "forehead": ["forehead"],
    "temple": ["temple"],
    "eye": ["eye"],
    "ear": ["ear"],
    "cheek": ["cheek"],
    "jaw-angle": ["jaw"],
    "abdomen": ["abdom"],
    "lower-abdomen": ["lower abdom", "abdomen", "abdominal"],
    "groin": ["groin"],
    "pelvis-deep": ["pelvis", "genital", "rectal", "perine"],
    "hip-lateral": ["trochanter"],
    "thigh-front": ["front of the thigh", "anterior thigh", "front/inner thigh", "thigh"],
    "thigh-inner": ["inner thigh", "posteromedial", "front/inner thigh"],
    "thigh-lateral": ["lateral thigh", "outer thigh", "lateral", "anterolateral"],
    "knee-inner": ["inside the knee", "knee"],
    "knee-lateral": ["knee"],
    "shin": ["tibia", "shin"],
    "leg-lateral": ["peroneal", "ankle"],
    "occiput": ["occiput"],
    "mastoid": ["mastoid"],
    "neck-back": ["neck"],
    "suprascapular": ["suprascapular", "shoulder blade"],
    "acromion": ["acromion"],
    "interscapular": ["scapula", "shoulder blade"],
    "mid-back": ["mid-back", "thoracolumbar", "spine"],
    "lumbar-paraspinal": ["lumbar", "low back"],
    "iliac-crest": ["iliac crest"],
    "sacroiliac": ["sacroiliac", "si region", "si joint"],
    "sacrum": ["sacrum", "sacral"],
    "coccyx": ["coccyx"],
    "buttock-upper": ["buttock"],
    "buttock-lower": ["buttock", "gluteal fold"],
    "thigh-back": ["back of the thigh", "posterior", "back/inner thigh", "hamstring", "thigh"],
    "knee-back": ["knee"],
    "calf": ["calf"],
}


@functools.lru_cache(maxsize=1)
def reference() -> dict:
    return json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))


def ref_muscles() -> dict:
    """Reference muscles by knowledge-base slug ('Erector spinae (group)' -> erector-spinae)."""
    return {slugify(re.sub(r"\s*\(.*\)$", "", m["name"])): m for m in reference()["muscles"]}


def ref_flags() -> dict:
    """Reference red flags by slug: the reference's own slugs, and both halves of the split trauma flag."""
    flags = reference()["red_flags"]
    assert len(flags) == len(FLAG_SLUGS)
    by_slug = dict(zip(FLAG_SLUGS, flags))
    by_slug["major-trauma"] = by_slug["fragility-fracture"] = by_slug["significant-trauma"]
    return by_slug


def test_the_reference_copy_matches_the_shared_original_when_it_is_there():
    shared = Path("/work/shared/reference/anatomy-facts.json")
    if shared.exists():
        assert json.loads(shared.read_text(encoding="utf-8")) == reference()
    assert len(reference()["muscles"]) == 24 and len(reference()["red_flags"]) == 20


# ---------------------------------------------------------------- generated questions


@pytest.fixture(scope="module")
def built_once(django_db_setup, django_db_blocker):
    """The knowledge base loaded and its questions built once for the file (tests/shared_db.py)."""
    with rolled_back(django_db_blocker):
        knowledge_base_load()
        kb = gen.knowledge_base_read()
        yield kb, gen.questions_build(kb, seed=gen.DEFAULT_SEED)


@pytest.fixture
def built(built_once, db):
    return built_once


def test_every_knowledge_base_muscle_and_flag_is_in_the_reference(built):
    kb, _ = built
    assert {m.slug for m in kb.muscles} == set(ref_muscles())
    assert {f.slug for f in kb.flags} == set(KB_FLAG_SLUGS)


def test_attachment_keys_agree_with_the_reference(built):
    kb, specs = built
    refs = ref_muscles()
    checked = 0
    for spec in specs:
        fact = spec.key.split(":")[0]
        if fact in {"origin", "insertion"}:
            ref_text = refs[spec.muscle][fact]
            [correct] = spec.correct_texts
            assert landmark_keys(correct) <= landmark_keys(ref_text), (spec.key, correct)
            for option in spec.options:
                if not option.is_correct:
                    assert not landmark_keys(option.text) & landmark_keys(ref_text), (spec.key, option.text)
            checked += 1
        elif fact == "inserts-on":
            shown = gen.attachment_text(kb, next(m for m in kb.muscles if m.slug == spec.muscle), "insertion")
            by_name = {m.name: m.slug for m in kb.muscles}
            for option in spec.options:
                overlap = landmark_keys(shown) & landmark_keys(refs[by_name[option.text]]["insertion"])
                assert bool(overlap) == option.is_correct, (spec.key, option.text)
            checked += 1
        elif spec.key.startswith("match-"):
            by_name = {m.name: m.slug for m in kb.muscles}
            which = "origin" if spec.key.startswith("match-origin") else "insertion"
            for left in spec.options:
                ref_text = refs[by_name[left.text]][which]
                for right in spec.options:
                    overlap = landmark_keys(right.match_text) & landmark_keys(ref_text)
                    assert bool(overlap) == (right is left), (spec.key, left.text, right.match_text)
            checked += 1
    assert checked >= 60


def _ref_action_keys(ref_muscle) -> frozenset:
    parts = frozenset(p for a in ref_muscle["actions"] for p in action_parts(a))
    keys = set()
    for action in ref_muscle["actions"]:
        keys |= action_keys(action, parts)
    return expand_action_keys(keys | {("stabilise", part) for _, part in keys})


def test_action_keys_agree_with_the_reference(built):
    kb, specs = built
    refs = ref_muscles()
    checked = 0
    for spec in specs:
        if not spec.key.startswith(("action:", "actions:")):
            continue
        ref_keys = _ref_action_keys(refs[spec.muscle])
        parts = frozenset(p for a in refs[spec.muscle]["actions"] for p in action_parts(a))
        for option in spec.options:
            keys = expand_action_keys(action_keys(option.text, parts))
            if option.is_correct:
                assert keys & ref_keys, (spec.key, option.text)
            else:
                assert not keys & ref_keys, (spec.key, option.text)
            checked += 1
    assert checked >= 150


def test_referred_pain_zones_agree_with_the_reference(built):
    kb, specs = built
    refs = ref_muscles()
    zone_codes = {z.code for z in kb.zones}
    assert set(ZONE_WORDS) == zone_codes
    body_maps = [s for s in specs if s.key.startswith("referral:")]
    assert len(body_maps) >= 20
    for spec in body_maps:
        described = refs[spec.muscle]["referred_pain"].lower()
        assert "not verified" not in described, spec.key
        for code in spec.zones:
            assert any(word in described for word in ZONE_WORDS[code]), (spec.muscle, code)
    unverified = {slug for slug, m in refs.items() if "NOT VERIFIED" in m["referred_pain"]}
    assert unverified and not unverified & {s.muscle for s in body_maps}


def test_referral_zone_questions_name_a_muscle_the_reference_sends_there(built):
    kb, specs = built
    refs = ref_muscles()
    by_name = {m.name: m.slug for m in kb.muscles}
    for spec in specs:
        if spec.key.startswith("referral-zone:"):
            code = spec.key.split(":")[1]
            [correct] = spec.correct_texts
            described = refs[by_name[correct]]["referred_pain"].lower()
            assert any(word in described for word in ZONE_WORDS[code]), spec.key


def test_red_flag_action_keys_agree_with_the_reference(built):
    kb, specs = built
    flags = ref_flags()
    text_level = {text: level for level, text in gen.ACTION_LEVEL_TEXT.items()}
    for spec in specs:
        if spec.key.startswith("red-flag-action:"):
            [correct] = spec.correct_texts
            level = text_level[correct]
            # the reviewed reading of each reference action (test_triage_scale.REFERENCE_LEVEL)
            index, expected, phrase = REFERENCE_LEVEL[spec.red_flag]
            assert phrase in flags[spec.red_flag]["action"] and level == expected, spec.key
            critical = level in {"emergency", "refer_urgent"} and spec.red_flag not in BETWEEN_LEVELS
            assert spec.critical == critical, spec.key


def test_red_flag_condition_keys_agree_with_the_reference(built):
    kb, specs = built
    flags = ref_flags()
    for spec in specs:
        if spec.key.startswith("red-flag-condition:"):
            [correct] = spec.correct_texts
            assert gen.condition_keys(correct) & gen.condition_keys(
                flags[spec.red_flag]["suspected_condition"]
            )
            for option in spec.options:
                if not option.is_correct:
                    assert not gen.condition_keys(option.text) & gen.condition_keys(
                        flags[spec.red_flag]["suspected_condition"]
                    ), (spec.key, option.text)


# ---------------------------------------------------------------- hand-written questions

VIGNETTES = gen.vignettes_load()
MANUAL = gen.manual_questions_load()


TRIAGE_VIGNETTES = [v for v in VIGNETTES if v.get("asks", "action") == "action"]
# The knowledge base splits the reference's one trauma flag (major trauma / fragility pattern).
SPLIT_FROM = {"major-trauma": "significant-trauma", "fragility-fracture": "significant-trauma"}


def test_there_are_enough_vignettes_and_not_every_answer_is_refer():
    assert len(VIGNETTES) >= 60
    answers = [v["answer"] for v in TRIAGE_VIGNETTES]
    assert set(answers) == set(URGENCY)
    assert answers.count("treat") >= 6
    assert len({v["slug"] for v in VIGNETTES}) == len(VIGNETTES)


@pytest.mark.parametrize("vignette", TRIAGE_VIGNETTES, ids=[v["slug"] for v in TRIAGE_VIGNETTES])
def test_each_vignette_key_is_named_by_the_references_action(vignette):
    """The reference's own action text for the flag names the keyed level (or, for `treat`, there is
    no flag). Which of the named levels is the flag's own is checked against the knowledge base in
    test_vignettes.py and test_triage_scale.py."""
    flags = ref_flags()
    slug = vignette.get("red_flag")
    if slug is None:
        assert vignette["answer"] == "treat"
        return
    action = flags[SPLIT_FROM.get(slug, slug)]["action"].lower()
    word = {
        "emergency": r"emergency",
        "refer_urgent": r"urgent|same-day|same day|24 h",
        "refer_routine": r"routine|prompt|same week|review",
    }[vignette["answer"]]
    assert re.search(word, action), (slug, vignette["answer"], action)


def test_treat_vignettes_mention_no_red_flag_sign():
    signs = r"numb|bladder|bowel|both legs|fever|weight loss|cancer|night pain|inject|steroid|fall|anticoag"
    for vignette in TRIAGE_VIGNETTES:
        if vignette["answer"] == "treat":
            affirmed = re.sub(r"\b(no|not|never|none)\b[^,.;]*", "", vignette["story"], flags=re.IGNORECASE)
            assert not re.search(signs, affirmed, re.IGNORECASE), vignette["slug"]


def test_there_are_enough_true_false_and_ordering_questions():
    kinds = [q["kind"] for q in MANUAL]
    assert len(MANUAL) >= 8
    assert kinds.count("true_false") >= 4 and kinds.count("ordering") >= 3
    assert {q["answer"] for q in MANUAL if q["kind"] == "true_false"} == {True, False}


def _reference_field(clause) -> str:
    if "muscle" in clause:
        value = ref_muscles()[slugify(clause["muscle"])][clause["field"]]
    else:
        value = ref_flags()[clause["red_flag"]][
            {"action": "action", "sign": "flag"}.get(clause["field"], clause["field"])
        ]
    return " ".join(value) if isinstance(value, list) else value


@pytest.mark.parametrize("question", MANUAL, ids=[q["slug"] for q in MANUAL])
def test_each_hand_written_key_rests_on_reference_facts(question):
    assert question.get("check"), "every hand-written question names the reference facts it rests on"
    for clause in question["check"]:
        if "action_key" in clause:
            assert list(reference()["action_key"]) == clause["action_key"]
            continue
        text = _reference_field(clause).lower()
        for phrase in clause.get("contains", []):
            assert phrase.lower() in text, (question["slug"], phrase)
        for phrase in clause.get("lacks", []):
            assert not re.search(rf"\b{re.escape(phrase.lower())}\b", text), (question["slug"], phrase)


def test_the_psoas_course_is_in_the_order_the_reference_describes():
    item = next(q for q in MANUAL if q["slug"] == "psoas-course")
    insertion = ref_muscles()["psoas-major"]["insertion"].lower()
    waypoints = ["pelvic brim", "inguinal ligament", "hip-joint capsule"]
    positions = [insertion.index(w) for w in waypoints]
    assert positions == sorted(positions)
    shown = [normalise(i) for i in item["items"]]
    assert [
        next(n for n, text in enumerate(shown) if normalise(w.split("-")[0]) in text) for w in waypoints
    ] == [1, 2, 3]
    assert "lesser trochanter" in shown[-1]


def test_the_urgency_ordering_follows_the_reference_action_key():
    item = next(q for q in MANUAL if q["slug"] == "action-levels-by-urgency")
    assert item["items"] == [label for _, label in ActionLevel.choices]
    firsts = [re.split(r"[:,]", text)[0].lower() for text in item["items"]]
    assert firsts == ["emergency", "urgent referral", "routine referral", "treat"]
    assert list(reference()["action_key"]) == ["emergency", "refer urgent", "refer routine", "treat"]


def test_the_levels_ordering_goes_down_the_spine():
    item = next(q for q in MANUAL if q["slug"] == "lumbar-levels-top-to-bottom")
    lumbar = [int(m.group(1)) for text in item["items"] if (m := re.fullmatch(r"L(\d)", text))]
    assert lumbar == sorted(lumbar) and "12th rib" in item["items"][0] and item["items"][-1] == "Sacrum"


def test_hand_written_questions_name_knowledge_base_slugs(db):
    knowledge_base_load()
    kb = gen.knowledge_base_read()
    muscles, flags = {m.slug for m in kb.muscles}, {f.slug for f in kb.flags}
    for question in MANUAL:
        assert question.get("muscle") in muscles | {None}, question["slug"]
        assert question.get("red_flag") in flags | {None}, question["slug"]
    for vignette in VIGNETTES:
        assert {vignette.get("red_flag"), *vignette.get("also_flags", [])} <= flags | {None}
