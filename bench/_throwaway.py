"""A database for one benchmark run: created on BENCH_DATABASE_URL's PostgreSQL server, else a temp SQLite file."""

import os
import sys
import tempfile
from pathlib import Path


def throwaway_database(prefix: str, sqlite_options: str = "") -> tuple[str, callable]:
    """(DATABASE_URL, cleanup) for a database nobody else uses."""
    base = os.environ.get("BENCH_DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        name = f"{prefix}_{os.getpid()}"
        server, _, _ = base.rpartition("/")
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop():
            if "django.db" in sys.modules:  # this process may hold connections to it
                from django.db import connections

                connections.close_all()
            with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return f"{server}/{name}", drop
    handle, path = tempfile.mkstemp(prefix=f"{prefix}-", suffix=".sqlite3")
    os.close(handle)

    def remove():
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(path + suffix).unlink(missing_ok=True)

    return f"sqlite:///{path}{sqlite_options}", remove
