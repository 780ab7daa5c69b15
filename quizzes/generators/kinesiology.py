"""What else is true of a muscle, beyond the knowledge base's own action texts, so that no
distractor is: actions standard kinesiology gives its named fibres or heads, and the group a
muscle belongs to.

The knowledge base lists each muscle's main actions. A distractor must also be false of the
fibres the list does not name: gluteus maximus's upper fibres abduct the hip and its lower fibres
adduct it; the long head of biceps femoris assists adduction. These texts only ever rule a
distractor out; they are never a question's key (the knowledge base's text is).

Sources: Neumann, *Kinesiology of the Musculoskeletal System* (3rd ed.), hip and trunk chapters
(primary and secondary actions per muscle); Muscolino, *The Muscular System Manual* (4th ed.);
Kendall, *Muscles: Testing and Function* (5th ed.). Where these disagree, the action is listed:
over-listing only makes the generator more careful.
"""

from .fact_keys import muscle_action_keys
from .facts import KnowledgeBase, MuscleFacts

# A group and the muscles it is made of: a question about one is also about the others, so they
# are never each other's distractors (actions, attachments, referral zones), and the group's body
# map covers every zone its parts refer to.
MUSCLE_GROUPS: dict[str, tuple[str, ...]] = {
    "erector-spinae": ("iliocostalis", "longissimus", "spinalis"),
}

# Actions of named fibres or heads that the knowledge base's list leaves out.
FIBRE_ACTIONS: dict[str, tuple[str, ...]] = {
    "gluteus-maximus": (
        "Upper fibres abduct the hip",
        "Lower fibres adduct the hip",
        "Tilts the pelvis backward",
    ),
    "gluteus-medius": ("Tilts the pelvis sideways in single-leg stance",),
    "gluteus-minimus": ("Posterior fibres rotate the hip laterally and help extend it",),
    "biceps-femoris": (
        "The long head assists adduction of the hip",
        "The long head rotates the hip laterally",
        "Tilts the pelvis backward",
    ),
    "semitendinosus": (
        "Assists adduction of the hip",
        "Rotates the hip medially",
        "Tilts the pelvis backward",
    ),
    "semimembranosus": (
        "Assists adduction of the hip",
        "Rotates the hip medially",
        "Tilts the pelvis backward",
    ),
    "adductor-longus": ("Extends the hip from a flexed position", "Tilts the pelvis forward"),
    "adductor-brevis": (
        "Extends the hip from a flexed position",
        "Rotates the hip medially",
        "Tilts the pelvis forward",
    ),
    "adductor-magnus": ("The posterior (hamstring) part rotates the hip laterally",),
    "piriformis": (
        "Abducts the hip",
        "Rotates the hip medially when the hip is flexed beyond 90 degrees",
        "As a secondary abductor, helps steady the pelvis in single-leg stance",
    ),
    "psoas-major": (
        "Both sides: flex the lumbar spine",
        "The upper fibres may extend the upper lumbar spine (sources differ)",
        "Tilts the pelvis forward",
        "May assist abduction of the hip (Kendall)",
    ),
    "iliacus": ("Tilts the pelvis forward", "May assist abduction of the hip (Kendall)"),
    "tensor-fasciae-latae": ("Tilts the pelvis forward",),
    "erector-spinae": (
        "One side, with the trunk fixed: hikes the pelvis",
        "One side: rotates the trunk to the same side",
        "Extends the neck and head",
    ),
    "iliocostalis": (
        "One side, with the trunk fixed: hikes the pelvis",
        "The lumbar part pulls down the lower ribs",
        "One side: rotates the trunk to the same side",
        "Extends and side-bends the neck",
    ),
    "longissimus": (
        "One side, with the trunk fixed: hikes the pelvis",
        "The thoracic part pulls down the lower ribs",
        "One side: rotates the trunk and head to the same side",
        "Extends the neck and head",
    ),
    "spinalis": ("Extends the neck and head",),
    "multifidus": ("Rotates the spine to the opposite side",),
    "quadratus-lumborum": ("Extends the lumbar spine",),
    "rectus-abdominis": ("One side: side-bends the trunk", "Tilts the pelvis backward"),
    "trapezius": (
        "Upper fibres rotate the head to the opposite side",
        "Upper fibres side-bend the neck",
        "Upper fibres extend the head and neck",
        "Elevates the ribs in forced breathing",
    ),
    "sternocleidomastoid": ("Both sides: flex the neck",),
    "rhomboids": ("Elevate the scapula",),
}


def group_members(slug: str) -> set[str]:
    """The muscle, its group and its parts: every slug a question about it is also about."""
    related = {slug, *MUSCLE_GROUPS.get(slug, ())}
    related |= {group for group, parts in MUSCLE_GROUPS.items() if slug in parts}
    return related


def overlapping(a: str, b: str) -> bool:
    """One is a group the other belongs to (erector spinae and longissimus), or they are the same."""
    return b in group_members(a)


def true_action_texts(kb: KnowledgeBase, muscle: MuscleFacts) -> list[str]:
    """Every action true of the muscle or of any of its fibres, its group or its parts."""
    by_slug = {m.slug: m for m in kb.muscles}
    texts: list[str] = []
    for slug in sorted(group_members(muscle.slug)):
        other = by_slug.get(slug)
        texts += list(other.actions) if other else []
        texts += list(FIBRE_ACTIONS.get(slug, ()))
    return texts


def true_action_keys(kb: KnowledgeBase, muscle: MuscleFacts) -> frozenset:
    """The (movement, part) keys of everything `true_action_texts` says: a distractor sharing one is out."""
    return muscle_action_keys(true_action_texts(kb, muscle))
