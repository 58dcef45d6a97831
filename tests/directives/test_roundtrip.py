"""Round trips: base -> head -> base -> head leaves the same schema, rows and
version table as the first head."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.directives.conftest import database_url
from tests.directives.corpus import dialect_params
from tests.directives.histories import LINEAR_IDS, linear_history
from tests.directives.project import build_project
from tests.directives.reflect import assert_same_schema, connect, dump
from tests.directives.tools import Tool


@pytest.mark.parametrize("dialect", dialect_params())
def test_round_trip(dialect: str, tool: Tool, tmp_path: Path, request: pytest.FixtureRequest):
    url = database_url(request, dialect)
    ini = build_project(tmp_path / "proj", url, linear_history())

    tool.upgrade(ini, "head")
    first = dump(url)
    assert first["alembic_version"]["rows"] == [(repr(LINEAR_IDS[-1]),)]
    assert {"users", "posts", "tags"} <= set(first)

    tool.downgrade(ini, "base")
    with connect(url) as db:
        assert db.tables == {"alembic_version"}
        assert db.versions() == []

    tool.upgrade(ini, "head")
    assert_same_schema(dump(url), first)
