"""Whether a text names a muscle: the generators' rules for telling muscles apart in knowledge-base text."""

import re
from functools import lru_cache

from .facts import KnowledgeBase, MuscleFacts


@lru_cache(maxsize=1024)
def name_core(name: str) -> str:
    """'Gluteus medius (glute med)' -> 'gluteus medius'."""
    return re.sub(r"\s*\(.*\)$", "", name).strip().lower()


@lru_cache(maxsize=8192)
def mentions_name(text: str, name: str) -> bool:
    return bool(re.search(rf"\b{re.escape(name)}\b", (text or "").lower()))


def mentions(text: str, muscle: MuscleFacts) -> bool:
    return mentions_name(text or "", name_core(muscle.name))


def names_a_muscle(text: str, kb: KnowledgeBase) -> bool:
    """'With gluteus medius and TFL, steadies the pelvis' reads as borrowed from another muscle."""
    return any(
        mentions(text, m) or any(mentions_name(text, a.lower()) for a in m.aliases if len(a) > 2)
        for m in kb.muscles
    )


def mention_terms(muscle: MuscleFacts) -> tuple[list[str], list[str]]:
    """(names, aliases) a lesson may call the muscle by. Aliases are shared ("hamstrings", "inner
    thigh") and would send every member of a group to one place, so they only count where the
    name itself never appears."""
    names = [t for t in dict.fromkeys([muscle.name, re.sub(r"\s*\(.*\)$", "", muscle.name)]) if len(t) > 3]
    aliases = [a for a in muscle.aliases if len(a) > 3 and "(" not in a and "group" not in a.lower()]
    return names, aliases
