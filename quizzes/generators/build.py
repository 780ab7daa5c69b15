"""Every question, generated and hand-written, in a stable order."""

from collections import Counter

from .actions import action_question, actions_multiple_question
from .attachments import attachment_question, inserts_on_question, matching_questions
from .drawing import DEFAULT_SEED
from .facts import KnowledgeBase, MuscleFacts
from .handwritten import manual_questions_load, manual_spec, vignette_spec, vignettes_load
from .innervation import innervation_question
from .red_flags import critical_explanations_quote, red_flag_action_question, red_flag_condition_question
from .referred_pain import body_map_question, referral_zone_question
from .specs import QuestionSpec


def _muscle_questions(kb: KnowledgeBase, muscle: MuscleFacts, seed: int) -> list[QuestionSpec | None]:
    return [
        attachment_question(kb, muscle, "origin", seed),
        attachment_question(kb, muscle, "insertion", seed),
        inserts_on_question(kb, muscle, seed),
        action_question(kb, muscle, seed),
        actions_multiple_question(kb, muscle, seed),
        body_map_question(kb, muscle, seed),
        innervation_question(kb, muscle, seed),
    ]


def questions_build(kb: KnowledgeBase, seed: int = DEFAULT_SEED) -> list[QuestionSpec]:
    """Every question, generated and hand-written, in a stable order. Pure: no database access."""
    specs: list[QuestionSpec | None] = []
    for muscle in kb.muscles:
        specs += _muscle_questions(kb, muscle, seed)
    specs += matching_questions(kb, "insertion", seed)
    specs += matching_questions(kb, "origin", seed)
    specs += [referral_zone_question(kb, zone, seed) for zone in kb.zones]
    for flag in kb.flags:
        specs += [red_flag_action_question(flag), red_flag_condition_question(kb, flag, seed)]
    specs += [vignette_spec(v) for v in vignettes_load()]
    specs += [manual_spec(item) for item in manual_questions_load()]
    built = [spec for spec in specs if spec is not None]
    critical_explanations_quote(built, kb)
    duplicates = [key for key, n in Counter(s.key for s in built).items() if n > 1]
    if duplicates:
        raise ValueError(f"duplicate question keys: {duplicates}")
    return built
