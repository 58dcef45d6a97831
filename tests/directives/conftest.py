"""Fixtures of the directive corpus: the tool under test and a database per dialect."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from tests.directives.tools import Tool, subject

_DB_FIXTURE = {"sqlite": "sqlite_url", "postgresql": "pg_db", "mariadb": "maria_db"}

# Offline runs never connect; the URL only picks the dialect.
OFFLINE_URLS = {
    "sqlite": "sqlite:///offline.db",
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/offline",
    # The fixtures' URL says mysql+pymysql (the server is detected as MariaDB
    # only once connected); offline, the mariadb+pymysql URL picks SQLAlchemy's
    # MariaDB dialect, so both spellings are compared.
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/offline",
    "mariadb": "mariadb+pymysql://root@127.0.0.1:3306/offline",
}

_ASYNC_DRIVERS = {
    "sqlite": ("sqlite:", "sqlite+aiosqlite:"),
    "postgresql": ("postgresql+psycopg:", "postgresql+asyncpg:"),
}


@pytest.fixture(scope="session")
def tool() -> Tool:
    return subject()


# Loopback servers need no TLS, and asking for it is slow: PyMySQL 1.2 builds a
# fresh SSL context (loading the system CA store, ~90 ms) on every connect in its
# default "preferred" mode, which more than doubled the time of each command.
_NO_TLS = {"postgresql": {"sslmode": "disable"}, "mariadb": {"ssl_disabled": "true"}}


def database_url(request: pytest.FixtureRequest, dialect: str, *, env: str = "generic") -> str:
    """An empty database of ``dialect`` (from the shared fixtures)."""
    url = request.getfixturevalue(_DB_FIXTURE[dialect])
    if dialect in _NO_TLS and env != "async":
        url = (
            make_url(url).update_query_dict(_NO_TLS[dialect]).render_as_string(hide_password=False)
        )
    if env == "async":
        # asyncpg takes no libpq options such as sslmode.
        url = (
            make_url(url).difference_update_query(["sslmode"]).render_as_string(hide_password=False)
        )
        sync, async_ = _ASYNC_DRIVERS[dialect]
        assert url.startswith(sync), url
        url = async_ + url[len(sync) :]
    return url
