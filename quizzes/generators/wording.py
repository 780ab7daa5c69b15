"""How generated stems and explanations phrase names, landmarks and lists."""

import re

from .facts import MuscleFacts, is_structure


def sentence(text: str) -> str:
    text = " ".join((text or "").split()).rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def lower_first(text: str) -> str:
    if len(text) > 1 and text[1].isupper():  # an acronym ("ASIS", "L1")
        return text
    return text[:1].lower() + text[1:]


def is_plural(name: str) -> bool:
    """'Rhomboids' (a pair of muscles) reads 'Where do the rhomboids ...'."""
    return name.endswith("s") and not name.endswith(("us", "is", "ss"))


def subject(muscle: MuscleFacts) -> str:
    """How a sentence names the muscle: 'psoas major', 'the rhomboids', 'the iliotibial tract'."""
    name = lower_first(muscle.name)
    return f"the {name}" if is_plural(muscle.name) or is_structure(muscle) else name


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def landmark_phrase(text: str) -> str:
    """'the lesser trochanter of the femur', "Gerdy's tubercle", 'the 12th rib'."""
    if re.match(r"^[A-Z][a-z]+'s\b", text):
        return text
    if re.match(r"^(A|An|The)\b", text):
        return lower_first(text)
    return "the " + lower_first(text)
