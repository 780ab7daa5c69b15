"""Freezing questions into an attempt (and for previews), and what of them the browser may see.

A snapshot item holds everything needed to show and grade a question later, even if the question
is edited or deleted: text, options in this attempt's display order, the key, the explanation.
`public_item` strips the key and the explanation: it is the only thing templates of open
attempts receive.
"""

import random

from content.models import ActionLevel, BodyZone

from . import grading
from .models import TRIAGE_KINDS, TRIAGE_LEVEL_OF_TEXT, QuestionKind, is_triage_scale, new_public_id

SHUFFLED_KINDS = {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_RESPONSE, QuestionKind.MATCHING}
PRIVATE_FIELDS = {"key", "explanation", "urgency"}
URGENCY_RANK = {level: rank for rank, level in enumerate(ActionLevel.values)}  # 0 = most urgent


def question_item(
    question, *, position: int, rng: random.Random, shuffle: bool, lesson_url: str = ""
) -> dict:
    """Freeze one question. Expects options (and correct_zones for body maps) prefetched."""
    options = sorted(
        question.options.all(), key=lambda o: (o.sort_order is None, o.sort_order or 0, o.pk or 0)
    )
    item = {
        "qid": question.pk,
        "position": position,
        "revision_id": question.latest_revision_id,
        "kind": question.kind,
        "stem": question.stem,
        "explanation": question.explanation,
        "topic": question.topic_id,
        "critical": question.critical,
        "lesson_url": lesson_url,
        "lesson_title": question.module.title if question.module_id and question.module else "",
        "options": [],
    }
    builder = _BUILDERS[question.kind]
    builder(item, question, options, rng, shuffle)
    return item


def _choices(item, question, options, rng, shuffle):
    shown = [o for o in options if o.text]
    # The triage levels are an ordinal scale: always shown most urgent first, never shuffled.
    if shuffle and question.kind in SHUFFLED_KINDS and not is_triage_scale([o.text for o in shown]):
        rng.shuffle(shown)
    item["options"] = [{"id": o.public_id, "text": o.text} for o in shown]
    if question.kind in TRIAGE_KINDS and is_triage_scale([o.text for o in shown]):
        # Frozen so the critical rule still reads the levels if their labels are reworded later.
        item["urgency"] = {o.public_id: URGENCY_RANK[TRIAGE_LEVEL_OF_TEXT[o.text]] for o in shown}
    correct = [o.public_id for o in shown if o.is_correct]
    if question.kind == QuestionKind.MULTIPLE_RESPONSE:
        item["key"] = correct
    else:
        item["key"] = correct[0] if correct else None


def _matching(item, question, options, rng, shuffle):
    lefts = [o for o in options if o.text and o.match_text]
    # Each distinct right-hand text gets one token, fresh per attempt, so the pairing is not guessable.
    tokens: dict[str, str] = {}
    for o in options:
        if o.match_text and o.match_text not in tokens:
            tokens[o.match_text] = new_public_id()
    rights = [{"id": token, "text": text} for text, token in tokens.items()]
    if shuffle:
        rng.shuffle(lefts)
    rng.shuffle(rights)  # unshuffled, the right-hand list would mirror the left one
    item["options"] = [{"id": o.public_id, "text": o.text} for o in lefts]
    item["right"] = rights
    item["key"] = {o.public_id: tokens[o.match_text] for o in lefts}


def _ordering(item, question, options, rng, shuffle):
    items = [o for o in options if o.text]
    key = {o.public_id: n for n, o in enumerate(items, start=1)}
    shown = list(items)
    # Always shuffled, whatever the quiz says: the correct order is the key itself.
    for _ in range(10):
        rng.shuffle(shown)
        if len(shown) < 2 or shown != items:
            break
    item["options"] = [{"id": o.public_id, "text": o.text} for o in shown]
    item["key"] = key


def _body_map(item, question, options, rng, shuffle):
    item["key"] = sorted(zone.code for zone in question.correct_zones.all())


_BUILDERS = {
    QuestionKind.SINGLE_CHOICE: _choices,
    QuestionKind.MULTIPLE_RESPONSE: _choices,
    QuestionKind.TRUE_FALSE: _choices,
    QuestionKind.CASE_VIGNETTE: _choices,
    QuestionKind.MATCHING: _matching,
    QuestionKind.ORDERING: _ordering,
    QuestionKind.BODY_MAP: _body_map,
}


def zone_list(zones) -> list[dict]:
    return [{"code": z.code, "name": z.name, "view": z.view} for z in zones]


def triage_urgency(item: dict) -> dict | None:
    """{option id: urgency rank, 0 = most urgent} of a triage item (the four levels as options), else
    None. Items frozen before the ranks were stored are read from their option texts."""
    if "urgency" in item:
        return item["urgency"]
    texts = [o["text"] for o in item.get("options", [])]
    if item["kind"] not in TRIAGE_KINDS or not is_triage_scale(texts):
        return None
    return {o["id"]: URGENCY_RANK[TRIAGE_LEVEL_OF_TEXT[o["text"]]] for o in item["options"]}


def item_fails_critical(item: dict, answer, correct: bool) -> bool:
    """Whether `answer` to this frozen item fails the attempt by the critical rule (under-triage only,
    on a triage item; any wrong answer on another critical item)."""
    return grading.fails_critical(
        critical=item["critical"],
        correct=correct,
        key=item["key"],
        answer=answer,
        urgency=triage_urgency(item),
    )


def item_triage_error(item: dict, answer, correct: bool) -> str | None:
    """Which way a wrong answer to this frozen triage item missed (grading.triage_error), else None."""
    return grading.triage_error(correct=correct, key=item["key"], answer=answer, urgency=triage_urgency(item))


def public_item(item: dict) -> dict:
    return {k: v for k, v in item.items() if k not in PRIVATE_FIELDS}


def question_preview_item(question) -> dict:
    """A snapshot item of an unsaved or saved question (admin preview); zones listed for body maps."""
    item = question_item(
        question, position=1, rng=random.Random(0), shuffle=False, lesson_url=question.lesson_url
    )
    if question.kind == QuestionKind.BODY_MAP:
        item["zones"] = zone_list(BodyZone.objects.all())
    return item
