"""What a generator produces: a question as plain data, and the canonical content its checksum covers."""

import hashlib
import json
from dataclasses import dataclass, field


@dataclass
class OptionSpec:
    text: str
    is_correct: bool = False
    match_text: str = ""


@dataclass
class QuestionSpec:
    key: str
    kind: str
    topic: str
    stem: str
    explanation: str
    difficulty: int = 2
    options: list[OptionSpec] = field(default_factory=list)
    zones: tuple[str, ...] = ()
    muscle: str | None = None
    red_flag: str | None = None
    critical: bool = False
    tags: tuple[str, ...] = ()
    about_muscles: tuple[str, ...] = ()
    about_flags: tuple[str, ...] = ()
    module_id: int | None = None
    section_anchor: str = ""
    # Filled by quizzes.generators.families unless the data names them; not part of the checksum
    # (classification, not content an instructor edits).
    family: str = ""
    cognitive_level: str = ""

    def content(self) -> dict:
        return question_content(
            kind=self.kind,
            stem=self.stem,
            explanation=self.explanation,
            topic=self.topic,
            difficulty=self.difficulty,
            critical=self.critical,
            muscle=self.muscle,
            red_flag=self.red_flag,
            module_id=self.module_id,
            section_anchor=self.section_anchor,
            options=[(o.text, o.is_correct, o.match_text) for o in self.options],
            zones=self.zones,
        )

    @property
    def checksum(self) -> str:
        return content_checksum(self.content())

    @property
    def correct_texts(self) -> list[str]:
        return [o.text for o in self.options if o.is_correct]


def question_content(
    *,
    kind,
    stem,
    explanation,
    topic,
    difficulty,
    critical,
    muscle,
    red_flag,
    module_id,
    section_anchor,
    options,
    zones,
) -> dict:
    """The part of a question the generator owns, in one canonical shape (spec or database row)."""
    return {
        "kind": kind,
        "stem": stem.strip(),
        "explanation": explanation.strip(),
        "topic": topic,
        "difficulty": int(difficulty),
        "critical": bool(critical),
        "muscle": muscle or None,
        "red_flag": red_flag or None,
        "module": module_id,
        "section_anchor": section_anchor or "",
        "options": [[text or "", bool(correct), match or ""] for text, correct, match in options],
        "zones": sorted(zones),
    }


def content_checksum(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
