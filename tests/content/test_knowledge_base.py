"""The knowledge base loader: idempotent, and refusing bad YAML with a clear message (the data itself and
its admin: test_knowledge_base_data.py)."""

import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from content.models import ActionLevel, BodyZone, Muscle, RedFlag, Region
from content.services import DATA_DIR, KnowledgeBaseError, knowledge_base_load


def rows_snapshot():
    muscles = {
        m.slug: (
            m.name,
            m.aliases,
            m.region,
            m.summary,
            m.origin,
            m.insertion,
            m.actions,
            m.innervation,
            m.referred_pain,
            m.massage_notes,
            m.sources,
            sorted(z.code for z in m.referred_zones.all()),
        )
        for m in Muscle.objects.prefetch_related("referred_zones")
    }
    flags = {
        f.slug: (f.sign, f.suspected_condition, f.action_level, f.action, f.why, f.region, f.sources)
        for f in RedFlag.objects.all()
    }
    zones = {z.code: (z.name, z.view, z.sort_order, z.shape) for z in BodyZone.objects.all()}
    ids = (
        sorted(Muscle.objects.values_list("pk", flat=True)),
        sorted(RedFlag.objects.values_list("pk", flat=True)),
        sorted(BodyZone.objects.values_list("pk", flat=True)),
    )
    return muscles, flags, zones, ids


# ---------------------------------------------------------------- loading


def test_loading_creates_every_row(knowledge_base):
    assert knowledge_base == {"body_zones": 36, "muscles": 24, "red_flags": 21, "created": 81, "updated": 0}
    assert (BodyZone.objects.count(), Muscle.objects.count(), RedFlag.objects.count()) == (36, 24, 21)


def test_loading_twice_gives_the_same_rows(knowledge_base):
    before = rows_snapshot()
    assert knowledge_base_load() == {
        "body_zones": 36,
        "muscles": 24,
        "red_flags": 21,
        "created": 0,
        "updated": 0,
    }
    assert rows_snapshot() == before


def test_loading_again_restores_changed_fields_and_zones(knowledge_base):
    before = rows_snapshot()
    psoas = Muscle.objects.get(slug="psoas-major")
    psoas.origin = "The seed article's wrong origin"
    psoas.save()
    psoas.referred_zones.remove(BodyZone.objects.get(code="groin"))
    RedFlag.objects.filter(slug="renal-colic").update(action_level=ActionLevel.TREAT)
    BodyZone.objects.filter(code="groin").update(name="Somewhere")

    counts = knowledge_base_load()

    assert (counts["created"], counts["updated"]) == (0, 3)
    assert rows_snapshot() == before


def test_rows_added_in_the_admin_are_left_alone(knowledge_base):
    Muscle.objects.create(
        name="Quadriceps",
        slug="quadriceps",
        region=Region.THIGH,
        origin="o",
        insertion="i",
        actions=["a"],
        innervation="n",
    )
    knowledge_base_load()
    assert Muscle.objects.filter(slug="quadriceps").exists()


def test_load_knowledge_base_command_prints_the_counts(db, capsys):
    call_command("load_knowledge_base")
    assert "36 body zones, 24 muscles, 21 red flags (81 created, 0 updated" in capsys.readouterr().out


# ---------------------------------------------------------------- validation


@pytest.fixture
def data_copy(tmp_path):
    for name in ("body_zones.yaml", "muscles.yaml", "red_flags.yaml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def edit(path: Path, top_key: str, index: int, **changes):
    data = yaml.safe_load(path.read_text())
    data[top_key][index].update(changes)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize(
    "file_name, top_key, changes, message",
    [
        (
            "muscles.yaml",
            "muscles",
            {"referred_zones": ["groin", "lumbar-lefty"]},
            "muscles.yaml, entry 1 (muscle 'Psoas major'): unknown body zone code(s) lumbar-lefty",
        ),
        ("muscles.yaml", "muscles", {"region": "pelvis"}, "unknown region 'pelvis'"),
        ("muscles.yaml", "muscles", {"origin": ""}, "origin must not be empty"),
        ("muscles.yaml", "muscles", {"actions": "flexes the hip"}, "actions must be a list"),
        ("muscles.yaml", "muscles", {"insertoin": "typo"}, "unknown key(s) insertoin"),
        ("muscles.yaml", "muscles", {"name": "Iliacus"}, "duplicate muscle slug 'iliacus'"),
        (
            "red_flags.yaml",
            "red_flags",
            {"action_level": "urgent"},
            "red_flags.yaml, entry 1 (red flag 'saddle-anaesthesia'): unknown action_level 'urgent'",
        ),
        ("red_flags.yaml", "red_flags", {"region": "knee"}, "unknown region 'knee'"),
        ("red_flags.yaml", "red_flags", {"sign": "x" * 301}, "sign is 301 characters; the limit is 300"),
        ("body_zones.yaml", "zones", {"view": "side"}, "unknown view 'side'"),
        ("body_zones.yaml", "zones", {"svg": "<script>alert(1)</script>"}, "svg must be SVG path data"),
        ("body_zones.yaml", "zones", {"code": "Top Of Head"}, "must be lowercase kebab-case"),
    ],
)
def test_invalid_yaml_is_refused_with_a_clear_message_and_changes_nothing(
    db, data_copy, file_name, top_key, changes, message
):
    edit(data_copy / file_name, top_key, 0, **changes)
    with pytest.raises(KnowledgeBaseError) as error:
        knowledge_base_load(data_copy)
    assert message in str(error.value)
    assert (BodyZone.objects.count(), Muscle.objects.count(), RedFlag.objects.count()) == (0, 0, 0)


def test_a_missing_required_key_and_broken_yaml_are_reported(db, data_copy):
    data = yaml.safe_load((data_copy / "muscles.yaml").read_text())
    del data["muscles"][2]["innervation"]
    (data_copy / "muscles.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(KnowledgeBaseError, match=r"entry 3: missing required key\(s\) innervation"):
        knowledge_base_load(data_copy)
    shutil.copy(DATA_DIR / "muscles.yaml", data_copy / "muscles.yaml")
    (data_copy / "red_flags.yaml").write_text("red_flags: [unclosed")
    with pytest.raises(KnowledgeBaseError, match="red_flags.yaml: not valid YAML"):
        knowledge_base_load(data_copy)


def test_a_bad_file_keeps_the_loaded_knowledge_base_as_it_was(knowledge_base, data_copy):
    before = rows_snapshot()
    edit(data_copy / "muscles.yaml", "muscles", 0, origin="Changed")
    edit(data_copy / "muscles.yaml", "muscles", 5, region="nowhere")
    with pytest.raises(KnowledgeBaseError):
        knowledge_base_load(data_copy)
    assert rows_snapshot() == before


def test_the_command_reports_errors_without_a_traceback(db, data_copy):
    edit(data_copy / "red_flags.yaml", "red_flags", 3, action_level="soon")
    with pytest.raises(CommandError, match="Nothing was changed. red_flags.yaml, entry 4"):
        call_command("load_knowledge_base", data_dir=str(data_copy))
