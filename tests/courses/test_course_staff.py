"""Course instructors: assignment (service and admin), the page permissions that follow it, records
scoped to one's own courses, certificate downloads, and pages that cannot be deleted because
learners' records hang on them."""

import copy

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from cms.services import site_tree_ensure
from courses.models import Certificate, CourseInstructor, CoursePage, Enrollment, ModulePage, ModuleProgress
from courses.permissions import sees_every_course, staff_courses
from courses.selectors import learner_records_under
from courses.services import course_instructor_assign, course_instructor_unassign, course_staff_group_name
from quizzes.models import Attempt, AttemptStatus, Quiz
from tests.courses.certify import course_finish, small_course
from tests.factories import InstructorFactory, UserFactory
from tests.shared_db import rolled_back

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def two_courses_built(django_db_setup, django_db_blocker, tmp_path_factory):
    """Course A, finished by `learner` (issued certificate, evaluation, attempts); course B, untouched.
    Built once for the module (tests/shared_db.py); each test's writes roll back."""
    private = override_settings(PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("private"))
    with private, rolled_back(django_db_blocker):
        _, catalogue = site_tree_ensure()
        learner = UserFactory()
        course_a, pages_a = small_course(catalogue, title="Course A")
        with TestCase.captureOnCommitCallbacks(execute=True):
            enrollment = course_finish(learner, course_a, pages_a)
        course_b, pages_b = small_course(catalogue, title="Course B")
        yield {
            "a": course_a,
            "pages_a": pages_a,
            "b": course_b,
            "pages_b": pages_b,
            "certificate": Certificate.objects.get(enrollment=enrollment),
            "learner": learner,
        }


@pytest.fixture
def two_courses(two_courses_built, db):
    return copy.deepcopy(two_courses_built)  # tests refresh and change these objects in memory


@pytest.fixture
def learner(two_courses):
    """The learner who finished course A."""
    return two_courses["learner"]


@pytest.fixture
def teacher_a(two_courses):
    user = InstructorFactory(username="teacher-a")
    course_instructor_assign(course=two_courses["a"], user=user)
    return user


@pytest.fixture
def teacher_b(two_courses):
    user = InstructorFactory(username="teacher-b")
    course_instructor_assign(course=two_courses["b"], user=user)
    return user


def _records_urls(course, certificate):
    return {
        "roster": reverse("insight_roster", args=[course.pk]),
        "roster csv": reverse("insight_roster_csv", args=[course.pk]),
        "evaluations": reverse("insight_evaluations", args=[course.pk]),
        "evaluations csv": reverse("insight_evaluations_csv", args=[course.pk]),
        "learner": reverse("insight_learner", args=[certificate.enrollment.user_id]),
        "certificate pdf": reverse("courses:certificate_download", args=[certificate.code]),
    }


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the scope ------------------------------------------------------------------------------------------


def test_staff_courses_follow_the_assignment(two_courses, teacher_a, teacher_b, learner):
    assert list(staff_courses(teacher_a)) == [two_courses["a"]]
    assert list(staff_courses(teacher_b)) == [two_courses["b"]]
    assert not staff_courses(learner).exists() and not staff_courses(InstructorFactory()).exists()
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert sees_every_course(admin) and staff_courses(admin).count() == 2
    teacher_a.is_active = False
    teacher_a.save()
    assert not staff_courses(teacher_a).exists()


def test_the_provider_wide_permission_sees_every_course(two_courses):
    group = Group.objects.create(name="Provider records")
    group.permissions.add(Permission.objects.get(codename="view_all_records"))
    officer = UserFactory(groups=["Instructors", "Provider records"])
    assert sees_every_course(officer) and set(staff_courses(officer)) == {two_courses["a"], two_courses["b"]}


def test_the_assigned_instructor_reads_every_record_of_the_course(client, two_courses, teacher_a):
    client.force_login(teacher_a)
    certificate = two_courses["certificate"]
    name = certificate.enrollment.user.legal_name
    for label, url in _records_urls(two_courses["a"], certificate).items():
        response = client.get(url)
        assert response.status_code == 200, label
        if label == "certificate pdf":
            assert _body(response).startswith(b"%PDF")
        else:
            assert name.encode() in _body(response), label
    roster = client.get(reverse("insight_roster", args=[two_courses["a"].pk])).content.decode()
    assert reverse("courses:certificate_download", args=[certificate.code]) in roster


def test_another_courses_instructor_gets_404_and_no_data(client, two_courses, teacher_b):
    client.force_login(teacher_b)
    certificate = two_courses["certificate"]
    for label, url in _records_urls(two_courses["a"], certificate).items():
        response = client.get(url)
        assert response.status_code == 404, label
        assert certificate.enrollment.user.legal_name.encode() not in _body(response), label
    index = client.get(reverse("insight_courses")).content.decode()
    assert reverse("insight_roster", args=[two_courses["b"].pk]) in index
    assert reverse("insight_roster", args=[two_courses["a"].pk]) not in index
    learners = client.get(reverse("insight_learners")).content.decode()
    assert certificate.enrollment.user.legal_name not in learners


def test_learners_get_the_admin_log_in_or_not_found(client, two_courses, learner):
    client.force_login(learner)
    certificate = two_courses["certificate"]
    for label, url in _records_urls(two_courses["a"], certificate).items():
        response = client.get(url)
        if label == "certificate pdf":
            assert response.status_code == 200  # their own
        else:
            assert response.status_code == 302 and "/admin/login/" in response["Location"], label
    client.force_login(UserFactory())
    assert client.get(reverse("courses:certificate_download", args=[certificate.code])).status_code == 404


def test_an_instructor_sees_only_their_courses_in_a_learners_records(
    client, catalogue, two_courses, teacher_b, learner
):
    course_b = two_courses["b"]
    Enrollment.objects.create(user=learner, course=course_b)
    client.force_login(teacher_b)
    page = client.get(reverse("insight_learner", args=[learner.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Course B" in html and "Course A" not in html
    assert two_courses["certificate"].code not in html  # course A's attempts name course A (above)
    # course B's quiz is also "Quiz: part 1" (it is in the overrides section): look for course A's by id
    assert not any(f'data-quiz="{quiz.pk}"' in html for quiz in Quiz.objects.filter(course=two_courses["a"]))
    assert all(f'data-quiz="{quiz.pk}"' in html for quiz in Quiz.objects.filter(course=course_b))
    assert "Only the courses you teach are shown" in html
    assert reverse("insight_learner_json", args=[learner.pk]) not in html
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    html = client.get(reverse("insight_learner", args=[learner.pk])).content.decode()
    assert "Course A" in html and two_courses["certificate"].code in html


def test_certificate_managers_download_any_certificate(client, two_courses):
    group = Group.objects.create(name="Certificate officers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="change_certificate")
    )
    client.force_login(UserFactory(groups=["Certificate officers"]))
    url = reverse("courses:certificate_download", args=[two_courses["certificate"].code])
    assert client.get(url).status_code == 200


def test_an_unassigned_instructor_downloads_nothing(client, two_courses, teacher_a):
    course_instructor_unassign(course=two_courses["a"], user=teacher_a)
    client.force_login(teacher_a)
    url = reverse("courses:certificate_download", args=[two_courses["certificate"].code])
    assert client.get(url).status_code == 404


def test_roster_queries_do_not_grow_with_courses_or_assignments(client, catalogue, two_courses, teacher_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("insight_roster", args=[two_courses["a"].pk])
    client.force_login(teacher_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for n in range(4):
        course, _ = small_course(catalogue, title=f"Extra {n}", module_quiz=False, post_test=False)
        course_instructor_assign(course=course, user=teacher_a)
        enrollment = Enrollment.objects.create(user=UserFactory(), course=two_courses["a"])
        ModuleProgress.objects.create(
            enrollment=enrollment, module=two_courses["pages_a"][0], completed_at=timezone.now()
        )
    assert count() == few


# --- assignment and page permissions ---------------------------------------------------------------------


def test_page_permissions_follow_the_assignment(two_courses, teacher_a):
    module_a, module_b = two_courses["pages_a"][0], two_courses["pages_b"][0]
    assert module_a.permissions_for_user(teacher_a).can_edit()
    assert not module_a.permissions_for_user(teacher_a).can_publish()  # they submit for moderation
    assert two_courses["a"].permissions_for_user(teacher_a).can_add_subpage()
    assert not module_b.permissions_for_user(teacher_a).can_edit()
    assert not two_courses["b"].permissions_for_user(teacher_a).can_add_subpage()
    course_instructor_unassign(course=two_courses["a"], user=teacher_a)
    teacher_a = type(teacher_a).objects.get(pk=teacher_a.pk)  # no cached permissions
    assert not module_a.permissions_for_user(teacher_a).can_edit()
    assert Group.objects.filter(name=course_staff_group_name(two_courses["a"].pk)).exists()


def test_assigning_twice_is_one_assignment(two_courses, teacher_a):
    course_instructor_assign(course=two_courses["a"], user=teacher_a)
    assert CourseInstructor.objects.filter(user=teacher_a).count() == 1
    assert course_instructor_unassign(course=two_courses["b"], user=teacher_a) is False


def test_superusers_manage_course_instructors_in_the_admin(client, two_courses):
    admin = UserFactory(is_superuser=True, is_staff=True)
    teacher = InstructorFactory(username="new-teacher")
    client.force_login(admin)
    assert client.get(reverse("course_instructors:index")).status_code == 200
    form = client.get(reverse("course_instructors:add")).content.decode()
    assert (
        "new-teacher" in form and UserFactory(username="plain-learner").username not in form
    )  # instructors only
    response = client.post(
        reverse("course_instructors:add"), {"course": two_courses["a"].pk, "user": teacher.pk}
    )
    assert response.status_code == 302
    assignment = CourseInstructor.objects.get(user=teacher)
    assert two_courses["pages_a"][0].permissions_for_user(teacher).can_edit()
    again = client.post(
        reverse("course_instructors:add"), {"course": two_courses["a"].pk, "user": teacher.pk}
    )
    assert (
        again.status_code == 200 and CourseInstructor.objects.filter(user=teacher).count() == 1
    )  # form error

    moved = client.post(
        reverse("course_instructors:edit", args=[assignment.pk]),
        {"course": two_courses["b"].pk, "user": teacher.pk},
    )
    assert moved.status_code == 302
    teacher = type(teacher).objects.get(pk=teacher.pk)
    assert two_courses["pages_b"][0].permissions_for_user(teacher).can_edit()
    assert not two_courses["pages_a"][0].permissions_for_user(teacher).can_edit()

    deleted = client.post(reverse("course_instructors:delete", args=[assignment.pk]))
    assert deleted.status_code == 302 and not CourseInstructor.objects.exists()
    teacher = type(teacher).objects.get(pk=teacher.pk)
    assert not two_courses["pages_b"][0].permissions_for_user(teacher).can_edit()


def test_instructors_cannot_assign_themselves(client, two_courses, teacher_b):
    client.force_login(teacher_b)
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("course_instructors:index") not in menu
    response = client.post(
        reverse("course_instructors:add"), {"course": two_courses["a"].pk, "user": teacher_b.pk}
    )
    assert (
        response.status_code in (302, 403)
        and not CourseInstructor.objects.filter(course=two_courses["a"]).exists()
    )


# --- deleting pages with learners' records -------------------------------------------------------------


def _delete(client, page):
    return client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_a_module_whose_quiz_nobody_took_goes_with_its_quiz(superuser_client, two_courses):
    module = two_courses["pages_b"][0]
    quiz = Quiz.objects.get(module=module)
    response = _delete(superuser_client, module)
    assert response.status_code == 302
    assert not ModulePage.objects.filter(pk=module.pk).exists()
    assert not Quiz.objects.filter(pk=quiz.pk).exists()


def test_a_module_with_attempts_cannot_be_deleted_and_says_why(superuser_client, two_courses, learner):
    from quizzes.services import attempt_start

    module = two_courses["pages_b"][0]
    Enrollment.objects.create(user=learner, course=two_courses["b"])
    attempt_start(user=learner, quiz=Quiz.objects.get(module=module))
    for response in (
        superuser_client.get(reverse("wagtailadmin_pages:delete", args=[module.pk])),
        _delete(superuser_client, module),
    ):
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_explore", args=[two_courses["b"].pk])
        text = " ".join(str(m) for m in get_messages(response.wsgi_request))
        assert "cannot be deleted" in text and "1 quiz attempts" in text and "unpublish" in text
    assert ModulePage.objects.filter(pk=module.pk).exists()
    assert Attempt.objects.filter(quiz__module=module, status=AttemptStatus.IN_PROGRESS).count() == 1


def test_a_finished_course_cannot_be_deleted(superuser_client, two_courses):
    course = two_courses["a"]
    records = learner_records_under(course)
    assert (
        records["enrollments"] == 1
        and records["quiz attempts"] >= 2
        and records["module progress records"] == 2
    )
    response = _delete(superuser_client, course)
    assert response.status_code == 302
    assert CoursePage.objects.filter(pk=course.pk).exists()
    assert Certificate.objects.filter(pk=two_courses["certificate"].pk).exists()


def test_bulk_deleting_pages_with_records_is_refused(superuser_client, two_courses):
    course = two_courses["a"]
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    response = superuser_client.post(f"{url}?id={course.pk}&next=/admin/", {})
    assert response.status_code == 302
    assert CoursePage.objects.filter(pk=course.pk).exists()
    assert "cannot be deleted" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_an_untouched_course_is_deleted_with_its_quizzes(superuser_client, two_courses, teacher_b):
    course = two_courses["b"]
    response = _delete(superuser_client, course)
    assert response.status_code == 302
    assert not CoursePage.objects.filter(pk=course.pk).exists()
    assert not Quiz.objects.filter(course_id=course.pk).exists()
    assert not CourseInstructor.objects.filter(course_id=course.pk).exists()


def test_a_quiz_with_attempts_cannot_be_deleted_from_the_snippets(superuser_client, two_courses):
    quiz = Quiz.objects.get(module=two_courses["pages_a"][0])
    response = superuser_client.post(reverse("wagtailsnippets_quizzes_quiz:delete", args=[quiz.pk]))
    assert response.status_code == 302
    assert Quiz.objects.filter(pk=quiz.pk).exists()
    assert "kept with its records" in " ".join(str(m) for m in get_messages(response.wsgi_request))
