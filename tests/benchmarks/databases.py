"""Databases behind the runtime benchmarks: reset before each run, check after it.

* ``SQLiteFile``: a database file in ``sqlite_directory()`` (RAM-backed when
  possible, see there); reset deletes the file, ``close()`` too.
* ``PostgresDatabase``: a dedicated database ``tuim_bench_<pid>`` created on first
  use (admin URL from ``TUI_MIGRATE_TEST_PG_URL``, default
  ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); reset drops and
  recreates the ``public`` schema; ``close()`` drops the database;
  ``create_models(project)`` gives a fresh database holding the tables of the
  project's ``models.py`` (``metadata.create_all``), for the autogenerate benchmarks.

The harness calls them through plain callables (reset, verify, cleanup); they are
never timed. Everything that needs SQLAlchemy or a driver runs in a child process
(this file run as a script): on Linux a child's peak RSS (``ru_maxrss``) starts
from the RSS of the process that forked it, so the harness must stay small, or
every tool's memory figure would show the harness's SQLAlchemy and driver.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PG_ADMIN_ENV = "TUI_MIGRATE_TEST_PG_URL"
PG_ADMIN_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SQLITE_DIR_ENV = "TUI_MIGRATE_BENCH_SQLITE_DIR"
_NOT_AT_HEAD = 3  # exit status of the "verify" child when the database is not at head


def _child(*args: str) -> subprocess.CompletedProcess[str]:
    """Run this file as a script with args; raise RuntimeError when it fails."""
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, timeout=300
    )
    if done.returncode not in (0, _NOT_AT_HEAD):
        tail = done.stderr.strip().splitlines()[-3:]
        raise RuntimeError(f"{args[0]}: {' / '.join(tail) or f'exit {done.returncode}'}")
    return done


def _verify_in_child(url: str, head: str) -> str | None:
    done = _child("verify", url, head)
    return done.stdout.strip() if done.returncode == _NOT_AT_HEAD else None


def with_database(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name`` (query string kept)."""
    base, sep, query = url.partition("?")
    head, slash, _ = base.rpartition("/")
    if not slash or head.endswith("/"):
        raise ValueError(f"cannot set the database of {url!r}")
    return f"{head}/{name}{sep}{query}"


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
        """None when the version table holds exactly the head; else what is wrong."""
        del project
        return _verify_in_child(self.url, self.head)

    def close(self) -> None:
        """Remove the file, and its directory when that is left empty."""
        self.reset()
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()


class PostgresDatabase:
    """A dedicated PostgreSQL database for one benchmark run, dropped by close()."""

    def __init__(self, name: str | None = None) -> None:
        self.admin_url = os.environ.get(PG_ADMIN_ENV) or PG_ADMIN_DEFAULT
        self.name = name or f"tuim_bench_{os.getpid()}"
        self.url = with_database(self.admin_url, self.name)
        self._created = False

    def reset(self, project: Path) -> None:
        """An empty database: created on first use, else its public schema recreated."""
        del project
        if not self._created:
            _child("pg-create", self.admin_url, self.name)
            self._created = True
        else:
            _child("pg-reset", self.url)

    def create_models(self, project: Path) -> None:
        """Create every table of ``project/models.py``'s ``metadata`` (``create_all``)."""
        self.reset(project)
        _child("create-models", self.url, str(project))

    def verifier(self, head: str) -> Any:
        def verify(project: Path) -> str | None:
            del project
            return _verify_in_child(self.url, head)

        return verify

    def close(self) -> None:
        """Drop the database if this object created it (idempotent)."""
        if self._created:
            _child("pg-drop", self.admin_url, self.name)
            self._created = False


# --- the child side: run as a script ------------------------------------------------


def _engine(url: str, **kw: Any) -> Any:
    from sqlalchemy import create_engine, pool

    return create_engine(url, poolclass=pool.NullPool, **kw)


def _autocommit(url: str, *statements: str) -> None:
    from sqlalchemy import text

    engine = _engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def version_rows(url: str) -> list[str] | None:
    """The rows of alembic_version (sorted), or None when the table does not exist."""
    from sqlalchemy import inspect, text

    engine = _engine(url)
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


def create_models(url: str, project: str) -> None:
    """``metadata.create_all`` for the ``models`` module of the project directory."""
    sys.path.insert(0, project)
    from models import metadata  # type: ignore[import-not-found]

    engine = _engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def main(argv: list[str]) -> int:
    action, *args = argv
    if action == "verify":
        url, head = args
        problem = at_head_problem(url, head)
        if problem:
            print(problem)
            return _NOT_AT_HEAD
    elif action == "create-models":
        url, project = args
        create_models(url, project)
    elif action == "pg-create":
        admin, name = args
        _autocommit(admin, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    elif action == "pg-reset":
        (url,) = args
        _autocommit(url, "DROP SCHEMA IF EXISTS public CASCADE", "CREATE SCHEMA public")
    elif action == "pg-drop":
        admin, name = args
        _autocommit(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        print(f"unknown action {action!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
