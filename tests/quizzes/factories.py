"""Builders for quiz tests: one function per question kind, quizzes, zones and answer helpers."""

import itertools

from content.models import BodyZone, RedFlag
from quizzes.models import Question, QuestionKind, QuestionOption, Quiz, QuizRule, Topic
from quizzes.topics import topics_ensure
from tests.factories import wagtail_base_ensure  # noqa: F401  (re-exported for the quiz tests)

_counter = itertools.count(1)

ZONE_SHAPES = [
    ("lumbar-left", "Lumbar, left", "back", "M74 150h24v40H74z"),
    ("lumbar-right", "Lumbar, right", "back", "M102 150h24v40h-24z"),
    ("buttock-upper", "Upper buttock", "back", "M62 196h76v30H62z"),
    ("thigh-back", "Back of the thigh", "back", "M58 250h36v90H58z"),
    ("groin", "Groin", "front", "M80 214h40v22H80z"),
    ("thigh-front", "Front of the thigh", "front", "M58 246h36v90H58z"),
    ("abdomen-lower", "Lower abdomen", "front", "M70 170h60v36H70z"),
]


def zones_create(with_shapes=True) -> list[BodyZone]:
    zones = []
    for n, (code, name, view, shape) in enumerate(ZONE_SHAPES):
        fields = {"name": name, "view": view, "sort_order": n}
        if with_shapes:
            fields["shape"] = shape
        zone, _ = BodyZone.objects.update_or_create(code=code, defaults=fields)
        zones.append(zone)
    return zones


def _question(kind, *, module=None, topic=Topic.GENERAL, stem=None, options=(), zones=(), tags=(), **fields):
    n = next(_counter)
    topics_ensure()
    question = Question(
        kind=kind,
        stem=stem or f"Question {n} ({kind}): which is right?",
        explanation=fields.pop("explanation", f"Explanation number {n} that only the result page shows."),
        topic_id=topic,
        module=module,
        **fields,
    )
    question.options = [QuestionOption(sort_order=i, **option) for i, option in enumerate(options)]
    question.correct_zones = list(zones)
    question.full_clean()
    question.save()
    if tags:
        question.tags.add(*tags)
        question.save()
    return question


def single_choice(
    module=None, *, right="The right answer", wrong=("Wrong one", "Wrong two", "Wrong three"), **kw
):
    options = [{"text": right, "is_correct": True}] + [{"text": w} for w in wrong]
    return _question(QuestionKind.SINGLE_CHOICE, module=module, options=options, **kw)


def multiple_response(module=None, *, right=("Right A", "Right B"), wrong=("Wrong C", "Wrong D"), **kw):
    options = [{"text": r, "is_correct": True} for r in right] + [{"text": w} for w in wrong]
    return _question(QuestionKind.MULTIPLE_RESPONSE, module=module, options=options, **kw)


def true_false(module=None, *, answer=True, **kw):
    options = [{"text": "True", "is_correct": answer}, {"text": "False", "is_correct": not answer}]
    return _question(QuestionKind.TRUE_FALSE, module=module, options=options, **kw)


PAIRS = [
    ("Psoas major", "Lesser trochanter of the femur"),
    ("Iliacus", "Lesser trochanter of the femur"),
    ("Piriformis", "Greater trochanter of the femur"),
    ("Gluteus maximus", "Gluteal tuberosity and iliotibial tract"),
]


def matching(module=None, *, pairs=PAIRS, extra_rights=("Ischial tuberosity",), **kw):
    # Extra right-hand distractors are options with a match text and no text.
    options = [{"text": left, "match_text": right} for left, right in pairs]
    options += [{"text": "", "match_text": extra} for extra in extra_rights]
    return _question(QuestionKind.MATCHING, module=module, options=options, **kw)


def ordering(module=None, *, items=("First step", "Second step", "Third step", "Fourth step"), **kw):
    return _question(QuestionKind.ORDERING, module=module, options=[{"text": t} for t in items], **kw)


def vignette(module=None, *, action="emergency", critical=True, **kw):
    """A triage vignette. Critical ones rest on a red flag at their key's level (the editor's rule)."""
    if critical and "red_flag" not in kw:
        kw["red_flag"] = RedFlag.objects.get_or_create(
            slug=f"test-flag-{action}",
            defaults={
                "sign": f"A test sign ({action})",
                "suspected_condition": "Test",
                "action_level": action,
                "action": "Test action.",
            },
        )[0]
    topics_ensure()
    question = Question(
        kind=QuestionKind.CASE_VIGNETTE,
        stem=kw.pop("stem", "A client reports new numbness in the saddle area and trouble passing urine."),
        explanation=kw.pop(
            "explanation", "Saddle numbness with bladder change suggests cauda equina: emergency."
        ),
        topic_id=kw.pop("topic", Topic.RED_FLAGS),
        module=module,
        critical=critical,
        **kw,
    )
    question.set_vignette_options(action)
    question.full_clean()
    question.save()
    return question


def body_map(module=None, *, zones, **kw):
    return _question(QuestionKind.BODY_MAP, module=module, zones=zones, topic=Topic.REFERRED_PAIN, **kw)


def every_kind(module, zones):
    """One question of each of the seven kinds, linked to `module`."""
    return [
        single_choice(module, topic=Topic.ATTACHMENTS),
        multiple_response(module, topic=Topic.ATTACHMENTS),
        true_false(module),
        matching(module, topic=Topic.ATTACHMENTS),
        ordering(module),
        vignette(module),
        body_map(module, zones=[z for z in zones if z.code in ("buttock-upper", "thigh-back")]),
    ]


def quiz_create(course, module=None, *, rules=(), **fields):
    quiz = Quiz(title=fields.pop("title", f"Quiz {next(_counter)}"), course=course, module=module, **fields)
    quiz.rules = [QuizRule(topic_id=topic or None, tag=tag, count=count) for topic, tag, count in rules]
    quiz.save()
    return quiz


def key_answers(attempt) -> dict[str, object]:
    """The fully correct answers of an attempt, read from its snapshot (tests only)."""
    return {str(item["qid"]): item["key"] for item in attempt.snapshot["questions"]}


def wrong_answers(attempt) -> dict[str, object]:
    """An answer per question that scores 0."""
    answers = {}
    for item in attempt.snapshot["questions"]:
        kind, key, ids = item["kind"], item["key"], [o["id"] for o in item["options"]]
        if kind in ("single_choice", "true_false", "case_vignette"):
            answers[str(item["qid"])] = next(i for i in ids if i != key)
        elif kind == "multiple_response":
            answers[str(item["qid"])] = [i for i in ids if i not in key]
        elif kind == "body_map":
            codes = [z["code"] for z in attempt.snapshot["zones"]]
            answers[str(item["qid"])] = [c for c in codes if c not in key][:1]
        elif kind == "matching":
            rights = [r["id"] for r in item["right"]]
            answers[str(item["qid"])] = {
                left: next(r for r in rights if r != right) for left, right in key.items()
            }
        elif kind == "ordering":
            n = len(key)
            answers[str(item["qid"])] = {oid: (pos % n) + 1 for oid, pos in key.items()}
    return answers
