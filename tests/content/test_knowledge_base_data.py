"""The knowledge base's data against the verified reference, and its admin.

The real knowledge base is loaded once for the file (tests/shared_db.py) and each test's writes roll back;
the loader's own tests, which need an empty database, are in test_knowledge_base.py."""

import json
import re
from pathlib import Path

import pytest
from django.utils.text import slugify

from content.models import ActionLevel, BodyZone, Muscle, RedFlag, Region
from content.services import knowledge_base_load
from tests.quizzes.test_triage_scale import MIRROR_SOURCES, REFERENCE_LEVEL
from tests.shared_db import rolled_back

REFERENCE = json.loads(
    (
        Path(__file__).resolve().parents[2] / "quizzes" / "data" / "reference" / "anatomy-facts.json"
    ).read_text()
)
AGREED_RED_FLAG_SLUGS = [
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
    "major-trauma",  # the reference's "significant trauma" mixes two levels: split in two
    "fragility-fracture",
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


def agreed_name(reference_name: str) -> str:
    """'Erector spinae (group)' -> 'Erector spinae', as agreed in the shared brief."""
    return re.sub(r"\s*\(.*\)$", "", reference_name)


def referral_documented(reference_muscle: dict) -> bool:
    text = reference_muscle["referred_pain"].lower()
    return not (text.startswith("not verified") or "not a trigger-point" in text)


@pytest.fixture(scope="module")
def knowledge_base_built(django_db_setup, django_db_blocker):
    with rolled_back(django_db_blocker):
        yield knowledge_base_load()


@pytest.fixture
def knowledge_base(knowledge_base_built, db):
    """The conftest's fixture of the same name, loaded once for the file instead of for each test."""
    return knowledge_base_built


# ---------------------------------------------------------------- the data against the reference


def test_every_reference_muscle_is_present_with_its_referral_zones(knowledge_base):
    for ref in REFERENCE["muscles"]:
        muscle = Muscle.objects.get(slug=slugify(agreed_name(ref["name"])))
        zones = list(muscle.referred_zones.all())
        if referral_documented(ref):
            assert zones, f"{muscle.name} has a documented referral pattern but no zones"
            assert muscle.referred_pain
        else:
            assert zones == [], f"{muscle.name}: no referral pattern is documented, so no zones"
            assert muscle.referred_pain.startswith("None documented")
    assert sorted(m.slug for m in Muscle.objects.filter(referred_zones=None)) == [
        "iliotibial-tract",
        "spinalis",
    ]


def test_every_muscle_cites_primary_sources_and_has_complete_fields(knowledge_base):
    """Sources are the reference's, with mirrors, blogs and study notes replaced by the work they reproduce."""
    by_slug = {slugify(agreed_name(ref["name"])): ref for ref in REFERENCE["muscles"]}
    mirrors = (
        r"bibliotheek|chiro\.org|wordpress|bartleby|bartelby|ascenttrust|owiki|wikisum|kiwix|liquisearch|blog|scribd|"
        r"gpnotebook|fpnotebook|wheeless|imaios|okstate|wikipedia|wikidoc|learnmuscles|orthopaedicsone"
    )
    for muscle in Muscle.objects.all():
        ref = by_slug[muscle.slug]
        assert muscle.sources and not any(re.search(mirrors, s, re.IGNORECASE) for s in muscle.sources)
        assert muscle.region in Region.values
        assert muscle.summary and muscle.origin and muscle.insertion and muscle.innervation
        assert len(muscle.actions) == len(ref["actions"]), muscle.name


@pytest.mark.parametrize(
    "slug, aliases",
    [
        ("psoas-major", {"psoas", "iliopsoas"}),
        ("quadratus-lumborum", {"QL"}),
        ("tensor-fasciae-latae", {"TFL"}),
        ("iliotibial-tract", {"IT band", "IT track", "iliotibial band", "ITB"}),
        ("biceps-femoris", {"hamstrings"}),
        ("semitendinosus", {"hamstrings"}),
        ("semimembranosus", {"hamstrings"}),
        ("gluteus-maximus", {"glutes"}),
        ("gluteus-medius", {"glutes"}),
        ("gluteus-minimus", {"glutes"}),
        ("erector-spinae", {"erectors", "paraspinals"}),
        ("adductor-longus", {"inner thigh", "adductors"}),
        ("adductor-magnus", {"inner thigh", "adductors"}),
        ("sternocleidomastoid", {"SCM"}),
    ],
)
def test_aliases_cover_the_names_the_seed_articles_use(knowledge_base, slug, aliases):
    assert aliases <= set(Muscle.objects.get(slug=slug).aliases)


def test_known_corrections_of_the_seed_articles(knowledge_base):
    psoas = Muscle.objects.get(slug="psoas-major")
    assert "lesser trochanter" in psoas.insertion and "no attachment to the pelvic bone" in psoas.insertion
    ql = Muscle.objects.get(slug="quadratus-lumborum")
    assert "disputed" in " ".join(ql.actions)  # bilateral flexion vs extension: sources differ
    assert "Not a muscle" in Muscle.objects.get(slug="iliotibial-tract").summary


def test_red_flags_use_the_agreed_slugs_in_reference_order(knowledge_base):
    assert list(RedFlag.objects.order_by("pk").values_list("slug", flat=True)) == AGREED_RED_FLAG_SLUGS


def test_each_red_flag_action_level_agrees_with_the_reference(knowledge_base):
    """Each level is the reviewed reading of the reference's action (tests/quizzes/test_triage_scale.py);
    sources are the reference's, with mirrors and proxies replaced by the publication they mirror."""
    flags = list(RedFlag.objects.order_by("pk"))
    assert len(flags) == len(REFERENCE["red_flags"]) + 1 == 21
    for flag in flags:
        index, level, phrase = REFERENCE_LEVEL[flag.slug]
        ref = REFERENCE["red_flags"][index]
        assert phrase in ref["action"] and flag.action_level == level, flag.slug
        assert flag.sources and not any(re.search(MIRROR_SOURCES, source) for source in flag.sources)
        # where the reference escalates ("emergency if ..."), our action text says so too
        # (fragility-fracture is the non-emergency half of the split trauma flag)
        if flag.action_level != ActionLevel.EMERGENCY and "emergency" in ref["action"].lower():
            if flag.slug == "fragility-fracture":
                continue
            assert "emergency" in flag.action.lower(), flag.slug
    assert RedFlag.objects.get(slug="major-trauma").action_level == ActionLevel.EMERGENCY
    assert RedFlag.objects.get(slug="fragility-fracture").action_level == ActionLevel.REFER_URGENT
    assert RedFlag.objects.get(slug="inflammatory-back-pain").action_level == ActionLevel.REFER_ROUTINE


def test_the_text_is_written_in_our_own_words(knowledge_base):
    """No run of 10 words is copied from the reference (attachment landmarks may share shorter runs)."""

    def runs(text, n=10):
        words = re.findall(r"[a-z0-9']+", text.lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    reference_runs = set()
    for item in REFERENCE["muscles"] + REFERENCE["red_flags"]:
        for key, value in item.items():
            if key != "sources":
                reference_runs |= runs(" ".join(value) if isinstance(value, list) else value)
    for muscle in Muscle.objects.all():
        for text in [
            muscle.summary,
            muscle.origin,
            muscle.insertion,
            *muscle.actions,
            muscle.innervation,
            muscle.referred_pain,
            muscle.massage_notes,
        ]:
            assert not runs(text) & reference_runs, f"{muscle.name}: {text}"
    for flag in RedFlag.objects.all():
        for text in [flag.sign, flag.suspected_condition, flag.action, flag.why]:
            assert not runs(text) & reference_runs, f"{flag.slug}: {text}"


def test_zones_cover_both_views_with_svg_shapes(knowledge_base):
    assert set(BodyZone.objects.values_list("view", flat=True)) == {"front", "back"}
    for zone in BodyZone.objects.all():
        assert zone.shape.startswith("M") and zone.shape.rstrip().endswith("Z"), zone.code
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", zone.shape)]
        assert all(-1 <= n <= 440 for n in numbers), zone.code
    used = set(BodyZone.objects.filter(muscles__isnull=False).values_list("code", flat=True))
    assert used == set(BodyZone.objects.values_list("code", flat=True))  # no zone is unused


# ---------------------------------------------------------------- admin


@pytest.mark.parametrize("model_name", ["muscle", "redflag", "bodyzone"])
def test_instructors_can_list_and_edit_the_snippets(client, instructor, knowledge_base, model_name):
    client.force_login(instructor)
    index = client.get(f"/admin/snippets/content/{model_name}/")
    assert index.status_code == 200
    model = {"muscle": Muscle, "redflag": RedFlag, "bodyzone": BodyZone}[model_name]
    edit_page = client.get(f"/admin/snippets/content/{model_name}/edit/{model.objects.first().pk}/")
    assert edit_page.status_code == 200


def test_admin_muscle_list_filters_by_region_and_searches_aliases(client, instructor, knowledge_base):
    client.force_login(instructor)
    hip = client.get("/admin/snippets/content/muscle/", {"region": "hip"}).content.decode()
    assert "Piriformis" in hip and "Biceps femoris" not in hip
    found = client.get("/admin/snippets/content/muscle/", {"q": "QL"}).content.decode()
    assert "Quadratus lumborum" in found and "Piriformis" not in found
    flags = client.get("/admin/snippets/content/redflag/", {"action_level": "refer_routine"}).content.decode()
    assert "Inflammatory pattern" in flags and "saddle" not in flags


def test_the_knowledge_base_menu_groups_the_three_snippets(client, instructor):
    client.force_login(instructor)
    page = client.get("/admin/").content.decode()
    assert "Knowledge base" in page
    for label in ("Muscles", "Red flags", "Body zones"):
        assert label in page


def test_an_instructor_edit_is_saved(client, instructor, knowledge_base):
    client.force_login(instructor)
    zone = BodyZone.objects.get(code="groin")
    response = client.post(
        f"/admin/snippets/content/bodyzone/edit/{zone.pk}/",
        {
            "code": "groin",
            "name": "Groin (inguinal region)",
            "view": "front",
            "sort_order": 100,
            "shape": zone.shape,
        },
    )
    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.name == "Groin (inguinal region)"


def test_learners_cannot_reach_the_snippets(client, learner):
    client.force_login(learner)
    response = client.get("/admin/snippets/content/muscle/")
    assert response.status_code in (302, 403)


def test_instructors_edit_list_fields_one_item_per_line(client, instructor, knowledge_base):
    client.force_login(instructor)
    muscle = Muscle.objects.get(slug="quadratus-lumborum")
    url = f"/admin/snippets/content/muscle/edit/{muscle.pk}/"
    form = client.get(url).content.decode()
    assert "QL\nhip hiker" in form  # a textarea with one alias per line, not JSON
    data = {
        "name": muscle.name,
        "slug": muscle.slug,
        "aliases": "QL\n\n  quadratus \nhip hiker\n",
        "region": muscle.region,
        "summary": muscle.summary,
        "origin": muscle.origin,
        "insertion": muscle.insertion,
        "actions": "\n".join(muscle.actions),
        "innervation": muscle.innervation,
        "referred_pain": muscle.referred_pain,
        "referred_zones": [z.pk for z in muscle.referred_zones.all()],
        "massage_notes": muscle.massage_notes,
        "sources": "\n".join(muscle.sources),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    muscle.refresh_from_db()
    assert muscle.aliases == ["QL", "quadratus", "hip hiker"]
    assert muscle.sources == Muscle.objects.get(pk=muscle.pk).sources and len(muscle.sources) == 3
    assert muscle.referred_zones.count() == 7
