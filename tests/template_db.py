"""A migrated PostgreSQL database to copy, instead of migrating every test database from nothing.

Migrating takes about half a minute on PostgreSQL; `CREATE DATABASE ... TEMPLATE` copies a migrated database
in about a second. The template is named after the database and a hash of every installed app's migration
files (`test_<NAME>_tpl_<hash>`), so a new or edited migration makes a new template. It is kept after the
run: each pytest process (both xdist workers, then the serial run) copies it for its test database, and so do
the throwaway databases of tests/cms/test_faults.py and test_native_stack.py. Whoever finds it missing builds
it (`manage.py migrate` with the test settings, as pytest-django would) under an advisory lock, into a
scratch name renamed when done, so nobody copies a half-migrated one; older templates of the same NAME are
dropped then. Django's own `migrate` still runs on each copy (pytest-django's keepdb path): with nothing left
to apply, it only checks.

PostgreSQL only: SQLite test databases live in memory.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]


def migrations_hash() -> str:
    from django.apps import apps

    digest = hashlib.sha256()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        for path in sorted((Path(config.path) / "migrations").glob("*.py")):
            digest.update(f"{config.label}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def server_of_url(url: str) -> dict:
    """The server and database name of a postgres:// URL (DATABASE_URL)."""
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "",
        "port": str(parts.port or ""),
        "user": parts.username or "",
        "password": parts.password or "",
        "name": parts.path.lstrip("/"),
    }


def url_of(server: dict, name: str) -> str:
    credentials = quote(server["user"]) + (f":{quote(server['password'])}" if server["password"] else "")
    address = server["host"] + (f":{server['port']}" if server["port"] else "")
    return f"postgres://{credentials}@{address}/{name}"


@contextmanager
def _admin(server: dict):
    """A connection to the maintenance database, holding the lock on this NAME's template."""
    import psycopg

    params = {key: server[key] for key in ("host", "port", "user", "password") if server[key]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        lock = f"bodywork test template {server['name']}"
        connection.execute("SELECT pg_advisory_lock(hashtext(%s))", [lock])
        try:
            yield connection
        finally:
            connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", [lock])


def _exists(connection, name: str) -> bool:
    return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _build(connection, server: dict, template: str) -> None:
    scratch = f"{template}_new"
    connection.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    connection.execute(f'CREATE DATABASE "{scratch}"')
    connection.execute(f'ALTER DATABASE "{scratch}" SET synchronous_commit = off')
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": url_of(server, scratch),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        connection.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        raise RuntimeError(f"migrating the template database failed:\n{result.stdout}\n{result.stderr}")
    connection.execute(f'ALTER DATABASE "{scratch}" RENAME TO "{template}"')
    prefix = f"test_{server['name']}_tpl_"
    stale = connection.execute(
        "SELECT datname FROM pg_database WHERE left(datname, %s) = %s AND datname <> %s",
        [len(prefix), prefix, template],
    ).fetchall()
    for (name,) in stale:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def database_copy(server: dict, name: str) -> str:
    """(Re)create database `name` as a copy of the migrated template of server["name"]; returns `name`."""
    template = f"test_{server['name']}_tpl_{migrations_hash()}"
    assert len(template) + len("_new") <= 63, f"{template}: too long for a PostgreSQL name"
    with _admin(server) as connection:
        if not _exists(connection, template):
            _build(connection, server, template)
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')  # a throwaway
    return name


def database_drop(server: dict, name: str) -> None:
    import psycopg

    params = {key: server[key] for key in ("host", "port", "user", "password") if server[key]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copies_as_test_databases(aliases) -> bool:
    """Before pytest-django sets up the test databases: make each one a copy of the template. False (and
    nothing done) unless every alias is PostgreSQL; pytest-django then keeps the copies, checking migrations."""
    from django.db import connections

    if not aliases or any(connections[alias].vendor != "postgresql" for alias in aliases):
        return False
    for alias in aliases:
        settings_dict = connections[alias].settings_dict
        server = {
            "host": settings_dict.get("HOST") or "",
            "port": str(settings_dict.get("PORT") or ""),
            "user": settings_dict.get("USER") or "",
            "password": settings_dict.get("PASSWORD") or "",
            "name": settings_dict["NAME"],
        }
        test_name = (settings_dict.get("TEST") or {}).get("NAME") or f"test_{settings_dict['NAME']}"
        database_copy(server, test_name)
    return True
