"""setup_demo and the demo course it builds: idempotence, reset, users, rendering, citations, reading time."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command
from wagtail.models import GroupPagePermission, Page, Revision

from cms import demo as site_demo
from cms.demo import DEFAULT_DEMO_PASSWORD, demo_setup
from content.models import Muscle, RedFlag
from courses import demo
from courses.models import CourseInstructor, CoursePage, ModulePage, Provider
from courses.reading import (
    WORDS_PER_CE_HOUR,
    ce_hours_check,
    count_words,
    estimated_ce_hours,
    hours_disagree,
    nearest_half_hour,
    reading_minutes,
)
from tests.shared_db import rolled_back

SEEDS = sorted(p.name for p in (Path(__file__).parent.parent / "content" / "articles").glob("00[0-4]_*.txt"))
COURSE_SLUG = "massage-for-low-back-pain"
PASSWORD = "demo-pass-for-tests"

User = get_user_model()


@pytest.fixture(autouse=True)
def without_question_bank(request, monkeypatch):
    """The question bank is the quiz tests' subject; here it would only slow every setup down."""
    if "with_question_bank" not in request.keywords:
        monkeypatch.setattr(site_demo, "quizzes_ensure", lambda course, *, report: None)


@pytest.mark.with_question_bank
@pytest.mark.django_db
def test_setup_demo_builds_the_question_bank_and_quizzes_once(demo_password):
    from quizzes.models import Question, Quiz, critical_errors, option_values

    demo_setup()
    course = CoursePage.objects.get(slug=COURSE_SLUG)
    linked = Question.objects.filter(module__in=ModulePage.objects.child_of(course))
    assert linked.count() >= 60
    assert set(linked.values_list("topic", flat=True)) >= {"attachments", "referred_pain", "red_flags"}
    assert Quiz.objects.filter(course=course, module__isnull=True).count() == 1
    assert (
        Quiz.objects.filter(course=course, module__isnull=False).count()
        == ModulePage.objects.child_of(course).count()
    )
    counts = (Question.objects.count(), Quiz.objects.count())
    # every safety-critical question in the built bank passes the editor's rule (linked flag, key = its level)
    critical = Question.objects.filter(critical=True).select_related("red_flag").prefetch_related("options")
    assert critical.count() >= 20
    for question in critical:
        options = [option_values(o) for o in question.options.all()]
        assert critical_errors(question.kind, True, question.red_flag, options) == {}, question.generator_key
        assert question.red_flag.action.rstrip(".") in question.explanation, question.generator_key

    report = demo_setup()
    assert (Question.objects.count(), Quiz.objects.count()) == counts
    assert any("Question bank: 0 created, 0 updated" in line for line in report.lines)


# ---------------------------------------------------------------- on an empty database
# These come before the first test that uses `course`: the demo it builds stays for the rest of the module.


def test_no_demo_users_without_debug_or_demo_password(db, monkeypatch, settings):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    settings.DEBUG = False
    report = demo_setup()
    assert not User.objects.filter(username__in=["admin", "instructor", "learner"]).exists()
    assert any("Users: skipped" in line for line in report.lines)


def test_debug_uses_the_documented_default_password(db, monkeypatch, settings):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    settings.DEBUG = True
    demo_setup()
    assert User.objects.get(username="learner").check_password(DEFAULT_DEMO_PASSWORD)


def test_command_prints_short_summary_and_logins(db, demo_password):
    out = StringIO()
    call_command("setup_demo", stdout=out)
    text = out.getvalue()
    assert "Course: created and published" in text
    for username in ["admin", "instructor", "provider-admin", "learner"]:
        assert f"  {username}" in text
    assert text.count(PASSWORD) == 4
    assert len(text.splitlines()) < 21

    out = StringIO()
    call_command("setup_demo", stdout=out)
    assert "(unchanged)" in out.getvalue() and PASSWORD not in out.getvalue()


def test_a_bad_course_file_changes_nothing(db, demo_password, tmp_path, monkeypatch):
    for path in demo.COURSE_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text())
    broken = tmp_path / "03-the-psoas-major.yaml"
    data = yaml.safe_load(broken.read_text())
    data["body"].append({"type": "muscle_card", "value": {"muscle": "no-such-muscle"}})
    broken.write_text(yaml.safe_dump(data))
    monkeypatch.setattr(demo, "COURSE_DIR", tmp_path)
    monkeypatch.setattr(demo.course_files_load, "__defaults__", (tmp_path,))

    with pytest.raises(CommandError, match="no-such-muscle"):
        call_command("setup_demo", stdout=StringIO())
    assert not CoursePage.objects.exists() and not Provider.objects.exists()
    assert not Muscle.objects.exists() and not User.objects.exists()


def test_a_key_point_that_yaml_reads_as_a_mapping_is_rejected(tmp_path):
    (tmp_path / "module.yaml").write_text(
        "slug: m\ntitle: M\nsummary: S\nbody:\n  - type: key_points\n    value:\n      title: Key points\n"
        "      points:\n        - An unquoted point: with a colon\n"
    )
    with pytest.raises(demo.DemoDataError, match="other than text"):
        demo._module_file_load(tmp_path / "module.yaml")


@pytest.fixture
def demo_password(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    return PASSWORD


@pytest.fixture(scope="module")
def demo_built(django_db_setup, django_db_blocker):
    """The demo, built once for the module (tests/shared_db.py): each test's writes roll back. It stays
    from the first test that uses it to the end of the module, after the tests on an empty database."""
    with pytest.MonkeyPatch.context() as patch, rolled_back(django_db_blocker):
        patch.setenv("DEMO_PASSWORD", PASSWORD)
        patch.setattr(site_demo, "quizzes_ensure", lambda course, *, report: None)
        demo_setup()
        yield CoursePage.objects.get(slug=COURSE_SLUG).pk


@pytest.fixture
def course(demo_built, db, demo_password):
    cache.clear()  # nothing cached by an earlier test's (rolled back) pages
    return CoursePage.objects.get(pk=demo_built)


def modules_of(course):
    return list(ModulePage.objects.child_of(course).order_by("path"))


def snapshot():
    """Row counts and identities that a second run must leave exactly as they are."""
    return {
        "pages": list(Page.objects.order_by("path").values_list("path", "title", "live")),
        "revisions": Revision.objects.count(),
        "users": list(User.objects.order_by("username").values_list("username", "password", "is_superuser")),
        "providers": list(Provider.objects.values_list("pk", "name")),
        "muscles": Muscle.objects.count(),
        "red_flags": RedFlag.objects.count(),
        "page_permissions": GroupPagePermission.objects.count(),
        "course_instructors": list(CourseInstructor.objects.values_list("course__slug", "user__username")),
    }


# ---------------------------------------------------------------- idempotence and reset


def test_setup_demo_twice_leaves_the_same_pages_users_and_rows(course):
    first = snapshot()
    call_command("setup_demo", stdout=StringIO())
    assert snapshot() == first
    assert len(first["pages"]) == 2 + 1 + 1 + 7  # root, home, catalogue, course, 7 modules
    assert first["muscles"] == 24 and first["red_flags"] == 21  # the reference's 20, trauma split in two
    assert first["page_permissions"] > 0


def test_the_course_and_modules_come_from_the_files_in_order(course):
    files = demo.course_files_load()
    assert course.live and course.url_path.endswith(f"/courses/{COURSE_SLUG}/")
    assert course.approved_title == files["approved_title"]
    assert course.ce_hours == Decimal(files["ce_hours"])
    assert course.pass_mark == 80 and course.course_type == "home_study"
    assert 5 <= len(course.learning_objectives) <= 7
    assert course.provider.ncbtmb_provider_number == "452817-24"
    assert [m.slug for m in modules_of(course)] == [m["slug"] for m in files["modules"]]
    assert all(m.live and m.get_latest_revision() is not None for m in modules_of(course))


def test_rerun_keeps_an_instructors_published_edit(course):
    module = modules_of(course)[2]
    edited = module.get_latest_revision_as_object()
    edited.title = "The Psoas, revised by the instructor"
    edited.save_revision().publish()
    demo_setup()
    module.refresh_from_db()
    assert module.title == "The Psoas, revised by the instructor"


def test_reset_restores_the_files_and_publishes_only_what_changed(course):
    module = modules_of(course)[2]
    edited = module.get_latest_revision_as_object()
    edited.title = "Edited"
    edited.save_revision().publish()
    revisions = Revision.objects.count()

    demo_setup(reset=True)
    module.refresh_from_db()
    assert module.title == "The Psoas Major: Anatomy Without the Myths"
    assert Revision.objects.count() == revisions + 1  # one module republished, nothing else

    demo_setup(reset=True)
    assert Revision.objects.count() == revisions + 1


def test_reset_puts_modules_back_in_file_order(course):
    first, second = modules_of(course)[:2]
    first.move(course, pos="last-child")
    assert modules_of(course)[0].slug == second.slug
    demo_setup(reset=True)
    assert modules_of(course)[0].slug == first.slug


def test_a_module_added_to_the_files_is_created_on_rerun_without_reset(course):
    last = modules_of(course)[-1]
    last.delete()
    demo_setup()
    assert modules_of(course)[-1].slug == last.slug


# ---------------------------------------------------------------- users


def test_demo_users_have_roles_and_licence_data(course):
    admin = User.objects.get(username="admin")
    instructor = User.objects.get(username="instructor")
    learner = User.objects.get(username="learner")
    assert admin.is_superuser and admin.check_password(PASSWORD)
    assert instructor.is_staff and not instructor.is_superuser
    groups = set(instructor.groups.values_list("name", flat=True))
    assert groups == {"Instructors", f"Instructors of course #{course.pk}"}
    assert instructor.has_perm("wagtailadmin.access_admin")
    assert list(learner.groups.values_list("name", flat=True)) == ["Learners"]
    provider_admin = User.objects.get(username="provider-admin")
    assert list(provider_admin.groups.values_list("name", flat=True)) == ["Provider admins"]
    assert provider_admin.has_perm("courses.view_all_records") and not provider_admin.is_superuser
    assert course.permissions_for_user(provider_admin).can_publish()
    assert not learner.is_staff and not learner.has_perm("wagtailadmin.access_admin")
    for user in (instructor, learner):
        assert user.legal_name and user.license_number and user.license_state == "NC"


def test_the_demo_instructor_teaches_the_demo_course_and_keeps_it_after_a_reset(course):
    instructor = User.objects.get(username="instructor")
    assert list(CourseInstructor.objects.values_list("course", "user")) == [(course.pk, instructor.pk)]
    module = modules_of(course)[0]
    assert module.permissions_for_user(instructor).can_edit()
    assert not module.permissions_for_user(instructor).can_publish()  # submitted for moderation instead
    assert not GroupPagePermission.objects.filter(
        group__name="Instructors"
    ).exists()  # nothing catalogue-wide
    demo_setup(reset=True)  # resets the users' groups, then assigns again
    instructor = User.objects.get(username="instructor")
    assert CourseInstructor.objects.count() == 1
    assert modules_of(course)[0].permissions_for_user(instructor).can_edit()


def test_an_existing_password_survives_a_rerun_and_is_reset_only_with_reset(course):
    admin = User.objects.get(username="admin")
    admin.set_password("my own secret")
    admin.save()
    demo_setup()
    admin.refresh_from_db()
    assert admin.check_password("my own secret")
    demo_setup(reset=True)
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)


# ---------------------------------------------------------------- the course as learners and staff see it


def test_every_module_and_the_course_render_for_staff(course, client):
    client.force_login(User.objects.get(username="admin"))
    response = client.get(course.url)
    assert response.status_code == 200
    assert course.title in response.content.decode()
    for module in modules_of(course):
        response = client.get(module.url)
        html = response.content.decode()
        assert response.status_code == 200, module.slug
        assert module.title.split(":")[0] in html
        assert "Key points" in html or "KEY POINTS" in html.upper()


def test_every_muscle_card_and_red_flag_resolves(course):
    for module in modules_of(course):
        for block in module.body:
            if block.block_type == "muscle_card":
                assert isinstance(block.value["muscle"], Muscle), module.slug
            if block.block_type == "red_flag":
                assert isinstance(block.value["red_flag"], RedFlag), module.slug


def test_every_seed_has_a_module_citing_its_file(course):
    cited = {}
    for module in modules_of(course):
        for block in module.body:
            if block.block_type == "source_citation":
                cited.setdefault(block.value["file_name"], []).append(module.slug)
    assert len(SEEDS) == 5
    assert sorted(cited) == SEEDS
    assert all(len(modules_of(course)) >= 5 for _ in cited)


def test_every_module_has_an_editors_note_and_ends_with_key_points(course):
    for module in modules_of(course):
        types = [block.block_type for block in module.body]
        assert "editors_note" in types, module.slug
        assert types[-2:] == ["key_points", "source_citation"], module.slug
        assert "heading" in types and "rich_text" in types


def test_admin_course_editor_shows_the_ce_hours_check(course, client):
    client.force_login(User.objects.get(username="admin"))
    response = client.get(f"/admin/pages/{course.pk}/edit/")
    html = response.content.decode()
    assert response.status_code == 200
    check = ce_hours_check(course)
    assert "CE hours check" in html and f"{check['words']}" in html
    assert "within 25%" in html


def test_ce_hours_check_on_a_new_course_asks_for_modules(course, client):
    client.force_login(User.objects.get(username="admin"))
    catalogue = course.get_parent()
    response = client.get(f"/admin/pages/add/courses/coursepage/{catalogue.pk}/")
    assert response.status_code == 200
    assert "Add module pages under this course" in response.content.decode()


def test_ce_hours_check_warns_when_approved_hours_are_far_from_the_estimate(course):
    from django.template.loader import render_to_string

    course.ce_hours = Decimal("3.0")

    class Bound:  # what Wagtail's HelpPanel passes as `self`
        heading = "CE hours check"
        instance = course

    html = render_to_string("courses/admin/ce_hours_check.html", {"self": Bound()})
    assert "differ from the reading estimate" in html and "more than 25%" in html


# ---------------------------------------------------------------- reading time and CE hours


def test_reading_time_is_realistic_and_matches_the_approved_hours(course):
    modules = modules_of(course)
    for module in modules:
        assert module.word_count == count_words(module.body)
        assert 1200 <= module.word_count <= 3200, (module.slug, module.word_count)
    check = ce_hours_check(course)
    assert check["words"] == sum(m.word_count for m in modules)
    assert 60 <= check["minutes"] <= 90
    assert not check["disagree"]
    assert check["suggested_hours"] == course.ce_hours == Decimal("1.5")


def test_muscle_cards_and_red_flags_count_the_words_the_reader_sees(course):
    module = next(m for m in modules_of(course) if m.slug == "the-psoas-major")
    card = next(b for b in module.body if b.block_type == "muscle_card")
    muscle = card.value["muscle"]
    words = count_words([card])
    assert words >= len(muscle.origin.split()) + len(muscle.insertion.split()) + len(
        muscle.referred_pain.split()
    )
    flag = next(b for b in module.body if b.block_type == "red_flag")
    assert count_words([flag]) >= len(flag.value["red_flag"].sign.split()) + len(
        flag.value["red_flag"].action.split()
    )


def test_ce_hours_check_counts_unpublished_drafts(course):
    before = ce_hours_check(course)["words"]
    module = modules_of(course)[0]
    draft = module.get_latest_revision_as_object()
    draft.body.append(("rich_text", "<p>" + "word " * 120 + "</p>"))
    draft.save_revision()
    check = ce_hours_check(course)
    assert check["words"] == before + 120
    live = ModulePage.objects.get(pk=module.pk)
    assert check["modules"][0]["words"] == live.word_count + 120  # the live page's count is unchanged


@pytest.mark.parametrize("words, hours", [(0, "0.00"), (12000, "1.00"), (6000, "0.50"), (15829, "1.32")])
def test_ncbtmb_estimate(words, hours):
    assert WORDS_PER_CE_HOUR == 12000
    assert estimated_ce_hours(words) == Decimal(hours)


def test_nearest_half_hour_and_disagreement():
    assert nearest_half_hour(Decimal("1.32")) == Decimal("1.5")
    assert nearest_half_hour(Decimal("1.2")) == Decimal("1.0")
    assert reading_minutes(201) == 2 and reading_minutes(0) == 0
    assert not hours_disagree(Decimal("1.5"), Decimal("1.32"))
    assert hours_disagree(Decimal("1.0"), Decimal("0.67"))
    assert hours_disagree(Decimal("2.0"), Decimal("1.32"))
    assert hours_disagree(Decimal("0"), Decimal("0.5"))
