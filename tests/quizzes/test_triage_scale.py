"""One triage scale, and every level rests on the red flag it claims (issue 13, items 1, 2 and 8).

The reference (quizzes/data/reference/anatomy-facts.json) gives each red flag an action in words.
REFERENCE_LEVEL below is the reviewed reading of each action: the level it gives, and the phrase of the
reference that says so (checked word for word). The knowledge base, every question keyed to a flag,
and the module text must agree with it. Questions name their flag by an explicit field
(Question.red_flag / the vignette's `red_flag`), never by matching words.
"""

import functools
import json
import random
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from content.models import ACTION_LEVEL_DEFINITIONS, ActionLevel, RedFlag
from content.services import knowledge_base_load
from quizzes import generators as gen
from quizzes.generators.wording import sentence
from quizzes.models import VIGNETTE_ACTIONS, critical_errors, is_triage_scale
from quizzes.snapshots import question_item
from tests.shared_db import rolled_back

REFERENCE_PATH = Path(gen.DATA_DIR) / "reference" / "anatomy-facts.json"
COURSE_DIR = Path(__file__).resolve().parents[2] / "content" / "course"
SCALE = [level.value for level in ActionLevel]
LABELS = [level.label for level in ActionLevel]

# slug: (index of the reference's red flag, level, the phrase of its action that gives the level)
REFERENCE_LEVEL = {
    "saddle-anaesthesia": (0, "emergency", "Emergency: stop"),
    "bladder-disturbance": (1, "emergency", "Emergency: same-hour"),
    "bowel-incontinence": (2, "emergency", "Emergency: same-hour"),
    "bilateral-leg-symptoms": (3, "emergency", "Emergency: same-day (immediate)"),
    "progressive-neurological-deficit": (4, "refer_urgent", "Urgent same-day medical assessment"),
    "history-of-cancer": (5, "refer_urgent", "Urgent: medical contact within 24 hours"),
    # "Urgent referral ... (same week ...); do not treat until cleared": the hold on treatment decides it
    # (refer_routine lets treatment continue); the week is the outer limit (clinical review, item 3).
    "unexplained-weight-loss": (6, "refer_urgent", "Urgent referral to a doctor"),
    "fever-with-back-pain": (7, "refer_urgent", "Urgent same-day medical assessment"),
    "injecting-drug-use": (8, "refer_urgent", "Urgent same-day medical assessment"),
    "immunosuppression": (9, "refer_routine", "otherwise prompt GP review"),
    # The reference's one "significant trauma" flag mixes two levels; the knowledge base splits it.
    "major-trauma": (10, "emergency", "Major trauma: emergency"),
    "fragility-fracture": (10, "refer_urgent", "Fragility pattern: urgent same-day medical assessment"),
    "age-under-20-or-over-50": (11, "refer_routine", "prompt/routine"),
    "non-mechanical-night-pain": (12, "refer_urgent", "Prompt (urgent) medical referral"),
    "thoracic-pain-or-deformity": (13, "refer_routine", "Prompt medical referral"),
    "aortic-aneurysm-signs": (14, "emergency", "Emergency: call an ambulance immediately"),
    "anticoagulants-sudden-pain": (15, "emergency", "Emergency medical assessment"),
    "flank-pain-with-fever": (16, "refer_urgent", "Urgent same-day medical assessment"),
    "renal-colic": (17, "refer_urgent", "Urgent same-day medical assessment"),
    "inflammatory-back-pain": (18, "refer_routine", "Routine (but early) referral"),
    "no-improvement-after-6-weeks": (19, "refer_routine", "Routine referral back"),
}
# What the reference says raises a flag's level: (level, its phrase, words in a story that show it).
ESCALATIONS = {
    "progressive-neurological-deficit": [
        (
            "emergency",
            "emergency if rapidly worsening or with any bladder/bowel/saddle change",
            r"rapid|quickly|bladder|bowel|saddle|urin",
        ),
    ],
    "history-of-cancer": [
        (
            "emergency",
            "EMERGENCY the same hour if any limb weakness, walking difficulty, sensory loss",
            r"weak|walking|numb|bladder|bowel|urin",
        ),
    ],
    "fever-with-back-pain": [
        ("emergency", "emergency if any neurological symptoms", r"weak|numb|tingl|bladder|bowel")
    ],
    "injecting-drug-use": [
        ("emergency", "emergency with fever plus neurological signs", r"weak|numb|bladder|bowel")
    ],
    "immunosuppression": [
        (
            "refer_urgent",
            "urgent same-day if febrile or pain severe/non-mechanical",
            r"fever|febrile|severe|constant",
        )
    ],
    "thoracic-pain-or-deformity": [("refer_urgent", "within 24 h if known cancer", r"cancer|tumou?r|chemo")],
    "age-under-20-or-over-50": [("refer_urgent", "unless other flags make it urgent", r"(?!)")],
    "flank-pain-with-fever": [("emergency", "emergency if very unwell", r"very unwell|collapse")],
    "renal-colic": [("emergency", "emergency if fever", r"fever|shiver|uncontrol")],
}
# A clause that denies a sign ("no fever", "bladder and bowel are normal") does not show it.
NEGATED = r"[^.;,]*\b(no|not|never|none|normal|without|denies)\b[^.;]*"
# What each level's action text must say (US wording), and must not say.
LEVEL_WORDS = {
    "emergency": r"emergency|911",
    "refer_urgent": r"same day|24 hours",
    "refer_routine": r"routine|prompt|within the week",
}
# Sentences of the module text that state a flag's level: (module file, the words, level, flags).
MODULE_CLAIMS = [
    ("01", "after major trauma it is an emergency", "emergency", ["major-trauma"]),
    (
        "01",
        "osteoporosis or on long-term steroids, a same-day medical assessment",
        "refer_urgent",
        ["fragility-fracture"],
    ),
    (
        "01",
        "It needs a routine but early referral to the client's doctor",
        "refer_routine",
        ["inflammatory-back-pain"],
    ),
    (
        "01",
        "Back pain with fever, chills or a recent infection is different again: that client needs a doctor the "
        "same day",
        "refer_urgent",
        ["fever-with-back-pain"],
    ),
    (
        "03",
        "sudden new back or flank pain on them is an emergency",
        "emergency",
        ["anticoagulants-sudden-pain"],
    ),
    (
        "04",
        "spreading numbness or unsteady walking need a medical assessment the same day",
        "refer_urgent",
        ["progressive-neurological-deficit"],
    ),
    (
        "07",
        "so every one of its signs means the emergency department straight away",
        "emergency",
        ["saddle-anaesthesia", "bladder-disturbance", "bowel-incontinence", "bilateral-leg-symptoms"],
    ),
    (
        "07",
        "Cancer history, non-mechanical pain, fever, injecting drug use and the fragility pattern need a "
        "medical assessment the same day",
        "refer_urgent",
        [
            "history-of-cancer",
            "non-mechanical-night-pain",
            "fever-with-back-pain",
            "injecting-drug-use",
            "fragility-fracture",
        ],
    ),
    (
        "07",
        "Unexplained weight loss is an urgent referral: do not treat until a doctor has cleared the client",
        "refer_urgent",
        ["unexplained-weight-loss"],
    ),
    ("07", "Immunosuppression needs a prompt, not same-day, review", "refer_routine", ["immunosuppression"]),
    (
        "07",
        "Thoracic pain or a new deformity needs a prompt referral",
        "refer_routine",
        ["thoracic-pain-or-deformity"],
    ),
    ("07", "Onset under 20 or over 50 is a routine referral", "refer_routine", ["age-under-20-or-over-50"]),
    ("07", "sometimes a pulsating mass. Call 911", "emergency", ["aortic-aneurysm-signs"]),
]
# Words a US learner must not meet, and internal names and keys.
NOT_FOR_LEARNERS = [
    r"\bGP\b",
    r"\bA&E\b",
    r"ambulance",
    r"back passage",
    r"treat with care",
    r"action key",
    r"treat_with_care",
    r"\brefer_(urgent|routine)\b",
    r"\d{3}_[0-9a-f]{16}\.txt",
    # UK wording (clinical review items 6 and 11) and an examination outside a massage therapist's scope
    r"\bloin\b",
    r"road traffic|road collision",
    r"steroid tablets",
    r"sphincter",
    r"back pain tells you, or you notice: back pain",
]
# Mirrors, proxies, drafts and secondary summaries (item 8): cite the work they reproduce instead.
MIRROR_SOURCES = (
    r"(?i)bibliotheek\.ehb\.be|chiro\.org|wordpress\.com|cidpusa\.org|rochesterchirocentre|gpnotebook|"
    r"fpnotebook|glos\.nhs|bnssg|draft|clinicaladvisor|clinical advisor|wikidoc|wikipedia|visualdx|nbt\.nhs|"
    r"rightdecisions|cornwall\.nhs|lmu\.com"
)


@functools.lru_cache(maxsize=1)
def reference() -> dict:
    return json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))


def plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@functools.lru_cache(maxsize=1)
def module_files() -> dict[str, dict]:
    return {
        p.name[:2]: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(COURSE_DIR.glob("0*.yaml"))
    }


def module_text(module: dict) -> str:
    """What a learner reads of a module (the source citation's file name is provenance, not shown)."""
    shown = []
    for block in module["body"]:
        value = dict(block["value"]) if isinstance(block["value"], dict) else block["value"]
        if block["type"] == "source_citation":
            value.pop("file_name", None)
        shown += strings(value)
    return plain(" ".join([module["title"], module.get("summary", ""), *shown]))


def level_rank(level: str) -> int:
    return SCALE.index(level)


@pytest.fixture(scope="module")
def built_once(django_db_setup, django_db_blocker):
    """The knowledge base loaded once for the file (tests/shared_db.py): the tests only read it."""
    with rolled_back(django_db_blocker):
        knowledge_base_load()
        kb = gen.knowledge_base_read()
        sources = {flag.slug: flag.sources for flag in RedFlag.objects.all()}
        yield kb, _questions(kb), sources


@pytest.fixture
def built(built_once, db):
    return built_once


_BUILT: dict = {}


def _questions(kb):
    """The bank is pure data from the knowledge base: build it once per test session."""
    if kb not in _BUILT:
        _BUILT.clear()
        _BUILT[kb] = gen.questions_build(kb, seed=gen.DEFAULT_SEED)
    return _BUILT[kb]


@pytest.fixture
def kb(built):
    return built[0]


@pytest.fixture
def specs(built):
    return built[1]


# ---------------------------------------------------------------- the scale itself


def test_one_scale_of_four_levels_in_the_reference_order():
    assert SCALE == ["emergency", "refer_urgent", "refer_routine", "treat"]
    assert [key.replace(" ", "_") for key in reference()["action_key"]] == SCALE
    assert [level for level, _ in VIGNETTE_ACTIONS] == SCALE
    assert set(ACTION_LEVEL_DEFINITIONS) == set(ActionLevel)


def test_each_definition_says_what_the_reference_action_key_says():
    words = {
        "emergency": ["emergency department", "911"],
        "refer_urgent": ["same day", "24 hours", "before any treatment"],
        "refer_routine": ["non-urgent", "primary care provider", "treatment may continue"],
        "treat": ["no red flags", "exercise advice", "safety-netting"],
    }
    for level, needed in words.items():
        for word in needed:
            assert word in ACTION_LEVEL_DEFINITIONS[level].lower(), (level, word)


def test_the_ordering_item_is_the_scale_in_order():
    item = next(q for q in gen.manual_questions_load() if q["slug"] == "action-levels-by-urgency")
    assert item["items"] == LABELS


def test_triage_options_are_never_shuffled(kb):
    spec = next(s for s in gen.questions_build(kb) if s.key.startswith("red-flag-action:"))
    options = [
        SimpleNamespace(sort_order=n, pk=n, text=o.text, is_correct=o.is_correct, public_id=str(n))
        for n, o in enumerate(spec.options)
    ]
    question = SimpleNamespace(
        pk=1,
        latest_revision_id=None,
        kind=spec.kind,
        stem="",
        explanation="",
        topic_id="",
        critical=True,
        module_id=None,
        module=None,
        options=SimpleNamespace(all=lambda: options),
    )
    for seed in range(20):
        item = question_item(question, position=1, rng=random.Random(seed), shuffle=True)
        assert [o["text"] for o in item["options"]] == LABELS


# ---------------------------------------------------------------- red flags against the reference


def test_every_flag_has_the_level_its_reference_action_gives(kb):
    flags = reference()["red_flags"]
    assert {f.slug for f in kb.flags} == set(REFERENCE_LEVEL)
    assert {index for index, _, _ in REFERENCE_LEVEL.values()} == set(range(len(flags)))
    for flag in kb.flags:
        index, level, phrase = REFERENCE_LEVEL[flag.slug]
        assert phrase in flags[index]["action"], (flag.slug, phrase)
        assert flag.level == level, (flag.slug, flag.level, level)
        assert level != "treat"


def test_every_flags_action_text_agrees_with_its_level(kb):
    for flag in kb.flags:
        first = re.split(r"(?<=\.)\s|;", flag.action)[0]
        assert re.search(LEVEL_WORDS[flag.level], flag.action, re.IGNORECASE), (flag.slug, flag.action)
        if flag.level == "refer_routine":
            # the base case is not same day (a same-day escalation comes after "or" / "if")
            base = re.sub(r"not (necessarily )?(the )?same day|not same-day", "", first, flags=re.IGNORECASE)
            assert not re.search(r"^(?!.*\bif\b).*same day", base, re.IGNORECASE), (flag.slug, first)
        if flag.level != "emergency":
            assert not re.match(r"(emergency|call 911)", first, re.IGNORECASE), (flag.slug, first)


def test_escalation_phrases_are_the_references(kb):
    flags = reference()["red_flags"]
    for slug, escalations in ESCALATIONS.items():
        index, base, _ = REFERENCE_LEVEL[slug]
        for level, phrase, _ in escalations:
            assert phrase in flags[index]["action"], (slug, phrase)
            assert level_rank(level) < level_rank(base)


# ---------------------------------------------------------------- questions against their flags


def allowed_levels(slug: str) -> set[str]:
    return {REFERENCE_LEVEL[slug][1]} | {level for level, _, _ in ESCALATIONS.get(slug, [])}


def keyed_level(spec) -> str | None:
    texts = [o.text for o in spec.options]
    if spec.kind not in {"case_vignette", "single_choice"} or not is_triage_scale(texts):
        return None
    assert texts == LABELS, (spec.key, "the levels are offered in scale order")
    [level] = [VIGNETTE_ACTIONS[n][0] for n, o in enumerate(spec.options) if o.is_correct]
    return level


def test_every_triage_question_is_keyed_by_its_flags(kb, specs):
    flags = {f.slug: f for f in kb.flags}
    checked = 0
    for spec in specs:
        level = keyed_level(spec)
        if level is None:
            continue
        checked += 1
        shown = [slug for slug in dict.fromkeys((spec.red_flag, *spec.about_flags)) if slug]
        assert all(slug in flags for slug in shown), spec.key
        if not shown:
            assert level == "treat", (spec.key, "no red flag: treat, with safety-netting")
            continue
        assert level != "treat", spec.key
        floor = min((flags[slug].level for slug in shown), key=level_rank)
        assert level_rank(level) <= level_rank(floor), (spec.key, level, floor)
        assert level in set().union(*(allowed_levels(slug) for slug in shown)), (spec.key, level)
        if spec.key.startswith("red-flag-action:"):
            assert level == flags[spec.red_flag].level, spec.key
    assert checked >= len(flags) + 12


def test_every_critical_item_rests_on_one_flag_and_quotes_its_action(kb, specs):
    flags = {f.slug: f for f in kb.flags}
    critical = [s for s in specs if s.critical]
    assert len(critical) >= 10
    for spec in critical:
        assert spec.red_flag in flags, (spec.key, "a critical item names its flag explicitly")
        flag = flags[spec.red_flag]
        assert flag.level in {"emergency", "refer_urgent"}, spec.key
        options = [
            {"text": o.text, "is_correct": o.is_correct, "match_text": o.match_text} for o in spec.options
        ]
        assert critical_errors(spec.kind, True, SimpleNamespace(action_level=flag.level), options) == {}, (
            spec.key
        )
        level = keyed_level(spec)
        if level is not None:
            assert level == flag.level, spec.key
            others = [flags[s].level for s in spec.about_flags if s in flags and s != spec.red_flag]
            assert all(level_rank(o) >= level_rank(level) for o in others), (
                spec.key,
                "another flag is higher",
            )
        assert sentence(flag.action) in spec.explanation, (spec.key, "quotes the flag's action")
        affirmed = re.sub(NEGATED, "", spec.stem, flags=re.IGNORECASE)
        for _, _, shows in ESCALATIONS.get(flag.slug, []):
            assert not re.search(shows, affirmed, re.IGNORECASE), (
                spec.key,
                "the stem reads as a higher level",
            )


def test_a_critical_item_rests_on_a_flag_whose_timing_is_its_levels(kb, specs):
    """A same-day item whose own flag allows 'within the week' is defensible at routine referral too:
    a learner who reads the flag's card must not fail the attempt for it."""
    flags = {f.slug: f for f in kb.flags}
    for spec in (s for s in specs if s.critical and s.red_flag in flags):
        flag = flags[spec.red_flag]
        if flag.level == "refer_urgent":
            assert not re.search(r"\bweeks?\b", flag.action, re.IGNORECASE), (spec.key, flag.action)
    weight_loss = next(s for s in specs if s.key == "red-flag-action:unexplained-weight-loss")
    assert weight_loss.options and not weight_loss.critical


HELD_TREATMENT = {
    # slug: (the reference's words for the hold, the words every text keyed to the flag uses)
    "unexplained-weight-loss": (
        "do not treat until cleared",
        "do not treat until a doctor has cleared the client",
    ),
    "immunosuppression": ("Refer before treating", "hold massage until the client has been reviewed"),
}


def test_a_flag_that_holds_treatment_says_so_in_the_same_words(kb, specs):
    flags = {f.slug: f for f in kb.flags}
    for slug, (reference_words, words) in HELD_TREATMENT.items():
        assert reference_words in reference()["red_flags"][REFERENCE_LEVEL[slug][0]]["action"], slug
        assert words in flags[slug].action.lower(), slug
        keyed = [s for s in specs if s.red_flag == slug and keyed_level(s) is not None]
        assert keyed, slug
        for spec in keyed:
            assert keyed_level(spec) == flags[slug].level, spec.key
    weight_loss = [s for s in specs if s.red_flag == "unexplained-weight-loss" and keyed_level(s)]
    assert all(HELD_TREATMENT["unexplained-weight-loss"][1] in s.explanation.lower() for s in weight_loss)
    assert HELD_TREATMENT["unexplained-weight-loss"][1] in module_text(module_files()["07"])


# ---------------------------------------------------------------- module text


def test_module_text_states_each_flags_own_level(kb):
    flags = {f.slug: f for f in kb.flags}
    modules = module_files()
    for number, words, level, slugs in MODULE_CLAIMS:
        assert words in module_text(modules[number]), (number, words)
        for slug in slugs:
            assert flags[slug].level == level, (number, slug, flags[slug].level, level)


def test_module_seven_teaches_the_four_levels_in_order():
    text = module_text(module_files()["07"])
    positions = [
        text.index(words)
        for words in (
            "Emergency: stop. Call 911",
            "Urgent referral (same day):",
            "Routine referral:",
            "Treat, with safety-netting:",
        )
    ]
    assert positions == sorted(positions)


def test_every_red_flag_block_names_a_flag_in_the_knowledge_base(kb):
    slugs = {f.slug for f in kb.flags}
    for number, module in module_files().items():
        for block in module["body"]:
            if block["type"] == "red_flag":
                assert block["value"]["red_flag"] in slugs, (number, block["value"]["red_flag"])


# ---------------------------------------------------------------- US wording, no internal names, sources


def test_learners_meet_us_wording_and_no_internal_names_or_keys(kb, specs):
    texts = {f"module {n}": module_text(m) for n, m in module_files().items()}
    course = yaml.safe_load((COURSE_DIR / "course.yaml").read_text(encoding="utf-8"))
    texts["course"] = plain(" ".join(strings(course)))
    for flag in kb.flags:
        texts[f"flag {flag.slug}"] = " ".join([flag.sign, flag.condition, flag.action, flag.why])
    for spec in specs:
        texts[spec.key] = " ".join(
            [
                spec.stem,
                spec.explanation,
                *(o.text for o in spec.options),
                *(o.match_text for o in spec.options),
            ]
        )
    for where, text in texts.items():
        for pattern in NOT_FOR_LEARNERS:
            assert not re.search(pattern, text), (where, pattern)


def test_red_flag_sources_are_primary_not_mirrors(built):
    for slug, sources in built[2].items():
        for source in sources:
            assert not re.search(MIRROR_SOURCES, source), (slug, source)
