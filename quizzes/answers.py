"""Reading and checking answers sent by the browser, against the attempt's snapshot.

JSON (autosave and scripted submit): {"answers": {"<question id>": answer}} with, per kind,
  single_choice / true_false / case_vignette: "<option id>" ; multiple_response: ["<option id>", ...]
  body_map: ["<zone code>", ...] ; matching: {"<left id>": "<right id>"} ; ordering: {"<item id>": 1}
  null (or "", [], {}) clears an answer.
Form (no JavaScript): q<qid> for choices and zones (repeated for several), q<qid>-<id> for the
select of each matching item or ordering item.

Anything that does not fit (unknown or repeated ids, wrong types, foreign questions) raises
AnswerError naming the question, and nothing is saved.
"""

import json
import re

from .errors import AnswerError

SINGLE_KINDS = {"single_choice", "true_false", "case_vignette"}
SET_KINDS = {"multiple_response", "body_map"}
FIELD_RE = re.compile(r"^q(\d+)(?:-(.+))?$")


def json_loads_strict(raw: bytes):
    """json.loads that refuses repeated keys (a second value for the same question or item)."""

    def no_repeats(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise AnswerError("The same key appears twice in the request.")
        return dict(pairs)

    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=no_repeats)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise AnswerError("The request body is not valid JSON.") from None


def validate_answers(snapshot: dict, answers) -> dict[int, object]:
    """{question id: normalized answer} for the questions present in `answers`."""
    if not isinstance(answers, dict):
        raise AnswerError('"answers" must be an object mapping question ids to answers.')
    items = {str(item["qid"]): item for item in snapshot["questions"]}
    zone_codes = [z["code"] for z in snapshot.get("zones", [])]
    normalized = {}
    for key, answer in answers.items():
        item = items.get(str(key))
        if item is None:
            raise AnswerError(f"Question {str(key)[:20]!r} is not part of this attempt.")
        normalized[item["qid"]] = validate_answer(item, answer, zone_codes)
    return normalized


def validate_answer(item: dict, answer, zone_codes: list[str]):
    if answer is None or answer == "" or answer == [] or answer == {}:
        return None
    kind = item["kind"]
    ids = [o["id"] for o in item["options"]]
    if kind in SINGLE_KINDS:
        return _one_id(item, answer, ids)
    if kind in SET_KINDS:
        return _id_list(item, answer, ids if kind == "multiple_response" else zone_codes)
    if kind == "matching":
        return _pairs(item, answer, ids, [r["id"] for r in item.get("right", [])])
    if kind == "ordering":
        return _positions(item, answer, ids)
    raise AnswerError(f"Question {item['position']} cannot be answered.")


def _fail(item, message):
    raise AnswerError(f"Question {item['position']}: {message}")


def _one_id(item, answer, ids):
    if not isinstance(answer, str):
        _fail(item, "expects a single option id.")
    if answer not in ids:
        _fail(item, "unknown option id.")
    return answer


def _id_list(item, answer, allowed):
    if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
        _fail(item, "expects a list of ids.")
    if len(set(answer)) != len(answer):
        _fail(item, "the same id is listed twice.")
    if any(a not in allowed for a in answer):
        _fail(item, "unknown id.")
    order = {value: n for n, value in enumerate(allowed)}
    return sorted(answer, key=order.__getitem__)


def _pairs(item, answer, left_ids, right_ids):
    if not isinstance(answer, dict):
        _fail(item, "expects an object pairing each item with a right-hand id.")
    pairs = {}
    for left, right in answer.items():
        if left not in left_ids:
            _fail(item, "unknown item id.")
        if right is None or right == "":
            continue
        if not isinstance(right, str) or right not in right_ids:
            _fail(item, "unknown right-hand id.")
        pairs[left] = right
    return pairs or None


def _positions(item, answer, ids):
    if not isinstance(answer, dict):
        _fail(item, "expects an object giving each item its position.")
    positions = {}
    for key, position in answer.items():
        if key not in ids:
            _fail(item, "unknown item id.")
        if position is None or position == "":
            continue
        if type(position) is not int or not 1 <= position <= len(ids):
            _fail(item, f"positions are whole numbers from 1 to {len(ids)}.")
        positions[key] = position
    return positions or None


def answers_from_form(snapshot: dict, data) -> dict[str, object]:
    """Turn the take page's form (a QueryDict) into the JSON answer shape, for every question."""
    items = {str(item["qid"]): item for item in snapshot["questions"]}
    answers: dict[str, object] = dict.fromkeys(items)
    for name in data:
        match = FIELD_RE.match(name)
        if match is None:
            continue
        qid, sub = match.groups()
        item = items.get(qid)
        if item is None:
            raise AnswerError(f"Question {qid} is not part of this attempt.")
        values = data.getlist(name)
        kind = item["kind"]
        if sub is None and kind in SINGLE_KINDS:
            if len(values) > 1:
                _fail(item, "only one option may be chosen.")
            answers[qid] = values[0]
        elif sub is None and kind in SET_KINDS:
            answers[qid] = values
        elif sub is not None and kind in ("matching", "ordering"):
            if len(values) > 1:
                _fail(item, "the same item is answered twice.")
            value = values[0]
            if kind == "ordering" and value != "":
                value = int(value) if value.isascii() and value.isdigit() and len(value) < 6 else value
            answers[qid] = {**(answers[qid] or {}), sub: value}
        else:
            raise AnswerError(f"Field {name[:40]!r} does not fit question {item['position']}.")
    return answers
