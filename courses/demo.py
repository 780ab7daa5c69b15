"""The demo course: provider, the "Massage for Low Back Pain" course and its modules, from the files
in content/course/, its question bank and quizzes, and its assigned instructor (cms.demo runs it all).

Idempotent, so `make run` can call it every time. The files in content/course/ are the demo
seed: a page, the provider or a user that already exists is left exactly as it is (an
instructor's later edits and a user's changed password survive), unless `reset=True`, which
writes the files' version back, publishing a new revision only where the content differs.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from wagtail.fields import StreamField

import content
from content.models import Muscle, RedFlag

from .demo_quizzes import demo_quizzes_ensure
from .models import CourseApproval, CoursePage, ModulePage, Provider
from .question_bank import course_question_bank_generate
from .staff_services import course_instructor_assign, course_staff_sync

COURSE_DIR = Path(content.__file__).resolve().parent / "course"
DEMO_INSTRUCTOR = "instructor"
COURSE_FIELDS = ["title", "approved_title", "summary", "description", "course_type", "ce_hours", "pass_mark"]
PROVIDER_FIELDS = [
    "name",
    "ncbtmb_provider_number",
    "email",
    "phone",
    "address",
    "website",
    "signatory_name",
    "signatory_title",
]
BODY_BLOCK_TYPES = {
    "rich_text",
    "heading",
    "key_points",
    "muscle_card",
    "red_flag",
    "figure",
    "editors_note",
    "source_citation",
}


class DemoDataError(Exception):
    """The demo course files are malformed or name something that does not exist."""


@dataclass
class DemoReport:
    lines: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)


# ---------------------------------------------------------------- reading the files


def course_files_load(directory: Path = COURSE_DIR) -> dict:
    """course.yaml plus its modules (in the order course.yaml lists them), checked for shape."""
    course = _yaml_load(directory / "course.yaml")
    for key in ["slug", *COURSE_FIELDS, "learning_objectives", "provider", "modules"]:
        if key not in course:
            raise DemoDataError(f"course.yaml: missing '{key}'")
    course["modules"] = [_module_file_load(directory / name) for name in course["modules"]]
    slugs = [m["slug"] for m in course["modules"]]
    if len(set(slugs)) != len(slugs):
        raise DemoDataError("course.yaml: two modules share a slug")
    return course


def _module_file_load(path: Path) -> dict:
    module = _yaml_load(path)
    for key in ["slug", "title", "summary", "body"]:
        if key not in module:
            raise DemoDataError(f"{path.name}: missing '{key}'")
    for n, block in enumerate(module["body"], start=1):
        if not isinstance(block, dict) or block.get("type") not in BODY_BLOCK_TYPES or "value" not in block:
            raise DemoDataError(f"{path.name}: block {n} needs a known 'type' and a 'value'")
        if not _all_text(block["value"]):
            # e.g. an unquoted "a: b" in a YAML list item becomes a mapping, not a sentence
            raise DemoDataError(f"{path.name}: block {n} ({block['type']}) holds something other than text")
    module["file_name"] = path.name
    return module


def _all_text(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _all_text(v) for k, v in value.items())
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    return value is None or isinstance(value, str)


def _yaml_load(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DemoDataError(f"{path.name}: {error}") from error
    if not isinstance(data, dict):
        raise DemoDataError(f"{path.name}: expected a mapping at the top level")
    return data


# ---------------------------------------------------------------- the service


def demo_instructor_assign(course, *, report: DemoReport) -> None:
    """The demo instructor teaches the demo course: edits its pages and quizzes, reads its records
    (courses.services.course_instructor_assign; idempotent). Nobody else is assigned or removed."""
    instructor = get_user_model().objects.filter(username=DEMO_INSTRUCTOR, groups__name="Instructors").first()
    if instructor is None:
        course_staff_sync(course)
        report.add(
            f"Course staff: no demo user “{DEMO_INSTRUCTOR}” in the Instructors group, nobody assigned"
        )
        return
    course_instructor_assign(course=course, user=instructor)
    report.add(f"Course staff: “{DEMO_INSTRUCTOR}” assigned to “{course.title}”")


def quizzes_ensure(course, *, report) -> None:
    bank = course_question_bank_generate(course=course)
    report.add(f"Question bank: {bank.created} created, {bank.updated} updated, {bank.unchanged} unchanged")
    for line in demo_quizzes_ensure(course):
        report.add(f"Quiz: {line}")


def provider_ensure(values: dict, *, reset: bool, report: DemoReport):
    values = {key: values.get(key, "") for key in PROVIDER_FIELDS}
    provider = Provider.objects.filter(ncbtmb_provider_number=values["ncbtmb_provider_number"]).first()
    if provider is None:
        provider = Provider.objects.create(**values)
        report.add(f"Provider: created {provider}")
    elif reset and any(getattr(provider, k) != v for k, v in values.items()):
        Provider.objects.filter(pk=provider.pk).update(**values)
        provider.refresh_from_db()
        report.add(f"Provider: reset {provider}")
    else:
        report.add(f"Provider: kept {provider}")
    return provider


def course_ensure(catalogue, data: dict, *, provider, reset: bool, report: DemoReport):
    course = CoursePage.objects.child_of(catalogue).filter(slug=data["slug"]).first()
    values = {
        **{key: data[key] for key in COURSE_FIELDS},
        "provider": provider,
        "ce_hours": Decimal(str(data["ce_hours"])),
        "learning_objectives": [{"type": "objective", "value": text} for text in data["learning_objectives"]],
    }
    if course is None:
        course = CoursePage(slug=data["slug"], **values)
        catalogue.add_child(instance=course)
        course.save_revision().publish()
        report.add(f"Course: created and published “{course.title}”")
    elif reset:
        verb = _page_reset(course, values)
        report.add(f"Course: {verb} “{course.title}”")
    else:
        report.add(f"Course: kept “{course.title}” (use --reset to rewrite it from the files)")
    return course


APPROVAL_FIELDS = ["provider_number", "ce_broker_course_number", "hours", "subject", "delivery", "valid_to"]


def approvals_ensure(course, approvals: list[dict], *, reset: bool, report: DemoReport) -> None:
    """The demo course's example approvals, one per body and start date: created when missing, rewritten
    from the file on reset, otherwise kept as a provider admin left them."""
    for data in approvals:
        values = {key: data.get(key) or None for key in APPROVAL_FIELDS}
        values["ce_broker_course_number"] = values["ce_broker_course_number"] or ""
        values["hours"] = Decimal(str(data["hours"]))
        key = {"course": course, "body": data["body"], "valid_from": data["valid_from"]}
        approval = CourseApproval.objects.filter(**key).first()
        if approval is None:
            approval, done = CourseApproval(**key, **values), "created"
        elif reset:
            for field, value in values.items():
                setattr(approval, field, value)
            done = "reset"
        else:
            continue
        try:
            approval.full_clean()  # the file's values meet the same rules as an admin's
        except ValidationError as error:  # e.g. an approval a provider admin added overlaps the file's
            report.add(
                f"Approval: left {data['body']} from {data['valid_from']} alone: {' '.join(error.messages)}"
            )
            continue
        approval.save()
        report.add(f"Approval: {done} {approval.get_body_display()} #{approval.provider_number}")


def modules_ensure(course, modules: list[dict], *, reset: bool, report: DemoReport) -> None:
    created, rewritten, kept = [], [], []
    for module_data in modules:
        values = {
            "title": module_data["title"],
            "summary": module_data["summary"],
            "body": body_from_data(module_data["body"], source=module_data["file_name"]),
        }
        module = ModulePage.objects.child_of(course).filter(slug=module_data["slug"]).first()
        if module is None:
            module = ModulePage(slug=module_data["slug"], **values)
            course.add_child(instance=module)
            module.save_revision().publish()
            created.append(module.slug)
        elif reset and _page_reset(module, values) != "unchanged":
            rewritten.append(module.slug)
        else:
            kept.append(module.slug)
    if reset:
        _modules_order(course, [m["slug"] for m in modules])
    parts = [
        f"{len(created)} created",
        f"{len(rewritten)} republished" if reset else None,
        f"{len(kept)} {'unchanged' if reset else 'kept'}",
    ]
    report.add(f"Modules: {len(modules)} in the files: " + ", ".join(p for p in parts if p))


def _modules_order(course, slugs: list[str]) -> None:
    """Put the file's modules in the file's order (any module an instructor added stays before them)."""
    current = list(ModulePage.objects.child_of(course).order_by("path").values_list("slug", flat=True))
    if [s for s in current if s in slugs] == slugs:
        return
    for slug in slugs:
        ModulePage.objects.child_of(course).get(slug=slug).move(course, pos="last-child")


def _page_reset(page, values: dict) -> str:
    """Publish the files' values as a new revision, but only when they differ from the page."""
    current = page.get_latest_revision_as_object()
    if page.live and not page.has_unpublished_changes and _same_values(current, values):
        return "unchanged"
    for key, value in values.items():
        setattr(current, key, value)
    current.save_revision().publish()
    page.refresh_from_db()
    return "republished"


def _same_values(page, values: dict) -> bool:
    for key, value in values.items():
        model_field = page._meta.get_field(key)
        if isinstance(model_field, StreamField):
            if stream_fingerprint(model_field, getattr(page, key)) != stream_fingerprint(model_field, value):
                return False
        elif key == "provider":
            if page.provider_id != value.pk:
                return False
        elif getattr(page, key) != value:
            return False
    return True


def stream_fingerprint(model_field, value) -> str:
    """A comparable form of a StreamField value: its stored JSON without the random block ids."""
    # child.value forces each block through to_python, so raw file data (missing optional keys)
    # and stored data (every key, blanks as None) come out in the same shape
    stream = model_field.to_python(value)
    data = [{"type": child.block_type, "value": child.block.get_prep_value(child.value)} for child in stream]
    return json.dumps(_without_ids(data), sort_keys=True)


def _without_ids(data):
    if isinstance(data, list):
        return [_without_ids(item) for item in data]
    if isinstance(data, dict):
        if set(data) <= {"type", "value", "id"} and data.get("type") == "item":
            return _without_ids(data["value"])  # a ListBlock item
        return {key: _without_ids(value) for key, value in data.items() if key != "id"}
    return data


def body_from_data(blocks: list[dict], *, source: str = "") -> list[dict]:
    """The module body in Wagtail's raw JSON form, with knowledge-base slugs turned into ids."""
    muscles = dict(Muscle.objects.values_list("slug", "pk"))
    red_flags = dict(RedFlag.objects.values_list("slug", "pk"))
    body = []
    for block in blocks:
        value = block["value"]
        if block["type"] == "muscle_card":
            value = {**value, "muscle": _lookup(muscles, value.get("muscle"), "muscle", source)}
        elif block["type"] == "red_flag":
            value = {**value, "red_flag": _lookup(red_flags, value.get("red_flag"), "red flag", source)}
        body.append({"type": block["type"], "value": value})
    return body


def _lookup(ids: dict, slug, kind: str, source: str) -> int:
    if slug not in ids:
        raise DemoDataError(f"{source}: no {kind} with slug '{slug}' in the knowledge base")
    return ids[slug]
