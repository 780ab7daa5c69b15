"""The hostile-input walk (tests/hostile_walk.py) as a superuser: a module of its own, so the walks spread over
`make test`'s processes."""

import pytest

from tests.hostile_walk import walk, world  # noqa: F401 (world: a fixture)

pytestmark = pytest.mark.heavy


def test_no_url_answers_500_to_hostile_input_as_superuser(client, world, db):
    walk(client, world, "superuser")
