"""Where each question is taught: the module (and section) of a course that shows its muscle card or
red-flag callout, else the one that names its muscle most often; a question on several muscles
(matching) goes to the first module that teaches them all, or to none.

The caller passes the modules (course pages sit above quizzes); each needs `pk` and a StreamField `body`."""

from dataclasses import dataclass, field

from content.models import Muscle, RedFlag
from content.muscle_names import MuscleNames
from content.streamfield_text import plain_text, raw_blocks, value_text

from .facts import KnowledgeBase, MuscleFacts
from .muscle_mentions import named_counts
from .specs import QuestionSpec


@dataclass
class ModuleIndex:
    """For one course: which module (and section) teaches each muscle and red flag."""

    muscle_cards: dict = field(default_factory=dict)  # muscle slug -> (module_id, anchor)
    flag_cards: dict = field(default_factory=dict)  # flag slug -> (module_id, anchor)
    mentions: list = field(default_factory=list)  # [(module_id, [(anchor, plain text)])]
    red_flag_module: tuple | None = None  # the module with the most red-flag callouts
    _counted: tuple | None = field(default=None, repr=False)  # (names, [(module_id, [(anchor, Counter)])])

    def for_muscle(self, muscle: MuscleFacts | None, names: MuscleNames) -> tuple | None:
        """Its muscle card, else the module naming it most often by name; by an alias only where no
        module uses its name: aliases are shared ("hamstrings", "inner thigh") and would send every
        member of a group to one place."""
        if muscle is None:
            return None
        if muscle.slug in self.muscle_cards:
            return self.muscle_cards[muscle.slug]
        counted = self._counts(names)
        return _most_mentions(counted, (muscle.slug, True)) or _most_mentions(counted, (muscle.slug, False))

    def _counts(self, names: MuscleNames) -> list:
        if self._counted is None or self._counted[0] is not names:
            counted = [
                (module_id, [(anchor, named_counts(names, text)) for anchor, text in sections])
                for module_id, sections in self.mentions
            ]
            self._counted = (names, counted)
        return self._counted[1]

    def for_all_muscles(self, muscles: list[MuscleFacts], names: MuscleNames) -> tuple | None:
        """The first module that teaches every one of `muscles` (a card or a mention), at the first
        section naming any: a matching question on four muscles belongs where all four are taught."""
        wanted = {m.slug for m in muscles}
        for module_id, sections in self._counts(names):
            named = {slug for _, counts in sections for (slug, _), n in counts.items() if n}
            named |= {
                slug for slug, (card_module, _) in self.muscle_cards.items() if card_module == module_id
            }
            if wanted <= named:
                anchor = next((a for a, counts in sections if any(counts[(s, True)] for s in wanted)), "")
                return module_id, anchor
        return None

    def for_flag(self, slug: str | None) -> tuple | None:
        return self.flag_cards.get(slug) if slug else None


def _most_mentions(counted: list, key: tuple) -> tuple | None:
    """The module that names the muscle most often (the first on a tie), at its first mention."""
    best, best_count = None, 0
    for module_id, sections in counted:
        count, first_anchor = 0, None
        for anchor, counts in sections:
            found = counts[key]
            if found and first_anchor is None:
                first_anchor = anchor
            count += found
        if count > best_count:
            best, best_count = (module_id, first_anchor), count
    return best


def module_index_build(modules) -> ModuleIndex:
    """Scan the raw StreamField data of `modules` (a course's module pages, in course order; no
    per-block queries)."""
    index, modules = ModuleIndex(), list(modules)
    if not modules:
        return index
    muscle_slugs = dict(Muscle.objects.values_list("pk", "slug"))
    flag_slugs = dict(RedFlag.objects.values_list("pk", "slug"))
    best_flag_count = 0
    for module in modules:
        sections, flag_count = _module_scan(module, index, muscle_slugs, flag_slugs)
        index.mentions.append((module.pk, sections))
        if flag_count > best_flag_count:
            best_flag_count, index.red_flag_module = flag_count, (module.pk, "")
    return index


def _module_scan(module, index: ModuleIndex, muscle_slugs: dict, flag_slugs: dict) -> tuple[list, int]:
    """Record the module's muscle cards and red-flag callouts in `index`; return its sections' text
    [(anchor, text)] and how many red-flag callouts it has."""
    anchor, sections, flag_count = "", [], 0
    for kind, value in raw_blocks(module.body):
        value = value or {}
        if kind == "heading" and isinstance(value, dict):
            anchor = (value.get("anchor") or "").strip()
        elif kind == "muscle_card" and isinstance(value, dict):
            slug = muscle_slugs.get(value.get("muscle"))
            if slug:
                index.muscle_cards.setdefault(slug, (module.pk, anchor))
        elif kind == "red_flag" and isinstance(value, dict):
            slug = flag_slugs.get(value.get("red_flag"))
            flag_count += 1
            if slug:
                index.flag_cards.setdefault(slug, (module.pk, anchor))
        sections.append((anchor, plain_text(value_text(value))))
    return sections, flag_count


def specs_link(specs: list[QuestionSpec], kb: KnowledgeBase, index: ModuleIndex) -> None:
    """Set module and section of each spec from what it is about (first muscle or flag that is taught)."""
    muscles = {m.slug: m for m in kb.muscles}
    for spec in specs:
        if len(spec.about_muscles) > 1 and not spec.about_flags:
            about = [muscles[slug] for slug in spec.about_muscles if slug in muscles]
            place = index.for_all_muscles(about, kb.muscle_names)
            spec.module_id, spec.section_anchor = place if place else (None, "")
            continue
        place = None
        for slug in spec.about_flags:
            place = place or index.for_flag(slug)
        for slug in spec.about_muscles:
            place = place or index.for_muscle(muscles.get(slug), kb.muscle_names)
        if place is None and spec.topic == "red_flags":
            place = index.red_flag_module
        spec.module_id, spec.section_anchor = place if place else (None, "")
