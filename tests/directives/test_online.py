"""Every corpus case online: upgrade with the tool under test, check by
reflection, downgrade, check again, down to base."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.directives.case import CASE_REV, Case
from tests.directives.conftest import database_url
from tests.directives.corpus import online_params
from tests.directives.project import build_project
from tests.directives.reflect import assert_same_schema, connect, dump
from tests.directives.tools import Tool


def _without_rows(schema: dict) -> dict:
    return {
        t: {k: v for k, v in e.items() if k != "rows" or t == "alembic_version"}
        for t, e in schema.items()
    }


@pytest.mark.parametrize(("case", "dialect"), online_params())
def test_case_online(
    case: Case, dialect: str, tool: Tool, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = database_url(request, dialect, env=case.env)
    ini = build_project(tmp_path / "proj", url, case.revisions(), env=case.env)

    if case.first_rev:
        tool.upgrade(ini, case.first_rev)
    before = dump(url)

    tool.upgrade(ini, "head")
    with connect(url) as db:
        assert db.versions() == [CASE_REV]
        case.check_up(db)

    tool.downgrade(ini, case.first_rev or "base")
    if not case.first_rev:
        pass  # back to an empty database: checked below, after "downgrade base"
    elif case.check_down is not None:
        with connect(url) as db:
            case.check_down(db)
    elif case.down_data:
        assert_same_schema(dump(url), before)
    else:
        assert_same_schema(_without_rows(dump(url)), _without_rows(before))

    tool.downgrade(ini, "base")
    with connect(url) as db:
        assert db.tables == {"alembic_version"}
        assert db.versions() == []
