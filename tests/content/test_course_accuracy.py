"""Machine checks on the demo course text (content/course/*.yaml).

The course must not repeat the seed articles' false claims, except inside an editor's note's
`article_claim` (which quotes the article on purpose) or inside quotation marks (the lesson citing
the article's words). Each false-claim pattern is first shown to catch the claim in the seed
article itself, so a pattern that matches nothing cannot pass vacuously.
"""

import re
from pathlib import Path

import pytest
import yaml
from django.utils.html import strip_tags
from django.utils.text import slugify

from courses.demo import course_files_load

ROOT = Path(__file__).resolve().parents[2]
SEEDS = Path(__file__).parent / "articles"
KB = ROOT / "content" / "data"

NEGATION = re.compile(
    r"\b(not|no|never|nor|neither|cannot|isn't|doesn't|don't|unsupported|unproven|unverified|wrong)\b"
)
QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’")

# claim -> (seed file where the article makes it, patterns; lower-case, applied per sentence)
FALSE_CLAIMS = {
    "hamstrings attach to the sacrum": (
        "002_acc0f37733d09448.txt",
        [
            r"hamstrings?\W+(?:\w+\W+){0,6}(?:attach|arise|originate|insert)\w*\W+(?:\w+\W+){0,3}sacrum",
            r"bone they attach to, which is the sacrum",
        ],
    ),
    "the sacrum is four fused vertebrae": (
        "004_d360636767c7486e.txt",
        [
            r"sacrum\W+(?:\w+\W+){0,4}four\W+(?:\w+\W+){0,2}(?:vertebrae|fused)",
        ],
    ),
    "a lumbar disc presses on the spinal cord": (
        "004_d360636767c7486e.txt",
        [
            r"disc\w*\W+(?:\w+\W+){0,8}(?:pressure on|press\w* on|compress\w*)\W+(?:the\W+)?spinal cord",
        ],
    ),
    "psoas arises from L3, L4 and L5": (
        "003_c7fafa15c1c4995e.txt",
        [
            r"\bl3\W{0,3}l4\W{0,3}l5\b",
            r"\bl3\W{0,3}(?:,|and|to|-|–)\W{0,3}l5\b",
        ],
    ),
    "quadratus lumborum joins the sacrum to the lower ribs": (
        "002_acc0f37733d09448.txt",
        [
            r"sacrum to (?:your |the )?lower ribs",
        ],
    ),
    "quadratus lumborum attaches at each vertebra": (
        "003_c7fafa15c1c4995e.txt",
        [
            r"(?:quadratus lumborum|\bql\b)[^.]{0,80}(?:at|to) (?:the )?(?:each|every) vertebra",
            r"attach\w* (?:at|to) (?:the )?(?:the )?(?:each|every) vertebra",
        ],
    ),
    "the tibia is a bone in the calf": (
        "000_5638d074e4cc716b.txt",
        [
            r"bone in the calf",
            r"\btibia\b[^.]{0,40}\bcalf\b|\bcalf\b[^.]{0,40}\btibia\b",
        ],
    ),
    "'outer fasciae latae' is a structure": ("000_5638d074e4cc716b.txt", [r"outer fasciae latae"]),
    "the adductors attach inside the hip girdle": (
        "000_5638d074e4cc716b.txt",
        [
            r"adductor\w*\W+(?:\w+\W+){0,3}attach\w*\W+(?:\w+\W+){0,2}inside of the hip girdle",
        ],
    ),
    "psoas is the only muscle connecting spine and lower body": (
        "001_b926f76fb498bbb7.txt",
        [
            r"only muscle that connects",
        ],
    ),
    "psoas is the most vital muscle": ("001_b926f76fb498bbb7.txt", [r"most vital muscle"]),
    "a tight psoas tips the pelvis backwards": (
        "004_d360636767c7486e.txt",
        [
            r"tight[^.]{0,80}pelvis\W+(?:\w+\W+){0,2}(?:tip|tilt)\w*\s+backward",
        ],
    ),
    "massage is the best treatment for subluxations": (
        "004_d360636767c7486e.txt",
        [
            r"best treatments? (?:of|for) subluxation",
        ],
    ),
    "a tight psoas strains the knee and ankle muscles": (
        "002_acc0f37733d09448.txt",
        [
            r"strain on (?:the )?muscles controlling the knees",
        ],
    ),
    "scoliosis is a curve of the upper spine": ("004_d360636767c7486e.txt", [r"curve of the upper spine"]),
    "quadratus lumborum lies deep in the abdomen": (
        "004_d360636767c7486e.txt",
        [
            r"deep in the abdomen, the ql",
            r"(?:quadratus lumborum|\bql\b)\W+(?:\w+\W+){0,3}deep in the abdomen",
        ],
    ),
    "massage helps a herniated disc": (
        "002_acc0f37733d09448.txt",
        [
            r"helps if you have a herniated",
            r"massage (?:helps|heals|treats|fixes) (?:a )?herniat",
        ],
    ),
    "discs protect the spinal cord": ("004_d360636767c7486e.txt", [r"protects? the spinal cord"]),
}


def sentences(html: str) -> list[str]:
    text = " ".join(strip_tags(html or "").split()).lower()
    return [s for s in re.split(r"(?<=[.!?;:])\s+", text) if s]


def asserted_claims(html: str) -> list[tuple[str, str]]:
    """(claim, sentence) for every sentence that states a known false claim without negating it."""
    found = []
    for sentence in sentences(html):
        unquoted = QUOTED.sub(" ", sentence)
        if NEGATION.search(unquoted):
            continue
        for claim, (_seed, patterns) in FALSE_CLAIMS.items():
            if any(re.search(pattern, unquoted) for pattern in patterns):
                found.append((claim, sentence))
    return found


def course_texts(course: dict):
    """Every piece of course text a learner reads as the course's own statement: (where, text)."""
    for key in ["title", "approved_title", "summary", "description"]:
        yield f"course.yaml {key}", course[key]
    for objective in course["learning_objectives"]:
        yield "course.yaml learning objective", objective
    for module in course["modules"]:
        where = module["file_name"]
        yield f"{where} title", module["title"]
        yield f"{where} summary", module["summary"]
        for n, block in enumerate(module["body"], start=1):
            for text in block_texts(block):
                yield f"{where} block {n} ({block['type']})", text


def block_texts(block: dict):
    value = block["value"]
    kind = block["type"]
    if kind == "rich_text":
        yield value
    elif kind == "heading":
        yield value["text"]
    elif kind == "key_points":
        yield from value["points"]
    elif kind == "editors_note":
        yield value["correction"]  # article_claim quotes the article on purpose
    elif kind in {"muscle_card", "red_flag"} or kind == "source_citation":
        yield value.get("note") or ""


@pytest.fixture(scope="module")
def course():
    return course_files_load()


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("claim", sorted(FALSE_CLAIMS))
def test_each_false_claim_pattern_catches_the_claim_in_its_seed(claim):
    seed, _ = FALSE_CLAIMS[claim]
    assert claim in {c for c, _ in asserted_claims(seed_text(seed))}, f"pattern for {claim!r} misses {seed}"


def test_checker_ignores_negated_and_quoted_statements():
    assert asserted_claims("<p>The hamstrings attach to the ischial tuberosity, not to the sacrum.</p>") == []
    assert asserted_claims('<p>The article tells you to work the "outer fasciae latae".</p>') == []
    assert asserted_claims("<p>The hamstrings attach to the sacrum.</p>")


def test_course_text_repeats_no_known_false_claim(course):
    repeated = [
        (where, claim, sentence)
        for where, text in course_texts(course)
        for claim, sentence in asserted_claims(text)
    ]
    assert repeated == []


def test_course_states_the_corrections(course):
    text = " ".join(" ".join(strip_tags(t).split()) for _, t in course_texts(course)).lower()
    for fact in [
        "ischial tuberosity",  # hamstrings
        "five sacral vertebrae",  # sacrum
        "lesser trochanter",  # psoas insertion
        "transverse processes of l1 to l5",  # psoas deep layer
        "twelfth rib",  # QL
        "gerdy's tubercle",  # iliotibial tract
        "cauda equina",  # lumbar discs
        "around the level of the first or second lumbar",  # end of the cord
        "anterior sacrum to the greater trochanter",  # piriformis: the article got this right
    ]:
        assert fact in text, fact


def test_every_muscle_and_red_flag_slug_exists_in_the_knowledge_base(course):
    muscles = {slugify(m["name"]) for m in yaml.safe_load((KB / "muscles.yaml").read_text())["muscles"]}
    red_flags = {f["slug"] for f in yaml.safe_load((KB / "red_flags.yaml").read_text())["red_flags"]}
    used = [
        (block["type"], block["value"].get("muscle") or block["value"].get("red_flag"))
        for module in course["modules"]
        for block in module["body"]
        if block["type"] in {"muscle_card", "red_flag"}
    ]
    assert len(used) >= 20
    assert [u for u in used if u[0] == "muscle_card" and u[1] not in muscles] == []
    assert [u for u in used if u[0] == "red_flag" and u[1] not in red_flags] == []


def test_all_twenty_red_flags_are_taught(course):
    red_flags = {f["slug"] for f in yaml.safe_load((KB / "red_flags.yaml").read_text())["red_flags"]}
    used = {
        block["value"]["red_flag"]
        for module in course["modules"]
        for block in module["body"]
        if block["type"] == "red_flag"
    }
    assert used == red_flags


def test_every_editors_note_is_complete(course):
    notes = [
        (m["file_name"], b["value"])
        for m in course["modules"]
        for b in m["body"]
        if b["type"] == "editors_note"
    ]
    assert len(notes) >= 20
    for where, note in notes:
        for key in ["article_claim", "correction", "reference"]:
            assert len((note.get(key) or "").split()) >= 3, (where, key)


def test_every_module_ends_with_key_points_then_its_citation(course):
    for module in course["modules"]:
        types = [block["type"] for block in module["body"]]
        assert types[-2:] == ["key_points", "source_citation"], module["file_name"]
        assert len(module["body"][-2]["value"]["points"]) >= 4


def test_heading_anchors_are_unique_slugs(course):
    anchors = [
        block["value"]["anchor"]
        for module in course["modules"]
        for block in module["body"]
        if block["type"] == "heading"
    ]
    assert len(anchors) == len(set(anchors))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", a) for a in anchors)
    assert {
        "psoas-attachments",
        "hamstring-attachments",
        "ql-attachments",
        "it-tract",
        "cauda-equina",
    } <= set(anchors)


# Seed errors the course must correct in an editor's note that cites that seed:
# seed file -> [(pattern in the seed, pattern in the note's article_claim, pattern in its correction)]
KNOWN_ERRORS = {
    "000_5638d074e4cc716b.txt": [
        (r"bone in the calf called the tibia", r"calf", r"gerdy's tubercle"),
        (r"adductor attachment to the inside of the hip girdle", r"inside of the hip girdle", r"pubis"),
        (r"outer fasciae latae", r"outer fasciae latae", r"tensor fasciae latae"),
    ],
    "001_b926f76fb498bbb7.txt": [
        (r"only muscle that connects", r"only muscle", r"piriformis"),
        (r"most vital muscle", r"most vital", r"neither claim is supported"),
        (r"fight or flight", r"fight-or-flight|fight or flight", r"not established"),
        (r"inserts at your femurs", r"femur", r"lesser trochanter"),
    ],
    "002_acc0f37733d09448.txt": [
        (r"attach to, which is the sacrum", r"sacrum", r"ischial tuberosity"),
        (r"sacrum to your lower ribs", r"sacrum to the lower ribs", r"twelfth rib"),
        (r"herniated dist", r"herniated disc", r"no trial evidence"),
        (r"knees and ankles", r"knees and ankles", r"unsupported"),
        (r"pulling.{0,40}on those muscles", r"alignment", r"unsupported"),
    ],
    "003_c7fafa15c1c4995e.txt": [
        (r"l3,l4,l5", r"l3, l4 and l5", r"t12-l4"),
        (r"each vertebrae", r"each vertebra", r"l1-l4 only"),
        (r"pelvis or illium", r"illium", r"ischium"),
        (r"1 hour minimum", r"one hour", r"not verified"),
    ],
    "004_d360636767c7486e.txt": [
        (r"four individual vertebrae", r"four", r"five fused vertebrae"),
        (r"pressure on the spinal cord", r"spinal cord", r"nerve root"),
        (r"curve of the upper spine", r"upper spine", r"lumbar spine"),
        (r"best treatments of subluxations", r"best treatments", r"fracture"),
        (r"located deep in the abdomen", r"deep in the abdomen", r"posterior abdominal wall"),
        (r"tip backwards", r"tip the pelvis backwards", r"forward"),
        (
            r"forward pelvic tilt due to an extremely tight psoas",
            r"forward pelvic tilt",
            r"contradicts itself",
        ),
        (r"one of the most effective treatments", r"most effective", r"nice ng59"),
    ],
}


@pytest.mark.parametrize("seed", sorted(KNOWN_ERRORS))
def test_every_known_seed_error_is_corrected_in_an_editors_note(course, seed):
    notes = [
        b["value"]
        for m in course["modules"]
        if _cites(m, seed)
        for b in m["body"]
        if b["type"] == "editors_note"
    ]
    seed_lower = " ".join(seed_text(seed).split()).lower()
    for in_seed, in_claim, in_correction in KNOWN_ERRORS[seed]:
        assert re.search(in_seed, seed_lower), f"{seed} does not say {in_seed!r}"
        assert any(
            re.search(in_claim, n["article_claim"].lower())
            and re.search(in_correction, n["correction"].lower())
            for n in notes
        ), f"no editor's note corrects {in_seed!r} from {seed}"


def _cites(module: dict, seed: str) -> bool:
    return any(b["type"] == "source_citation" and b["value"].get("file_name") == seed for b in module["body"])
