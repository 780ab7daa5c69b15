"""Which questions give each other away (a family), and what each asks of the learner (its level).

An attempt draws at most one question of a family (quizzes.services.quiz_draw), so one stem never
answers another:
- every question on one red flag (its triage level, its likely condition, its case vignettes);
- one fact of one muscle however it is asked: "Where does X insert?" and "Which muscle inserts on
  <X's insertion>?" (a reverse pair), the single- and multiple-response action questions;
- one referral pattern: a muscle's body map, any body map with the same zones, and every "which
  muscle refers pain to <zone>?" keyed on that muscle.
A spec may name its family outright (`family:` in the hand-written YAML); otherwise its key is its
family (it gives nothing away).

Level: case vignettes (the triage kind and the "likely source" kind) are application items;
everything else is recall unless its YAML says `cognitive_level: application`.
"""

from .specs import QuestionSpec

# Key prefix -> the fact it asks about; questions on the same fact of the same muscle are one family.
FACT_OF_KEY_PREFIX = {
    "origin": "origin",
    "insertion": "insertion",
    "inserts-on": "insertion",
    "action": "action",
    "actions": "action",
    "innervation": "innervation",
}


def referral_family(zones) -> str:
    return "map:" + ",".join(sorted(zones))


def spec_family(spec: QuestionSpec, zones_of_muscle: dict | None = None) -> str:
    """The family of a generated or hand-written question; `zones_of_muscle` ({slug: zones}) ties
    "which muscle refers to <zone>?" to the keyed muscle's body map."""
    if spec.family:
        return spec.family
    if spec.red_flag:
        return f"flag:{spec.red_flag}"
    if spec.kind == "body_map" and spec.zones:
        return referral_family(spec.zones)
    prefix = spec.key.split(":")[0]
    if prefix == "vignette" and "referral-pattern" in spec.tags and (zones_of_muscle or {}).get(spec.muscle):
        return referral_family(zones_of_muscle[spec.muscle])  # a trigger-point "likely source" story
    if prefix == "referral-zone" and spec.muscle and (zones_of_muscle or {}).get(spec.muscle):
        return referral_family(zones_of_muscle[spec.muscle])
    if spec.muscle and prefix in FACT_OF_KEY_PREFIX:
        return f"{FACT_OF_KEY_PREFIX[prefix]}:{spec.muscle}"
    return spec.key


def spec_level(spec: QuestionSpec) -> str:
    if spec.cognitive_level:
        return spec.cognitive_level
    if spec.kind == "case_vignette" or "vignette" in spec.tags:
        return "application"
    return "recall"


def families_assign(specs: list[QuestionSpec], zones_of_muscle: dict) -> None:
    """Fill in the family and level of every spec that does not name its own."""
    for spec in specs:
        spec.family = spec_family(spec, zones_of_muscle)
        spec.cognitive_level = spec_level(spec)
