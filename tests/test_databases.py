"""The database fixtures hand out working, empty, isolated databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

try:
    from dbfixtures import (
        BACKENDS,
        DB_NAME_PREFIX,
        ServerDatabases,
        clean_database,
        table_names,
        unreachable_reason,
        worker_id,
    )
except ImportError:  # tests/ imported as a package
    from tests.dbfixtures import (
        BACKENDS,
        DB_NAME_PREFIX,
        ServerDatabases,
        clean_database,
        table_names,
        unreachable_reason,
        worker_id,
    )

HERE = Path(__file__).resolve().parent


def _create_marker_table(url: str) -> None:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE marker (id INTEGER PRIMARY KEY, note VARCHAR(20))")
            conn.exec_driver_sql("INSERT INTO marker (id, note) VALUES (1, 'here')")
    finally:
        engine.dispose()


@pytest.mark.parametrize("round_", [1, 2])
def test_db_url_is_empty_working_and_isolated(db_url: str, round_: int) -> None:
    # Both rounds (in any order, on any worker) must start from an empty database.
    assert table_names(db_url) == []
    _create_marker_table(db_url)
    assert table_names(db_url) == ["marker"]
    engine = sa.create_engine(db_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT note FROM marker").scalar_one() == "here"
    finally:
        engine.dispose()


@pytest.mark.parametrize("round_", [1, 2])
def test_sqlite_url_is_a_fresh_file_under_tmp_path(
    sqlite_url: str, tmp_path: Path, round_: int
) -> None:
    path = Path(sa.engine.make_url(sqlite_url).database or "")
    assert path.parent == tmp_path
    assert not path.exists()
    _create_marker_table(sqlite_url)
    assert path.is_file()
    assert table_names(sqlite_url) == ["marker"]


@pytest.mark.parametrize(
    ("fixture", "backend"),
    [("postgresql_url", "postgresql"), ("mariadb_url", "mysql")],
)
def test_session_database_is_private_to_this_worker(
    request: pytest.FixtureRequest, fixture: str, backend: str
) -> None:
    url = sa.engine.make_url(request.getfixturevalue(fixture))
    assert url.get_backend_name() == backend
    assert url.database is not None
    assert url.database.startswith(f"{DB_NAME_PREFIX}_{worker_id()}_{os.getpid()}_")
    assert request.getfixturevalue(fixture) == url.render_as_string(hide_password=False)


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_databases_are_created_unique_and_dropped(kind: str) -> None:
    backend = BACKENDS[kind]
    servers = ServerDatabases(backend)
    reason = servers.unavailable()
    if reason:
        pytest.skip(reason)  # the fixtures' own tests report the failure under CI
    first, second = servers.new(), servers.new()
    assert first.database != second.database
    _create_marker_table(first.render_as_string(hide_password=False))
    assert table_names(second.render_as_string(hide_password=False)) == []
    assert servers.close() == []
    engine = sa.create_engine(backend.admin_url(), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if kind == "postgresql":
                sql = "SELECT datname FROM pg_database"
            else:
                sql = "SELECT schema_name FROM information_schema.schemata"
            names = set(conn.exec_driver_sql(sql).scalars())
    finally:
        engine.dispose()
    assert first.database not in names
    assert second.database not in names


def test_pg_clean_drops_schemas_types_and_ends_open_sessions(pg_db: str) -> None:
    engine = sa.create_engine(pg_db)  # pooled, left with an open transaction on purpose
    conn = engine.connect()
    conn.exec_driver_sql("CREATE SCHEMA other")
    conn.exec_driver_sql("CREATE TYPE mood AS ENUM ('ok', 'meh')")
    conn.exec_driver_sql("CREATE TABLE other.t (id INTEGER PRIMARY KEY, m mood)")
    conn.exec_driver_sql("CREATE TABLE locked (id INTEGER)")
    conn.commit()
    conn.exec_driver_sql("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE")  # still open
    name = sa.engine.make_url(pg_db).database
    assert name
    clean_database(BACKENDS["postgresql"], name)
    conn.invalidate()  # the session was ended by clean_database; do not roll it back
    conn.close()
    engine.dispose()
    check = sa.create_engine(pg_db, poolclass=NullPool)
    try:
        with check.connect() as c:
            schemas = set(c.exec_driver_sql("SELECT nspname FROM pg_namespace").scalars())
            types = c.exec_driver_sql("SELECT count(*) FROM pg_type WHERE typname = 'mood'")
            assert types.scalar_one() == 0
    finally:
        check.dispose()
    assert "other" not in schemas and "public" in schemas
    assert table_names(pg_db) == []


def test_maria_clean_drops_views_and_ends_open_sessions(maria_db: str) -> None:
    engine = sa.create_engine(maria_db)
    conn = engine.connect()
    conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    conn.exec_driver_sql("CREATE VIEW v AS SELECT id FROM t")
    conn.commit()
    conn.exec_driver_sql("SELECT * FROM t FOR UPDATE")  # transaction left open
    name = sa.engine.make_url(maria_db).database
    assert name
    clean_database(BACKENDS["mariadb"], name)
    conn.invalidate()  # the session was ended by clean_database; do not roll it back
    conn.close()
    engine.dispose()
    assert table_names(maria_db) == []
    check = sa.create_engine(maria_db, poolclass=NullPool)
    try:
        assert sa.inspect(check).get_view_names() == []
    finally:
        check.dispose()


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_unreachable_reason_names_the_url_without_password(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = BACKENDS[kind]
    driver = "postgresql+psycopg" if kind == "postgresql" else "mysql+pymysql"
    monkeypatch.setenv(backend.env_var, f"{driver}://u:s3cret-pw@127.0.0.1:1/x")
    reason = unreachable_reason(backend)
    assert reason is not None
    assert "s3cret-pw" not in reason
    assert "127.0.0.1:1" in reason and backend.env_var in reason


@pytest.mark.parametrize(("ci", "outcome"), [("true", "1 failed"), ("", "1 skipped")])
def test_unreachable_server_fails_under_ci_and_skips_otherwise(ci: str, outcome: str) -> None:
    env = dict(os.environ)
    env.pop("PYTEST_XDIST_WORKER", None)
    env.update(CI=ci, TUI_MIGRATE_TEST_PG_URL="postgresql+psycopg://u:s3cret-pw@127.0.0.1:1/x")
    node = f"{HERE / 'test_databases.py'}::test_session_database_is_private_to_this_worker"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-rs",
            f"{node}[postgresql_url-postgresql]",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=HERE.parent,
    )
    out = proc.stdout + proc.stderr
    assert outcome in out, out
    assert "PostgreSQL unreachable at postgresql+psycopg://u:***@127.0.0.1:1/x" in out
    assert "s3cret-pw" not in out
    assert proc.returncode == (1 if ci else 0), out


def test_alembic_oracle_runs(alembic_oracle: Path) -> None:
    proc = subprocess.run(
        [str(alembic_oracle), "--version"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("alembic ")
