"""Fixtures for the autogenerate tests: one engine per backend and worker, emptied
before each test (much cheaper than a new database per test).

* ``ag_sqlite`` / ``ag_pg`` / ``ag_maria``: a SQLAlchemy ``Engine`` on an empty
  database (SQLite: a new file under tmp_path).
* ``ag_engine``: the same, parametrised over the three backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

_FIXTURE = {"sqlite": "ag_sqlite", "postgresql": "ag_pg", "mariadb": "ag_maria"}


@pytest.fixture(scope="session")
def _ag_pg_engine(postgresql_url: str) -> Iterator[Engine]:
    engine = sa.create_engine(postgresql_url, pool_size=2)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _ag_maria_engine(mariadb_url: str) -> Iterator[Engine]:
    engine = sa.create_engine(mariadb_url, pool_size=2)
    yield engine
    engine.dispose()


def _wipe_pg(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("SET lock_timeout = '10s'")
        schemas = conn.exec_driver_sql(
            "SELECT nspname FROM pg_namespace "
            "WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'"
        ).scalars()
        for schema in list(schemas):
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        conn.exec_driver_sql("CREATE SCHEMA public")


def _wipe_maria(engine: Engine) -> None:
    with engine.begin() as conn:
        names = conn.exec_driver_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        ).scalars()
        names = [f"`{n}`" for n in names]
        if names:
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
            conn.exec_driver_sql(f"DROP TABLE {', '.join(names)}")
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
        conn.exec_driver_sql("DROP DATABASE IF EXISTS ag_other")


@pytest.fixture
def ag_pg(_ag_pg_engine: Engine) -> Engine:
    _wipe_pg(_ag_pg_engine)
    return _ag_pg_engine


@pytest.fixture
def ag_maria(_ag_maria_engine: Engine) -> Engine:
    _wipe_maria(_ag_maria_engine)
    return _ag_maria_engine


@pytest.fixture
def ag_sqlite(tmp_path: Path) -> Iterator[Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ag.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgresql),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def ag_engine(request: pytest.FixtureRequest) -> Engine:
    return request.getfixturevalue(_FIXTURE[request.param])
