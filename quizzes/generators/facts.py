"""The knowledge base as plain, hashable facts: what every generator reads, never the database."""

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from content.models import BodyZone, Muscle, RedFlag
from content.muscle_names import MuscleNames

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Facts that are not one attachment or one action, so no fair question exists (why in the value).
SKIPPED_FACTS = {
    ("insertion", "erector-spinae"): "a group: it splits into three columns with different insertions",
    ("action", "iliotibial-tract"): "not a muscle: it only transmits the pull of TFL and gluteus maximus",
}


@dataclass(frozen=True)
class MuscleFacts:
    slug: str
    name: str
    region: str
    origin: str
    insertion: str
    actions: tuple[str, ...] = ()
    referred_pain: str = ""
    zones: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    innervation: str = ""


@dataclass(frozen=True)
class FlagFacts:
    slug: str
    sign: str
    condition: str
    level: str
    action: str
    why: str = ""


@dataclass(frozen=True)
class ZoneFacts:
    code: str
    name: str
    view: str = ""


@dataclass(frozen=True)
class KnowledgeBase:
    muscles: tuple[MuscleFacts, ...] = ()
    flags: tuple[FlagFacts, ...] = ()
    zones: tuple[ZoneFacts, ...] = ()
    headlines: dict = field(default_factory=dict, hash=False, compare=False)

    @cached_property
    def muscle_names(self) -> MuscleNames:
        """Every muscle's name and aliases, matched by the shared rule (content.muscle_names)."""
        return MuscleNames.build(self.muscles)


def is_structure(muscle: MuscleFacts) -> bool:
    """The knowledge base includes structures that are not muscles (the iliotibial tract)."""
    text = " ".join([muscle.origin, muscle.insertion, muscle.referred_pain]).lower()
    return "not a muscle" in text


def knowledge_base_read() -> KnowledgeBase:
    """The knowledge base as it stands in the database, as plain facts."""
    return KnowledgeBase(
        muscles=_muscles_read(), flags=_flags_read(), zones=_zones_read(), headlines=headlines_load()
    )


def _muscles_read() -> tuple[MuscleFacts, ...]:
    return tuple(
        MuscleFacts(
            slug=m.slug,
            name=m.name,
            region=m.region,
            origin=m.origin,
            insertion=m.insertion,
            actions=tuple(a for a in (m.actions or []) if isinstance(a, str) and a.strip()),
            referred_pain=m.referred_pain,
            zones=tuple(sorted(z.code for z in m.referred_zones.all())),
            aliases=tuple(a for a in (m.aliases or []) if isinstance(a, str)),
            innervation=m.innervation or "",
        )
        for m in Muscle.objects.prefetch_related("referred_zones").order_by("slug")
    )


def _flags_read() -> tuple[FlagFacts, ...]:
    return tuple(
        FlagFacts(
            slug=f.slug,
            sign=f.sign,
            condition=f.suspected_condition,
            level=f.action_level,
            action=f.action,
            why=f.why,
        )
        for f in RedFlag.objects.order_by("slug")
    )


def _zones_read() -> tuple[ZoneFacts, ...]:
    return tuple(ZoneFacts(code=z.code, name=z.name, view=z.view) for z in BodyZone.objects.order_by("code"))


def headlines_load(path: Path = DATA_DIR / "attachment_headlines.yaml") -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
