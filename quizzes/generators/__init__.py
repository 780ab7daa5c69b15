"""Questions built from the anatomy knowledge base, plus the hand-written ones in quizzes/data/.

- facts: the knowledge base as plain dataclasses (`knowledge_base_read`).
- generation, pure and deterministic for a seed, one module per family: attachments, actions,
  referred_pain (body map and zones), red_flags (triage and conditions), handwritten (vignettes
  and manual questions); `questions_build` runs them all. Distractors come from the same region
  and the same kind of fact, and are never also correct (see fact_keys).
- linking: which module of a course teaches each question (`module_index_build`, `specs_link`).
- families: which questions give each other away (drawn at most one per attempt), and each
  question's level (recall or application).
- sync: specs -> `Question` rows (`specs_sync`), instructors' edits kept.

Entry point: `question_bank_generate(seed=..., modules=...)`. Quizzes sit below courses, so the
caller (courses: the admin page and `manage.py generate_questions`) passes the course's modules.
"""

from .attachments import attachment_text
from .build import questions_build
from .drawing import DEFAULT_SEED
from .facts import DATA_DIR, FlagFacts, KnowledgeBase, MuscleFacts, ZoneFacts, knowledge_base_read
from .families import families_assign, spec_family, spec_level
from .handwritten import manual_questions_load, vignettes_load
from .linking import ModuleIndex, module_index_build, specs_link
from .red_flags import ACTION_LEVEL_TEXT, condition_keys
from .referred_pain import zones_near
from .specs import OptionSpec, QuestionSpec
from .sync import STALE_TAG, SyncReport, question_is_edited, specs_sync

__all__ = [
    "ACTION_LEVEL_TEXT",
    "DATA_DIR",
    "DEFAULT_SEED",
    "STALE_TAG",
    "FlagFacts",
    "KnowledgeBase",
    "ModuleIndex",
    "MuscleFacts",
    "OptionSpec",
    "QuestionSpec",
    "SyncReport",
    "ZoneFacts",
    "attachment_text",
    "families_assign",
    "condition_keys",
    "knowledge_base_read",
    "manual_questions_load",
    "module_index_build",
    "question_bank_generate",
    "question_is_edited",
    "questions_build",
    "specs_link",
    "spec_family",
    "spec_level",
    "specs_sync",
    "vignettes_load",
    "zones_near",
]


def question_bank_generate(*, seed: int = DEFAULT_SEED, modules=(), user=None) -> SyncReport:
    """Build every question from the knowledge base and the data files, link each to the one of
    `modules` (a course's module pages, in course order; none: unlinked) that teaches it, and
    write them to the question bank."""
    kb = knowledge_base_read()
    specs = questions_build(kb, seed)
    families_assign(specs, {m.slug: m.zones for m in kb.muscles})
    specs_link(specs, kb, module_index_build(modules))
    return specs_sync(specs, user=user)
