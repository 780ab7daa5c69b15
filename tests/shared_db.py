"""Test data built once for a whole module (or class) and rolled back after it.

    @pytest.fixture(scope="module")
    def built(django_db_setup, django_db_blocker):
        with rolled_back(django_db_blocker):
            yield expensive_objects()

    @pytest.fixture
    def objects(built, db):
        return copy.deepcopy(built)  # a test may refresh or change its copies in memory

pytest-django runs every `db` test inside its own atomic block (Django's TestCase), which nests in
the one opened here as a savepoint: each test starts from exactly what was built, and what it writes
is rolled back after it. A module-scoped fixture is set up before any function-scoped one, so the
nesting always holds. Tests that need `transactional_db` or `live_server` cannot use such data.
"""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back(django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
