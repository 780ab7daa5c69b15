"""Data and checks for the fault tests (tests/cms/test_faults.py), run as
`python -m tests.cms.fault_prepare prepare N` or `... stranded` in the stack's own environment.

prepare: a one-module course (no quizzes; the seat time, 5 minutes for 0.1 CE hours, studied as the server
counts it) and N learners with every requirement met but the evaluation, which the test submits over HTTP.
Prints one JSON line. stranded: the enrollments with every rule met and no certificate, as JSON.
"""

import json
import os
import sys
from decimal import Decimal


def prepare(count: int) -> None:
    import django

    django.setup()
    from cms.services import site_tree_ensure
    from courses.completion import completion_requirements
    from courses.models import CourseEvaluation
    from courses.services import enrollment_create, module_complete
    from tests.courses.certify import BODY, study
    from tests.factories import ProviderFactory, UserFactory, course_create, module_create

    catalogue = site_tree_ensure()[1]
    course = course_create(
        catalogue,
        title="Fault Tolerance for Massage Therapists",
        slug="fault-tolerance",
        provider=ProviderFactory(),
        ce_hours=Decimal("0.10"),
        require_post_test=False,
        require_module_quizzes=False,
    )
    module = module_create(course, title="The only module", body=BODY)
    course.save_revision().publish()
    learners = []
    for n in range(count):
        name = f"flaky{n}" if n % 5 == 4 else f"fault{n}"  # every fifth: the mail server refuses it once
        user = UserFactory(username=name, email=f"{name}@example.com", password=os.environ["FAULT_PASSWORD"])
        enrollment = study(enrollment_create(user=user, course=course))
        module_complete(user=user, module=module)
        enrollment.refresh_from_db()
        left = [rule.key for rule in completion_requirements(enrollment) if not rule.met]
        assert left == ["evaluation"], left
        learners.append(name)
    print(
        json.dumps({"course_id": course.pk, "learners": learners, "ratings": CourseEvaluation.RATING_FIELDS})
    )


def stranded() -> None:
    import django

    django.setup()
    from courses.completion import completion_requirements
    from courses.models import Enrollment

    left = [
        enrollment.pk
        for enrollment in Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, certificate__isnull=True)
        if all(rule.met for rule in completion_requirements(enrollment))
    ]
    print(json.dumps(left))


if __name__ == "__main__":
    if sys.argv[1] == "prepare":
        prepare(int(sys.argv[2]))
    else:
        stranded()
