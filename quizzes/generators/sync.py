"""Specs -> `Question` rows, keyed by `generator_key`.

A re-run creates what is missing, updates a question only while its content still matches the
checksum of what was last generated (nobody edited it) and leaves instructors' edits alone. A
question the generator no longer produces is retired (tagged STALE_TAG) unless an instructor made
it their own, and comes back if it is generated again."""

import logging
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import Revision

from content.models import BodyZone, Muscle, RedFlag

from ..models import Question, QuestionOption, question_errors
from ..topics import topics_ensure
from .specs import QuestionSpec, content_checksum, question_content

logger = logging.getLogger(__name__)

STALE_TAG = "no-longer-generated"


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_edited: int = 0
    invalid: list = field(default_factory=list)
    stale: list = field(default_factory=list)
    by_topic: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"kept (edited by an instructor) {self.kept_edited}",
            "by topic: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_topic.items())),
            "by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items())),
        ]
        if self.invalid:
            out.append(f"skipped as invalid: {', '.join(self.invalid)}")
        if self.stale:
            out.append(
                f"no longer generated (retired unless an instructor edited them): {', '.join(self.stale)}"
            )
        return out

    def count(self, question) -> None:
        self.by_topic[question.topic_id] += 1
        self.by_kind[question.kind] += 1


def stored_content(question) -> dict:
    """The canonical content of a saved question (expects options and zones prefetched)."""
    options = sorted(question.options.all(), key=lambda o: (o.sort_order or 0, o.pk or 0))
    return question_content(
        kind=question.kind,
        stem=question.stem,
        explanation=question.explanation,
        topic=question.topic_id,
        difficulty=question.difficulty,
        critical=question.critical,
        muscle=question.muscle.slug if question.muscle_id else None,
        red_flag=question.red_flag.slug if question.red_flag_id else None,
        module_id=question.module_id,
        section_anchor=question.section_anchor,
        options=[(o.text, o.is_correct, o.match_text) for o in options],
        zones=[z.code for z in question.correct_zones.all()],
    )


def question_is_edited(question) -> bool:
    return content_checksum(stored_content(question)) != question.generator_checksum


def spec_errors(spec: QuestionSpec) -> dict:
    """What the question bank's own validation says about the spec (empty: it may be saved)."""
    options = [{"text": o.text, "is_correct": o.is_correct, "match_text": o.match_text} for o in spec.options]
    return question_errors(spec.kind, options, len(spec.zones))


def specs_sync(specs: list[QuestionSpec], *, user=None) -> SyncReport:
    """Write specs to the question bank; idempotent, instructors' edits kept."""
    report = SyncReport()
    refs = _refs_load()
    for spec in specs:  # names that are not (yet) in the knowledge base are left empty
        if spec.muscle not in refs["muscles"]:
            spec.muscle = None
        if spec.red_flag not in refs["flags"]:
            spec.red_flag = None
    existing = _generated_questions()
    with transaction.atomic():
        topics_ensure({spec.topic for spec in specs})
        saved = [q for spec in specs if (q := _spec_sync(spec, existing.get(spec.key), refs, report))]
        for key in sorted(set(existing) - {spec.key for spec in specs}):
            _stale_retire(existing[key], report)
        _revisions_record(saved, user)
    return report


def _refs_load() -> dict:
    return {
        "muscles": {m.slug: m for m in Muscle.objects.all()},
        "flags": {f.slug: f for f in RedFlag.objects.all()},
        "zones": {z.code: z for z in BodyZone.objects.all()},
    }


def _generated_questions() -> dict:
    return {
        q.generator_key: q
        for q in Question.objects.filter(generator_key__isnull=False)
        .select_related("muscle", "red_flag")
        .prefetch_related("options", "correct_zones", "tagged_items__tag")
    }


def _spec_sync(spec: QuestionSpec, question, refs: dict, report: SyncReport):
    """Create, update or keep the question of one spec; the question when it was saved, else None."""
    errors = spec_errors(spec)
    if errors:
        logger.warning("Question %s not saved: %s", spec.key, errors)
        report.invalid.append(spec.key)
        return None
    if question is None:
        question = Question()
        _spec_apply(question, spec, refs)
        question.tags.add(*spec.tags)
        report.created += 1
    elif question_is_edited(question):
        report.kept_edited += 1
        report.count(question)
        return None
    elif question.generator_checksum == spec.checksum:
        report.unchanged += 1
        report.count(question)
        _stale_revive(question)
        _classification_follow(question, spec)
        return None
    else:
        _spec_apply(question, spec, refs)
        _stale_revive(question, save=False)
        report.updated += 1
    question.save()
    report.count(question)
    return question


def _spec_apply(question, spec: QuestionSpec, refs: dict) -> None:
    question.kind, question.topic_id, question.stem = spec.kind, spec.topic, spec.stem
    question.explanation, question.difficulty, question.critical = (
        spec.explanation,
        spec.difficulty,
        spec.critical,
    )
    question.muscle = refs["muscles"].get(spec.muscle)
    question.red_flag = refs["flags"].get(spec.red_flag)
    question.module_id, question.section_anchor = spec.module_id, spec.section_anchor
    question.family = spec.family or spec.key
    question.cognitive_level = spec.cognitive_level or question.cognitive_level
    question.options = [
        QuestionOption(text=o.text, is_correct=o.is_correct, match_text=o.match_text, sort_order=n)
        for n, o in enumerate(spec.options)
    ]
    question.correct_zones = [refs["zones"][code] for code in spec.zones if code in refs["zones"]]
    question.generator_key = spec.key
    question.generator_checksum = spec.checksum


def _classification_follow(question, spec: QuestionSpec) -> None:
    """Family and level are not content (no checksum covers them): an unchanged question takes the
    generator's current ones."""
    family, level = spec.family or spec.key, spec.cognitive_level or question.cognitive_level
    if (question.family, question.cognitive_level) != (family, level):
        question.family, question.cognitive_level = family, level
        question.save(update_fields=["family", "cognitive_level"])


def _stale_revive(question, *, save: bool = True) -> None:
    """Put back a question an earlier run retired as stale, now that it is generated again."""
    if STALE_TAG not in {item.tag.name for item in question.tagged_items.all()}:
        return
    question.retired = False
    question.tags.remove(STALE_TAG)
    if save:
        question.save()


def _stale_retire(question, report: SyncReport) -> None:
    """A generated question the generator no longer produces (its muscle left the knowledge base,
    or its distractors are no longer safe) is retired, unless an instructor has made it their own."""
    if question.retired:
        return  # retired earlier (by a run like this or by an instructor): nothing new to report
    report.stale.append(question.generator_key)
    if question_is_edited(question):
        return
    question.retired = True
    question.tags.add(STALE_TAG)
    question.save()


def _revisions_record(questions: list, user) -> None:
    """One revision per created or updated question, so its history shows what the generator wrote.

    What `save_revision()` does for a model without drafts, in two bulk queries: calling it per
    question saves (and re-indexes) every question a second time."""
    if not questions:
        return
    content_type = ContentType.objects.get_for_model(Question)
    base_content_type = questions[0].get_base_content_type()
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        [
            Revision(
                content_type=content_type,
                base_content_type=base_content_type,
                object_id=str(q.pk),
                user=user,
                content=q.serializable_data(),
                object_str=str(q),
                created_at=now,
            )
            for q in questions
        ]
    )
    for question, revision in zip(questions, revisions, strict=True):
        question.latest_revision = revision
    Question.objects.bulk_update(questions, ["latest_revision"], batch_size=200)
