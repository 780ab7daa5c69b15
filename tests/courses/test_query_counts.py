"""Pages cost the same number of queries for 3 modules as for 12."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.services import enrollment_create, module_complete

# Parameters are not called `page`: that is pytest-playwright's fixture, and borrowing its name drags
# these tests into the browser group, ahead of the transactional e2e flush.
# One bound for every size: if a page ran a query per module, 12 modules would break it.
MAX_QUERIES = {"course": 20, "module": 26, "dashboard": 12, "catalogue": 16}


@pytest.fixture
def learner_halfway(learner, course_with_modules):
    """A learner enrolled in a course of `n` modules who has completed the first one."""

    def build(n):
        course, modules = course_with_modules(n)
        enrollment_create(user=learner, course=course)
        module_complete(user=learner, module=modules[0])
        return course, modules

    return build


def page_urls(course, modules, catalogue):
    return {
        "course": course.url,
        "module": modules[1].url,
        "dashboard": reverse("dashboard"),
        "catalogue": catalogue.url,
    }


@pytest.mark.parametrize("n", [3, 12])
@pytest.mark.parametrize("page_name", ["course", "module", "dashboard", "catalogue"])
def test_pages_stay_within_one_bound(
    client, learner, learner_halfway, catalogue, django_assert_max_num_queries, n, page_name
):
    course, modules = learner_halfway(n)
    client.force_login(learner)
    url = page_urls(course, modules, catalogue)[page_name]
    client.get(url)  # warm per-process caches (site root paths, content types)
    with django_assert_max_num_queries(MAX_QUERIES[page_name]):
        assert client.get(url).status_code == 200


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page_name", ["course", "module", "dashboard", "catalogue"])
def test_query_count_does_not_depend_on_module_count(client, learner, learner_halfway, catalogue, page_name):
    client.force_login(learner)
    counts = []
    for n in (3, 12):
        course, modules = learner_halfway(n)
        url = page_urls(course, modules, catalogue)[page_name]
        client.get(url)
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts
