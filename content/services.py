"""Writes for the content app.

Knowledge base: knowledge_base_load() reads content/data/{body_zones,muscles,red_flags}.yaml and
makes the database match them. The YAML files are the source of truth for the fields they carry;
rows that are not in the files (added by an instructor in the admin) are left alone.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.text import slugify

from .models import ActionLevel, BodyZone, Muscle, RedFlag, Region, View

DATA_DIR = Path(__file__).resolve().parent / "data"

ZONE_KEYS = {"code": True, "name": True, "view": True, "sort_order": False, "svg": False}
MUSCLE_KEYS = {
    "name": True,
    "aliases": False,
    "region": True,
    "summary": False,
    "origin": True,
    "insertion": True,
    "actions": True,
    "innervation": True,
    "referred_pain": False,
    "referred_zones": False,
    "massage_notes": False,
    "sources": False,
}
RED_FLAG_KEYS = {
    "slug": True,
    "sign": True,
    "suspected_condition": True,
    "action_level": True,
    "action": True,
    "why": False,
    "region": False,
    "sources": False,
}
SVG_PATH_DATA = re.compile(r"^[MmLlHhVvCcSsQqTtAaZz0-9eE.,+\-\s]*$")


class KnowledgeBaseError(ValueError):
    """A knowledge-base YAML file is malformed; the message names the file, the entry and the problem."""


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    seen: dict = field(default_factory=dict)


# ---------------------------------------------------------------- the service


def knowledge_base_load(data_dir: Path | str | None = None) -> dict[str, int]:
    """Load body zones, muscles and red flags from YAML; idempotent. Returns counts.

    Everything is validated before anything is written, and the writes share one transaction,
    so a bad file changes nothing.
    """
    data_dir = Path(data_dir) if data_dir else DATA_DIR
    zones = zone_records(_read(data_dir / "body_zones.yaml", "zones"))
    muscles = muscle_records(
        _read(data_dir / "muscles.yaml", "muscles"), zone_codes={z["code"] for z in zones}
    )
    red_flags = red_flag_records(_read(data_dir / "red_flags.yaml", "red_flags"))

    tally = _Tally()
    with transaction.atomic():
        zone_ids = {zone["code"]: _zone_save(zone, tally).pk for zone in zones}
        for muscle in muscles:
            _muscle_save(muscle, zone_ids, tally)
        for flag in red_flags:
            _red_flag_save(flag, tally)
    return {
        "body_zones": len(zones),
        "muscles": len(muscles),
        "red_flags": len(red_flags),
        "created": tally.created,
        "updated": tally.updated,
    }


# ---------------------------------------------------------------- reading and validation


def _read(path: Path, top_key: str) -> list[dict]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeBaseError(f"{path.name}: file not found at {path}") from None
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{path.name}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get(top_key), list):
        raise KnowledgeBaseError(f"{path.name}: expected a top-level '{top_key}:' list")
    for position, item in enumerate(data[top_key], start=1):
        if not isinstance(item, dict):
            raise KnowledgeBaseError(f"{path.name}: entry {position} is not a mapping")
        item["_where"] = f"{path.name}, entry {position}"
    return data[top_key]


def zone_records(items: list[dict]) -> list[dict]:
    records = []
    for item in items:
        where = _check_keys(item, ZONE_KEYS)
        code = _text(item, "code", where)
        where = f"{where} (zone '{code}')"
        if code != slugify(code):
            _fail(where, f"code '{code}' must be lowercase kebab-case")
        shape = _text(item, "svg", where, required=False)
        if not SVG_PATH_DATA.match(shape):
            _fail(where, "svg must be SVG path data (commands and numbers only)")
        records.append(
            {
                "code": code,
                "name": _text(item, "name", where),
                "view": _choice(item, "view", View, where),
                "sort_order": _integer(item, "sort_order", where),
                "shape": shape,
            }
        )
    _unique(records, "code", "body zone code")
    return records


def muscle_records(items: list[dict], *, zone_codes: set[str]) -> list[dict]:
    records = []
    for item in items:
        where = _check_keys(item, MUSCLE_KEYS)
        name = _text(item, "name", where)
        where = f"{where} (muscle '{name}')"
        zones = _text_list(item, "referred_zones", where)
        unknown = [code for code in zones if code not in zone_codes]
        if unknown:
            _fail(
                where, f"unknown body zone code(s) {', '.join(unknown)}; known codes are in body_zones.yaml"
            )
        records.append(
            {
                "slug": slugify(name),
                "name": name,
                "aliases": _text_list(item, "aliases", where),
                "region": _choice(item, "region", Region, where),
                "summary": _text(item, "summary", where, required=False),
                "origin": _text(item, "origin", where),
                "insertion": _text(item, "insertion", where),
                "actions": _text_list(item, "actions", where, required=True),
                "innervation": _text(item, "innervation", where),
                "referred_pain": _text(item, "referred_pain", where, required=False),
                "massage_notes": _text(item, "massage_notes", where, required=False),
                "sources": _text_list(item, "sources", where),
                "referred_zones": zones,
            }
        )
    _unique(records, "slug", "muscle slug")
    return records


def red_flag_records(items: list[dict]) -> list[dict]:
    records = []
    for item in items:
        where = _check_keys(item, RED_FLAG_KEYS)
        slug = _text(item, "slug", where)
        where = f"{where} (red flag '{slug}')"
        if slug != slugify(slug):
            _fail(where, f"slug '{slug}' must be lowercase kebab-case")
        records.append(
            {
                "slug": slug,
                "sign": _text(item, "sign", where, max_length=RedFlag._meta.get_field("sign").max_length),
                "suspected_condition": _text(
                    item,
                    "suspected_condition",
                    where,
                    max_length=RedFlag._meta.get_field("suspected_condition").max_length,
                ),
                "action_level": _choice(item, "action_level", ActionLevel, where),
                "action": _text(item, "action", where),
                "why": _text(item, "why", where, required=False),
                "region": _choice(item, "region", Region, where, required=False),
                "sources": _text_list(item, "sources", where),
            }
        )
    _unique(records, "slug", "red flag slug")
    return records


def _fail(where: str, problem: str):
    raise KnowledgeBaseError(f"{where}: {problem}")


def _check_keys(item: dict, allowed: dict[str, bool]) -> str:
    where = item.pop("_where")
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        _fail(where, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    missing = [key for key, required in allowed.items() if required and key not in item]
    if missing:
        _fail(where, f"missing required key(s) {', '.join(missing)}")
    return where


def _text(item, key, where, *, required=True, max_length=None) -> str:
    value = item.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        _fail(where, f"{key} must be text, not {type(value).__name__}")
    value = " ".join(value.split())
    if required and not value:
        _fail(where, f"{key} must not be empty")
    if max_length and len(value) > max_length:
        _fail(where, f"{key} is {len(value)} characters; the limit is {max_length}")
    return value


def _text_list(item, key, where, *, required=False) -> list[str]:
    value = item.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        _fail(where, f"{key} must be a list of non-empty texts")
    if required and not value:
        _fail(where, f"{key} must list at least one item")
    return [" ".join(v.split()) for v in value]


def _choice(item, key, choices, where, *, required=True) -> str:
    value = item.get(key) or ""
    if not value and not required:
        return ""
    if value not in choices.values:
        _fail(where, f"unknown {key} '{value}'; expected one of {', '.join(choices.values)}")
    return value


def _integer(item, key, where) -> int:
    value = item.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        _fail(where, f"{key} must be a whole number of 0 or more")
    return value


def _unique(records: list[dict], key: str, label: str):
    seen = set()
    for record in records:
        if record[key] in seen:
            raise KnowledgeBaseError(f"duplicate {label} '{record[key]}'")
        seen.add(record[key])


# ---------------------------------------------------------------- writing


def _upsert(model, lookup: dict, values: dict, tally: _Tally):
    """Create the row or bring its fields up to date; save only when something differs."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        tally.created += 1
        return model.objects.create(**lookup, **values), True
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save()
        tally.updated += 1
    return instance, bool(changed)


def _zone_save(record: dict, tally: _Tally) -> BodyZone:
    values = {k: record[k] for k in ("name", "view", "sort_order", "shape")}
    zone, _ = _upsert(BodyZone, {"code": record["code"]}, values, tally)
    return zone


def _muscle_save(record: dict, zone_ids: dict[str, int], tally: _Tally) -> Muscle:
    values = {k: v for k, v in record.items() if k not in {"slug", "referred_zones"}}
    muscle, changed = _upsert(Muscle, {"slug": record["slug"]}, values, tally)
    wanted = {zone_ids[code] for code in record["referred_zones"]}
    current = set(muscle.referred_zones.values_list("pk", flat=True))
    if wanted != current:
        muscle.referred_zones.set(wanted)
        if not changed:
            muscle.save(update_fields=["updated_at"])  # so caches keyed on updated_at notice the change
            tally.updated += 1
    return muscle


def _red_flag_save(record: dict, tally: _Tally) -> RedFlag:
    values = {k: v for k, v in record.items() if k != "slug"}
    flag, _ = _upsert(RedFlag, {"slug": record["slug"]}, values, tally)
    return flag
