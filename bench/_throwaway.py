"""A database for one benchmark run: created on BENCH_DATABASE_URL's PostgreSQL server, else a temp SQLite file.

`throwaway_database` gives an empty database; `migrated_database` one with every migration applied,
copied from a template migrated once per set of migrations (a SQLite file in the temp directory, or a
`bench_template_<digest>` database on the PostgreSQL server, created with CREATE DATABASE ... TEMPLATE).
Migrating takes about 20 s of CPU; copying the template well under a second, which is what lets
BENCH_QUICK=1 runs take a few seconds each.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def throwaway_database(prefix: str, sqlite_options: str = "") -> tuple[str, callable]:
    """(DATABASE_URL, cleanup) for a database nobody else uses."""
    base = os.environ.get("BENCH_DATABASE_URL", "")
    if base.startswith("postgres"):
        return _postgres_database(base, f"{prefix}_{os.getpid()}")
    handle, path = tempfile.mkstemp(prefix=f"{prefix}-", suffix=".sqlite3")
    os.close(handle)
    return f"sqlite:///{path}{sqlite_options}", _sqlite_remover(path)


def migrated_database(prefix: str, sqlite_options: str = "") -> tuple[str, callable]:
    """Like `throwaway_database`, with the schema and the migrations' data already in place."""
    base = os.environ.get("BENCH_DATABASE_URL", "")
    digest = _migrations_digest()
    if base.startswith("postgres"):
        template = _postgres_template(base, f"bench_template_{digest}")
        return _postgres_database(base, f"{prefix}_{os.getpid()}", template=template)
    template = Path(tempfile.gettempdir(), f"bodywork-bench-migrated-{digest}.sqlite3")
    if not template.exists():
        url, remove = throwaway_database(f"{prefix}-template")
        try:
            _migrate(url)
            os.replace(url.removeprefix("sqlite:///"), template)  # atomic: a half-migrated file is never used
        finally:
            remove()
    handle, path = tempfile.mkstemp(prefix=f"{prefix}-", suffix=".sqlite3")
    os.close(handle)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}{sqlite_options}", _sqlite_remover(path)


def _migrations_digest() -> str:
    """Changes when a migration or a pinned dependency (whose apps have migrations too) changes."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _migrate(database_url: str):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(command, cwd=ROOT, check=True, env=env)


def _sqlite_remover(path: str):
    def remove():
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(path + suffix).unlink(missing_ok=True)

    return remove


def _postgres_database(base: str, name: str, template: str = "") -> tuple[str, callable]:
    import psycopg

    server, _, _ = base.rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def drop():
        if "django.db" in sys.modules:  # this process may hold connections to it
            from django.db import connections

            connections.close_all()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{server}/{name}", drop


def _postgres_template(base: str, template: str) -> str:
    """The migrated template on the server, made once (by a migrated database renamed into place);
    templates of older migrations are dropped."""
    import psycopg

    server, _, _ = base.rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database")]
    if template in names:
        return template
    url, drop = _postgres_database(base, f"{template}_{os.getpid()}")
    try:
        _migrate(url)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            for old in names:
                if old.startswith("bench_template_"):
                    conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
            conn.execute(f'ALTER DATABASE "{url.rpartition("/")[2]}" RENAME TO "{template}"')
    except BaseException:
        drop()
        raise
    return template
