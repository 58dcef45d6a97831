"""Fixtures for the DDL tests: a live connection and our Impl on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from engine.ddl import DefaultImpl


@pytest.fixture
def conn(db_url: str) -> Iterator[sa.Connection]:
    """A connection in a transaction on a fresh database (SQLite, PostgreSQL, MariaDB)."""
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def make_impl(connection: sa.Connection) -> DefaultImpl:
    impl_cls = DefaultImpl.get_by_dialect(connection.dialect)
    return impl_cls(connection.dialect, connection, False, impl_cls.transactional_ddl, None, {})


@pytest.fixture
def impl(conn: sa.Connection) -> DefaultImpl:
    return make_impl(conn)
