"""Interop: part of a history run by the tool under test and the rest by
Alembic (both ways round, up and down); the database must end up exactly as
with Alembic alone. A branched history moves version rows by INSERT, UPDATE
and DELETE across the two tools."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.directives.conftest import database_url
from tests.directives.corpus import dialect_params
from tests.directives.histories import (
    BRANCH_WALK,
    MIDDLE,
    branched_history,
    linear_history,
)
from tests.directives.project import build_project
from tests.directives.reflect import assert_same_schema, dump
from tests.directives.tools import ALEMBIC, Tool


def _run(tool: Tool, ini: Path, command: str, target: str) -> None:
    getattr(tool, command)(ini, target)


@pytest.mark.parametrize("dialect", dialect_params())
def test_linear_interop(dialect: str, tool: Tool, tmp_path: Path, request: pytest.FixtureRequest):
    url = database_url(request, dialect)
    ini = build_project(tmp_path / "proj", url, linear_history())

    # Alembic alone: the reference states.
    ALEMBIC.upgrade(ini, MIDDLE)
    at_middle = dump(url)
    ALEMBIC.upgrade(ini, "head")
    at_head = dump(url)
    ALEMBIC.downgrade(ini, "base")
    at_base = dump(url)

    for first, second in ((tool, ALEMBIC), (ALEMBIC, tool)):
        first.upgrade(ini, MIDDLE)
        assert_same_schema(dump(url), at_middle, f"{first.name} upgrade {MIDDLE}")
        second.upgrade(ini, "head")
        assert_same_schema(dump(url), at_head, f"then {second.name} upgrade head")
        first.downgrade(ini, MIDDLE)
        assert_same_schema(dump(url), at_middle, f"then {first.name} downgrade {MIDDLE}")
        second.downgrade(ini, "base")
        assert_same_schema(dump(url), at_base, f"then {second.name} downgrade base")


@pytest.mark.parametrize("dialect", dialect_params())
def test_branched_interop(dialect: str, tool: Tool, tmp_path: Path, request: pytest.FixtureRequest):
    url = database_url(request, dialect)
    ini = build_project(tmp_path / "proj", url, branched_history())

    reference = []
    for command, target in BRANCH_WALK:
        _run(ALEMBIC, ini, command, target)
        reference.append(dump(url))

    for start in (0, 1):  # the tool under test takes the even steps, then the odd ones
        for i, (command, target) in enumerate(BRANCH_WALK):
            runner = tool if (i + start) % 2 == 0 else ALEMBIC
            _run(runner, ini, command, target)
            assert_same_schema(
                dump(url), reference[i], f"step {i}: {runner.name} {command} {target}"
            )
