"""Hand-written questions from quizzes/data/: case vignettes (triage) and true/false or ordering items."""

from pathlib import Path

import yaml

from .drawing import DEFAULT_SEED, options_order
from .facts import DATA_DIR
from .red_flags import ACTION_LEVEL_TEXT, action_options
from .specs import OptionSpec, QuestionSpec


def vignettes_load(path: Path = DATA_DIR / "vignettes.yaml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def manual_questions_load(path: Path = DATA_DIR / "manual_questions.yaml") -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def _one_line(text: str) -> str:
    return " ".join(text.split())


def vignette_spec(vignette: dict) -> QuestionSpec:
    """A case vignette. `asks: action` (the default) offers the four triage levels and is keyed to
    the level of the flag it rests on (`red_flag`); `asks: source` offers `options` and is keyed
    to `answer`, the likely source (a non-musculoskeletal cause, a muscle's trigger points or a
    nerve root)."""
    if vignette.get("asks", "action") == "source":
        return _source_spec(vignette)
    answer = vignette["answer"]
    if answer not in ACTION_LEVEL_TEXT:
        raise ValueError(f"vignette {vignette['slug']}: unknown answer {answer!r}")
    flags = _vignette_flags(vignette)
    return QuestionSpec(
        key=f"vignette:{vignette['slug']}",
        kind="case_vignette",
        topic="red_flags",
        stem=_one_line(vignette["story"]),  # the quiz page asks "What should you do?" under every vignette
        explanation=_one_line(vignette["explanation"]),
        difficulty=int(vignette.get("difficulty", 2)),
        options=action_options(answer),
        red_flag=flags[0] if flags else None,
        critical=bool(vignette.get("critical", False)),
        about_flags=flags,
        tags=("vignette", "triage"),
    )


def _vignette_flags(vignette: dict) -> tuple[str, ...]:
    """The flag the key rests on first, then any other flag the story shows."""
    main = vignette.get("red_flag")
    others = [f for f in vignette.get("also_flags") or () if f != main]
    return tuple(([main] if main else []) + others)


def _source_spec(vignette: dict) -> QuestionSpec:
    key = f"vignette:{vignette['slug']}"
    answer = vignette["answer"]
    texts = [str(t) for t in vignette["options"]]
    if texts.count(answer) != 1 or len(set(texts)) != len(texts):
        raise ValueError(f"vignette {vignette['slug']}: the answer must be exactly one of the options")
    options = [OptionSpec(text, text == answer) for text in texts]
    options_order(options, DEFAULT_SEED, key)
    muscle = vignette.get("muscle")
    flags = _vignette_flags(vignette)
    return QuestionSpec(
        key=key,
        kind="single_choice",
        topic="referred_pain" if muscle else "red_flags",
        stem=_one_line(vignette["story"]) + " " + _one_line(vignette["question"]),
        explanation=_one_line(vignette["explanation"]),
        difficulty=int(vignette.get("difficulty", 2)),
        options=options,
        muscle=muscle,
        red_flag=flags[0] if flags else None,
        critical=False,
        about_muscles=(muscle,) if muscle else (),
        about_flags=flags,
        # A trigger-point source story describes the muscle's referral pattern: one family with
        # its body map (quizzes.generators.families).
        tags=("vignette", "source", "referral-pattern")
        if muscle and vignette.get("source") != "nerve-root"
        else ("vignette", "source"),
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
        family=item.get("family", ""),  # optional: else quizzes.generators.families decides
        cognitive_level=item.get("cognitive_level", ""),  # optional: recall unless it says application
    )
