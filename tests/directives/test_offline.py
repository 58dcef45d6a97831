"""Every corpus case offline: ``upgrade head --sql`` and ``downgrade head:base
--sql`` from the tool under test must equal Alembic's (whitespace aside)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.directives.case import Case
from tests.directives.conftest import OFFLINE_URLS
from tests.directives.corpus import offline_params
from tests.directives.project import build_project
from tests.directives.tools import ALEMBIC, Tool, normalise_sql


@pytest.mark.parametrize(("case", "dialect"), offline_params())
def test_case_offline(case: Case, dialect: str, tool: Tool, tmp_path: Path) -> None:
    ini = build_project(tmp_path / "proj", OFFLINE_URLS[dialect], case.revisions(), env=case.env)

    expected_up = ALEMBIC.upgrade_sql(ini)
    expected_down = ALEMBIC.downgrade_sql(ini)
    assert "CREATE TABLE alembic_version" in expected_up  # the oracle really ran

    assert normalise_sql(tool.upgrade_sql(ini)) == normalise_sql(expected_up)
    assert normalise_sql(tool.downgrade_sql(ini)) == normalise_sql(expected_down)
