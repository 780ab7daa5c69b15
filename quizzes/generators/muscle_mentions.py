"""Whether a text names a muscle, by the one rule the glossary and the importer use (content.muscle_names).

Two questions are asked of it here:
- does an attachment text name *this* muscle by its own name (`mentions`): iliocostalis arises
  "from the common erector spinae tendon", psoas shares "a tendon with iliacus". Aliases are left
  out: "glutes" or "adductors" name a group, not the one muscle an attachment is shared with;
- does an action text borrow from any muscle, by name or alias (`names_a_muscle`).
"""

from collections import Counter
from functools import lru_cache

from content.muscle_names import MuscleNames, MuscleRow

from .facts import KnowledgeBase, MuscleFacts


@lru_cache(maxsize=1024)
def _own_name(muscle: MuscleFacts) -> MuscleNames:
    return MuscleNames.build([MuscleRow(muscle.slug, muscle.name)])


@lru_cache(maxsize=8192)
def mentions(text: str, muscle: MuscleFacts) -> bool:
    return next(_own_name(muscle).mentions(text or ""), None) is not None


def names_a_muscle(text: str, kb: KnowledgeBase) -> bool:
    """'With gluteus medius and TFL, steadies the pelvis' reads as borrowed from another muscle."""
    return bool(kb.muscle_names.muscles_in(text))


def named_counts(names: MuscleNames, text: str) -> Counter:
    """(muscle slug, named by its own name?) -> how often the text names it. A term several muscles
    share ("hamstrings") counts for each of them."""
    counts = Counter()
    for _, term in names.mentions(text):
        for muscle in term.muscles:
            counts[(muscle.slug, term.is_name)] += 1
    return counts
