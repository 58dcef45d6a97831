"""A script that raises part way. PostgreSQL: nothing of the failed step
remains. MariaDB (DDL commits by itself): the version table shows the last
step that completed. Our engine raises a MigrateError naming the revision."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.dbfixtures import BACKENDS, clean_database
from tests.directives.conftest import database_url
from tests.directives.corpus import dialect_params
from tests.directives.project import Revision, build_project
from tests.directives.reflect import assert_same_schema, connect, dump
from tests.directives.tools import ALEMBIC, Tool

FIRST, FAILING = "f1f1f1f1f1f1", "f2f2f2f2f2f2"

HISTORY = [
    Revision(
        FIRST,
        None,
        'op.create_table("t1", sa.Column("id", sa.Integer, primary_key=True))',
        'op.drop_table("t1")',
    ),
    Revision(
        FAILING,
        FIRST,
        """
        op.create_table("t2", sa.Column("id", sa.Integer, primary_key=True))
        op.execute("INSERT INTO t2 (id) VALUES (1)")
        raise RuntimeError("boom in the middle of the step")
        """,
        'op.drop_table("t2")',
    ),
]


def _upgrade_fails(tool: Tool, ini: Path) -> None:
    with pytest.raises(Exception) as info:
        tool.upgrade(ini, "head")
    if tool.name == "engine":
        from engine.errors import MigrateError

        assert isinstance(info.value, MigrateError), repr(info.value)
        assert FAILING in str(info.value)
        assert "boom in the middle of the step" in str(info.value) or isinstance(
            info.value.__cause__, RuntimeError
        )
    else:
        assert "boom in the middle of the step" in str(info.value)


@pytest.mark.postgresql
def test_postgresql_failed_step_rolls_back(tool: Tool, tmp_path: Path, request):
    url = database_url(request, "postgresql")
    ini = build_project(tmp_path / "proj", url, HISTORY)
    tool.upgrade(ini, FIRST)
    _upgrade_fails(tool, ini)
    with connect(url) as db:
        assert db.tables == {"alembic_version", "t1"}
        assert db.versions() == [FIRST]


@pytest.mark.postgresql
def test_postgresql_transaction_per_migration(tool: Tool, tmp_path: Path, request):
    url = database_url(request, "postgresql")
    ini = build_project(tmp_path / "proj", url, HISTORY, transaction_per_migration=True)
    _upgrade_fails(tool, ini)
    with connect(url) as db:
        assert db.tables == {"alembic_version", "t1"}
        assert db.versions() == [FIRST]


@pytest.mark.postgresql
def test_postgresql_one_transaction_for_the_run(tool: Tool, tmp_path: Path, request):
    """The generic env.py wraps the whole run in one transaction: as with Alembic,
    a failure in step two takes step one (and the version table) with it."""
    url = database_url(request, "postgresql")
    ini = build_project(tmp_path / "proj", url, HISTORY)
    _upgrade_fails(tool, ini)
    with connect(url) as db:
        assert db.tables == set()


@pytest.mark.mariadb
def test_mariadb_keeps_last_completed_step(tool: Tool, tmp_path: Path, request):
    url = database_url(request, "mariadb")
    ini = build_project(tmp_path / "proj", url, HISTORY)
    _upgrade_fails(tool, ini)
    with connect(url) as db:
        assert db.versions() == [FIRST]
        # DDL commits implicitly on MariaDB: the failed step's table stays, its
        # row (inserted after the implicit commit) is rolled back.
        assert db.tables == {"alembic_version", "t1", "t2"}
        assert db.rows("SELECT id FROM t2") == []


def _reset(url: str, dialect: str) -> None:
    """Empty the database again between the Alembic run and the tool's run."""
    if dialect == "sqlite":
        Path(make_url(url).database).unlink(missing_ok=True)
    else:
        clean_database(BACKENDS[dialect], make_url(url).database)


@pytest.mark.parametrize("per_migration", [False, True], ids=["one_transaction", "per_migration"])
@pytest.mark.parametrize("dialect", dialect_params())
def test_failure_leaves_what_alembic_leaves(
    dialect: str, per_migration: bool, tool: Tool, tmp_path: Path, request
):
    """Whatever each database keeps of a failed run (tables, rows, version rows),
    the tool under test keeps the same as Alembic."""
    url = database_url(request, dialect)
    ini = build_project(tmp_path / "proj", url, HISTORY, transaction_per_migration=per_migration)
    with pytest.raises(RuntimeError, match="boom"):
        ALEMBIC.upgrade(ini, "head")
    expected = dump(url)
    _reset(url, dialect)

    _upgrade_fails(tool, ini)
    assert_same_schema(dump(url), expected)
