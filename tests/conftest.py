"""Shared fixtures: real SQLite / PostgreSQL / MariaDB databases and the Alembic oracle.

Database fixtures (all hand out SQLAlchemy URL strings):

* ``sqlite_url``      function: a fresh SQLite file under ``tmp_path``.
* ``postgresql_url``  session: a fresh PostgreSQL database for this worker (shared by
  the worker's tests; prefer ``pg_db``).
* ``mariadb_url``     session: the same for MariaDB (prefer ``maria_db``).
* ``pg_db`` / ``maria_db``  function: the worker's database, emptied before the test.
* ``db_url``          function, parametrised ``sqlite`` / ``postgresql`` / ``mariadb``:
  an empty database for tests that must pass on all three.

Unreachable servers skip the test, or fail it when ``CI=true``. See tests/dbfixtures.py
for the environment variables that point at other servers.
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    from dbfixtures import BACKENDS, ServerDatabases, clean_database, in_ci
except ImportError:  # tests/ imported as a package
    from tests.dbfixtures import BACKENDS, ServerDatabases, clean_database, in_ci

_PG_FIXTURES = {"postgresql_url", "pg_db"}
_MARIADB_FIXTURES = {"mariadb_url", "maria_db"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests using a server fixture, so ``-m "not mariadb"`` etc. work."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & _PG_FIXTURES:
            item.add_marker(pytest.mark.postgresql)
        if names & _MARIADB_FIXTURES:
            item.add_marker(pytest.mark.mariadb)


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def _server(kind: str) -> Iterator[ServerDatabases]:
    servers = ServerDatabases(BACKENDS[kind])
    try:
        yield servers
    finally:
        errors = servers.close()
        if errors:
            # A leftover database is worth knowing about but must not fail the run.
            sys.stderr.write("\n".join(errors) + "\n")


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[ServerDatabases]:
    yield from _server("postgresql")


@pytest.fixture(scope="session")
def _mariadb_server() -> Iterator[ServerDatabases]:
    yield from _server("mariadb")


def _session_db(servers: ServerDatabases) -> str:
    reason = servers.unavailable()
    if reason:
        _unavailable(reason)
    return servers.new().render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgresql_url(_pg_server: ServerDatabases) -> str:
    """URL of a fresh PostgreSQL database owned by this worker, dropped at session end."""
    return _session_db(_pg_server)


@pytest.fixture(scope="session")
def mariadb_url(_mariadb_server: ServerDatabases) -> str:
    """URL of a fresh MariaDB database owned by this worker, dropped at session end."""
    return _session_db(_mariadb_server)


def _database_name(url: str) -> str:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    assert name, url
    return name


@pytest.fixture
def pg_db(postgresql_url: str, _pg_server: ServerDatabases) -> str:
    """The worker's PostgreSQL database, emptied (all schemas dropped) before the test."""
    clean_database(_pg_server.backend, _database_name(postgresql_url))
    return postgresql_url


@pytest.fixture
def maria_db(mariadb_url: str, _mariadb_server: ServerDatabases) -> str:
    """The worker's MariaDB database, emptied (dropped and recreated) before the test."""
    clean_database(_mariadb_server.backend, _database_name(mariadb_url))
    return mariadb_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh SQLite database file under tmp_path (created on first connect)."""
    return f"sqlite:///{tmp_path / 'test.db'}"


_DB_FIXTURE = {"sqlite": "sqlite_url", "postgresql": "pg_db", "mariadb": "maria_db"}


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgresql),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def db_url(request: pytest.FixtureRequest) -> str:
    """An empty database on each of SQLite, PostgreSQL and MariaDB (one test per kind)."""
    return request.getfixturevalue(_DB_FIXTURE[request.param])


def _find_alembic() -> Path | None:
    candidates = [
        Path(sysconfig.get_path("scripts")) / "alembic",
        Path(sys.prefix) / "bin" / "alembic",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    found = shutil.which("alembic")
    return Path(found) if found else None


@pytest.fixture(scope="session")
def alembic_oracle() -> Path:
    """Path of the real ``alembic`` executable (the test oracle) in this venv."""
    path = _find_alembic()
    try:
        import alembic  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        _unavailable(
            f"Alembic (the test oracle) is not installed for {sys.executable}; "
            "install the test extra: python -m pip install -e '.[test]'"
        )
    assert path is not None
    return path
