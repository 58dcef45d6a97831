"""Helpers behind the real-database fixtures in conftest.py.

Each pytest process (every xdist worker) creates its own uniquely named
PostgreSQL / MariaDB database on first use and drops it at session end.
Admin URLs come from the environment:

* ``TUI_MIGRATE_TEST_PG_URL``      (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres?sslmode=disable``)
* ``TUI_MIGRATE_TEST_MARIADB_URL`` (default ``mysql+pymysql://root@127.0.0.1:3306/?ssl_disabled=true``)

Under ``CI=true`` an unreachable server is a failure, elsewhere a skip.
Nothing here prints a password: URLs are rendered with the password hidden.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine

PG_ENV = "TUI_MIGRATE_TEST_PG_URL"
MARIADB_ENV = "TUI_MIGRATE_TEST_MARIADB_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres?sslmode=disable"
DEFAULT_MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/?ssl_disabled=true"
DB_NAME_PREFIX = "tuim_test"
CONNECT_TIMEOUT = 5


def in_ci() -> bool:
    """True when ``CI`` is set to a truthy value (missing databases then fail)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def worker_id() -> str:
    """The xdist worker id (``gw0`` ...) or ``main`` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def unique_db_name(prefix: str = DB_NAME_PREFIX) -> str:
    """A database name unique to this process and run: prefix_worker_pid_random."""
    name = f"{prefix}_{worker_id()}_{os.getpid()}_{secrets.token_hex(4)}".lower()
    return name[:63]  # PostgreSQL's identifier limit (MariaDB allows 64)


def safe_url(url: URL | str) -> str:
    """Render a URL for messages, never showing the password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@dataclass(frozen=True)
class Backend:
    """One database server kind the tests can run against."""

    kind: str  # "postgresql" or "mariadb"
    env_var: str
    default_url: str
    label: str

    def admin_url(self) -> URL:
        from sqlalchemy.engine import make_url

        return make_url(os.environ.get(self.env_var) or self.default_url)


POSTGRESQL = Backend("postgresql", PG_ENV, DEFAULT_PG_URL, "PostgreSQL")
MARIADB = Backend("mariadb", MARIADB_ENV, DEFAULT_MARIADB_URL, "MariaDB")
BACKENDS = {b.kind: b for b in (POSTGRESQL, MARIADB)}


def _connect_args(url: URL) -> dict[str, Any]:
    if url.get_backend_name() in {"postgresql", "mysql", "mariadb"}:
        return {"connect_timeout": CONNECT_TIMEOUT}
    return {}


def admin_engine(url: URL, *, autocommit: bool = True) -> Engine:
    """An engine without a pool (so nothing lingers) for admin work."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    kwargs: dict[str, Any] = {"poolclass": NullPool, "connect_args": _connect_args(url)}
    if autocommit:
        kwargs["isolation_level"] = "AUTOCOMMIT"
    return sa.create_engine(url, **kwargs)


def unreachable_reason(backend: Backend) -> str | None:
    """None if the admin URL answers, else a one-line reason (no password)."""
    url = backend.admin_url()
    try:
        engine = admin_engine(url)
    except Exception as exc:  # missing driver, bad URL
        return f"{backend.label} unusable at {safe_url(url)} ({backend.env_var}): {exc!r}"
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            f"{backend.label} unreachable at {safe_url(url)} (set {backend.env_var}; "
            f"start it with .ci/run): {first}"
        )
    finally:
        engine.dispose()
    return None


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _terminate_pg_sessions(conn: Connection, name: str) -> None:
    import sqlalchemy as sa

    conn.execute(
        sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"
        ),
        {"name": name},
    )


def _kill_mariadb_sessions(conn: Connection, name: str) -> None:
    import sqlalchemy as sa

    ids = conn.execute(
        sa.text(
            "SELECT id FROM information_schema.processlist "
            "WHERE db = :name AND id <> CONNECTION_ID()"
        ),
        {"name": name},
    ).scalars()
    for session_id in list(ids):
        with contextlib.suppress(Exception):  # the session may be gone already
            conn.exec_driver_sql(f"KILL {int(session_id)}")


def create_database(backend: Backend, name: str) -> URL:
    """Create database ``name`` on the backend's server; return its URL."""
    admin = backend.admin_url()
    engine = admin_engine(admin)
    try:
        with engine.connect() as conn:
            q = _quote(conn, name)
            if backend.kind == "postgresql":
                # template0 never has sessions, so concurrent creation cannot collide.
                sql = f"CREATE DATABASE {q} TEMPLATE template0 ENCODING 'UTF8'"
            else:
                sql = f"CREATE DATABASE {q} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()
    return admin.set(database=name)


def drop_database(backend: Backend, name: str) -> None:
    """Drop database ``name``, ending any sessions tests left open on it."""
    engine = admin_engine(backend.admin_url())
    try:
        with engine.connect() as conn:
            q = _quote(conn, name)
            if backend.kind == "postgresql":
                _terminate_pg_sessions(conn, name)
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {q}")
            else:
                _kill_mariadb_sessions(conn, name)
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {q}")
    finally:
        engine.dispose()


def clean_database(backend: Backend, name: str) -> None:
    """Make database ``name`` empty again (tables, views, types, sequences, schemas).

    PostgreSQL: drop every non-system schema and recreate ``public``.
    MariaDB: drop and recreate the database (cheap there, and catches everything).
    Sessions a previous test left open on the database are ended first.
    """
    if backend.kind == "mariadb":
        drop_database(backend, name)
        create_database(backend, name)
        return
    admin = backend.admin_url()
    engine = admin_engine(admin)
    try:
        with engine.connect() as conn:
            _terminate_pg_sessions(conn, name)
    finally:
        engine.dispose()
    engine = admin_engine(admin.set(database=name))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET lock_timeout = '10s'")
            schemas = conn.exec_driver_sql(
                "SELECT nspname FROM pg_namespace "
                "WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'"
            ).scalars()
            for schema in list(schemas):
                conn.exec_driver_sql(f"DROP SCHEMA {_quote(conn, schema)} CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


def table_names(url: URL | str) -> list[str]:
    """Names of the tables in the default schema of ``url`` (for assertions)."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        return sorted(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


@dataclass
class ServerDatabases:
    """The per-process databases of one backend, created lazily, dropped at close()."""

    backend: Backend
    created: dict[str, URL] = field(default_factory=dict)
    _reason: str | None = None
    _checked: bool = False

    def unavailable(self) -> str | None:
        if not self._checked:
            self._reason = unreachable_reason(self.backend)
            self._checked = True
        return self._reason

    def new(self) -> URL:
        name = unique_db_name()
        for attempt in range(3):
            try:
                url = create_database(self.backend, name)
                break
            except Exception:
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))
        self.created[name] = url
        return url

    def close(self) -> list[str]:
        """Drop every database created; return error lines for the ones that failed."""
        errors = []
        for name in list(self.created):
            try:
                drop_database(self.backend, name)
            except Exception as exc:
                errors.append(f"could not drop {self.backend.label} database {name}: {exc!r}")
            del self.created[name]
        return errors
