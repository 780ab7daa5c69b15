import pytest

from courses.services import enrollment_create
from tests.factories import course_create, module_create

BODY = [("rich_text", "<p>Quadratus lumborum runs from the iliac crest to the twelfth rib.</p>")]


@pytest.fixture
def enrollment(learner, course):
    return enrollment_create(user=learner, course=course)


@pytest.fixture
def course_with_modules(catalogue, provider):
    """Build a course with `n` live modules: course_with_modules(5) -> (course, [modules])."""

    def build(n, *, slug=None, **fields):
        course = course_create(
            catalogue, slug=slug or f"course-with-{n}-modules", provider=provider, **fields
        )
        modules = [
            module_create(course, title=f"Part {i}", body=BODY, summary=f"What part {i} covers.")
            for i in range(1, n + 1)
        ]
        return course, modules

    return build
