import os

import pytest
from django.core.cache import caches

from tests import template_db
from tests.factories import InstructorFactory, ProviderFactory, UserFactory, course_create, module_create

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's own, except that on PostgreSQL each test database starts as a copy of one migrated
    template (tests/template_db.py) instead of being migrated from nothing in every process."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    if not django_db_use_migrations:
        _disable_migrations()
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        copied = (
            django_db_use_migrations
            and not django_db_keepdb
            and template_db.copies_as_test_databases(aliases)
        )
        keepdb = copied or (django_db_keepdb and not django_db_createdb)
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
    yield
    if not django_db_keepdb:  # the copies too: dropped
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def page_cache_empty():
    """Each test starts with an empty page cache: the databases of two tests may reuse page ids and URLs."""
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def status_list_cache_fresh():
    """Nor a cached Open Badges status list: another test's revoked certificate may have this one's id."""
    from courses.open_badges import status_list_changed

    status_list_changed()


@pytest.fixture
def site_tree(db):
    from cms.services import site_tree_ensure

    return site_tree_ensure()


@pytest.fixture
def catalogue(site_tree):
    return site_tree[1]


@pytest.fixture
def provider(db):
    return ProviderFactory()


@pytest.fixture
def course(catalogue, provider):
    return course_create(catalogue, slug="massage-for-low-back-pain", provider=provider)


@pytest.fixture
def modules(course):
    body = [("rich_text", "<p>The psoas major inserts on the lesser trochanter of the femur.</p>")]
    return [module_create(course, title=f"Module {n}", body=body) for n in range(1, 4)]


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def other_learner(db):
    return UserFactory()


@pytest.fixture
def instructor(db):
    """A member of the Instructors group assigned to no course: admin, question bank, knowledge base."""
    return InstructorFactory()


@pytest.fixture
def assigned_instructor(instructor, course):
    """`instructor`, assigned to `course` (courses.services.course_instructor_assign): edits its pages
    and quizzes, reads its item analysis, roster, evaluations and certificates."""
    from courses.services import course_instructor_assign

    course_instructor_assign(course=course, user=instructor)
    return instructor


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture
def knowledge_base(db):
    """The real knowledge base (content/data/*.yaml) loaded into the test database; returns the counts."""
    from content.services import knowledge_base_load

    return knowledge_base_load()


def _commits_to_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    # A transactional test empties the database when it ends, so no ordinary test may follow it in the
    # same process: `make test` runs the rest on several processes, then these on one ("serial"). (Copying
    # the PostgreSQL template back after each one was tried and left stale in-process caches, such as
    # Django's content-type ids, behind: CI failed in tests that ran next.)
    for item in items:
        if _commits_to_the_database(item):
            item.add_marker(pytest.mark.serial)
    # `make test` hands whole files to its processes in collection order: the longest files go first, so
    # that neither process is still walking one of them while the other has nothing left to do.
    items.sort(
        key=lambda item: not (item.get_closest_marker("heavy") or item.get_closest_marker("native_stack"))
    )
