"""Databases behind the runtime benchmarks: reset before each run, check after it.

* ``SQLiteFile``: a database file in ``sqlite_directory()`` (RAM-backed when
  possible, see there); reset deletes the file, ``close()`` too.
* ``PostgresDatabase``: a dedicated database ``tuim_bench_<pid>`` created on first
  use (admin URL from ``TUI_MIGRATE_TEST_PG_URL``, default
  ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); reset drops and
  recreates the ``public`` schema; ``close()`` drops the database.

Both are used by the harness in run.py through plain callables (reset, verify,
cleanup); they run in the harness process and are never timed.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

PG_ADMIN_ENV = "TUI_MIGRATE_TEST_PG_URL"
PG_ADMIN_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SQLITE_DIR_ENV = "TUI_MIGRATE_BENCH_SQLITE_DIR"


def version_rows(url: str) -> list[str] | None:
    """The rows of alembic_version (sorted), or None when the table does not exist."""
    from sqlalchemy import create_engine, inspect, pool, text

    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.execute(text("SELECT version_num FROM alembic_version"))
            return sorted(row[0] for row in rows)
    finally:
        engine.dispose()


def at_head_problem(url: str, head: str) -> str | None:
    """None when the version table holds exactly ``head``; otherwise what is wrong."""
    rows = version_rows(url)
    if rows == [head]:
        return None
    if rows is None:
        return f"database not at head {head}: no alembic_version table"
    return f"database not at head {head}: alembic_version holds {rows or 'no row'}"


def sqlite_directory() -> Path:
    """Where the SQLite benchmark files go: a fresh per-process directory (not created).

    In RAM (``/dev/shm``) when available: online SQLite DDL commits (and fsyncs) once
    per statement for both tools alike, and on a slow virtual disk that wait would
    dwarf the work of the tools being compared. ``TUI_MIGRATE_BENCH_SQLITE_DIR``
    chooses another parent (e.g. a real disk).
    """
    parent = os.environ.get(SQLITE_DIR_ENV)
    if not parent:
        shm = Path("/dev/shm")
        parent = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else tempfile.gettempdir()
    return Path(parent) / f"tuim-bench-{os.getpid()}"


class SQLiteFile:
    """The SQLite database file of a runtime-benchmark project (URL ``sqlite:///path``)."""

    def __init__(self, url: str, head: str) -> None:
        if not url.startswith("sqlite:///"):
            raise ValueError(f"not a SQLite file URL: {url}")
        self.url = url
        self.path = Path(url[len("sqlite:///") :])
        self.head = head

    def reset(self, project: Path | None = None) -> None:
        """An empty database: no file (SQLite creates it on first connect)."""
        del project
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def verify(self, project: Path) -> str | None:
        del project
        return at_head_problem(self.url, self.head)

    def close(self) -> None:
        """Remove the file, and its directory when that is left empty."""
        self.reset()
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()


class PostgresDatabase:
    """A dedicated PostgreSQL database for one benchmark run, dropped by close()."""

    def __init__(self, name: str | None = None) -> None:
        from sqlalchemy.engine import make_url

        self.admin_url = make_url(os.environ.get(PG_ADMIN_ENV) or PG_ADMIN_DEFAULT)
        self.name = name or f"tuim_bench_{os.getpid()}"
        self.url = self.admin_url.set(database=self.name).render_as_string(hide_password=False)
        self._created = False

    def _admin(self) -> Any:
        from sqlalchemy import create_engine, pool

        return create_engine(
            self.admin_url,
            poolclass=pool.NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 5},
        )

    def _ensure(self) -> None:
        if self._created:
            return
        from sqlalchemy import text

        engine = self._admin()
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        finally:
            engine.dispose()
        self._created = True

    def reset(self, project: Path) -> None:
        """An empty database: the public schema dropped (with everything) and recreated."""
        del project
        self._ensure()
        from sqlalchemy import create_engine, pool, text

        engine = create_engine(self.url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        finally:
            engine.dispose()

    def verifier(self, head: str) -> Any:
        def verify(project: Path) -> str | None:
            del project
            return at_head_problem(self.url, head)

        return verify

    def close(self) -> None:
        """Drop the database if this object created it (idempotent)."""
        if not self._created:
            return
        from sqlalchemy import text

        engine = self._admin()
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        finally:
            engine.dispose()
        self._created = False
