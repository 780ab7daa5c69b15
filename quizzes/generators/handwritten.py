"""Hand-written questions from quizzes/data/: case vignettes (triage) and true/false or ordering items."""

from pathlib import Path

import yaml

from .facts import DATA_DIR
from .red_flags import ACTION_LEVEL_TEXT, CRITICAL_LEVELS, action_options
from .specs import OptionSpec, QuestionSpec


def vignettes_load(path: Path = DATA_DIR / "vignettes.yaml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def manual_questions_load(path: Path = DATA_DIR / "manual_questions.yaml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def _one_line(text: str) -> str:
    return " ".join(text.split())


def vignette_spec(vignette: dict) -> QuestionSpec:
    answer = vignette["answer"]
    if answer not in ACTION_LEVEL_TEXT:
        raise ValueError(f"vignette {vignette['slug']}: unknown answer {answer!r}")
    flags = tuple(vignette.get("red_flags") or ())
    return QuestionSpec(
        key=f"vignette:{vignette['slug']}",
        kind="case_vignette",
        topic="red_flags",
        stem=_one_line(vignette["story"]),  # the quiz page asks "What should you do?" under every vignette
        explanation=_one_line(vignette["explanation"]),
        difficulty=int(vignette.get("difficulty", 2)),
        options=action_options(answer),
        red_flag=flags[0] if flags else None,
        critical=answer in CRITICAL_LEVELS,
        about_flags=flags,
        tags=("vignette",),
    )


def _manual_options(item: dict) -> list[OptionSpec]:
    kind = item["kind"]
    if kind == "true_false":
        answer = bool(item["answer"])
        return [OptionSpec("True", answer), OptionSpec("False", not answer)]
    if kind == "ordering":
        return [OptionSpec(str(text)) for text in item["items"]]
    raise ValueError(f"manual question {item['slug']}: unsupported kind {kind!r}")


def manual_spec(item: dict) -> QuestionSpec:
    options = _manual_options(item)
    return QuestionSpec(
        key=f"manual:{item['slug']}",
        kind=item["kind"],
        topic=item["topic"],
        stem=_one_line(item["stem"]),
        explanation=_one_line(item["explanation"]),
        difficulty=int(item.get("difficulty", 2)),
        options=options,
        muscle=item.get("muscle"),
        red_flag=item.get("red_flag"),
        critical=bool(item.get("critical", False)),
        about_muscles=(item["muscle"],) if item.get("muscle") else (),
        about_flags=(item["red_flag"],) if item.get("red_flag") else (),
        tags=("handwritten",),
    )
