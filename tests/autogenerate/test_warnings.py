"""Warnings for changes that fail or hurt on a table with rows
(engine.autogenerate.risks), on SQLite, PostgreSQL and MariaDB: found by the
comparison, written as ``# WARNING:`` comments into the revision, printed by
``revision --autogenerate`` and listed by ``check`` after the differences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from engine import commands
from engine.autogenerate.api import produce_migrations
from engine.autogenerate.risks import RiskWarning, pg_type_change_rewrites, script_warnings
from engine.runtime.migration import MigrationContext
from tests.autogenerate.commands_project import ag_project, set_models
from tests.cli_helpers import ours

BASE = """
t = sa.Table("t", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(40)),
    sa.Column("n", sa.Integer),
)
"""


def _metadata(models: str) -> sa.MetaData:
    namespace: dict[str, Any] = {"sa": sa, "metadata": sa.MetaData()}
    exec(models, namespace)
    return namespace["metadata"]


def _warnings(engine: Engine, models: str) -> list[RiskWarning]:
    _metadata(BASE).create_all(engine)
    with engine.connect() as conn:
        script = produce_migrations(MigrationContext.configure(connection=conn), _metadata(models))
    return script_warnings(script)


def _with(*extra: str, replace: tuple[str, str] | None = None) -> str:
    text = BASE
    if replace:
        text = text.replace(*replace)
    return text.replace("\n)\n", "".join(f"\n    {e}," for e in extra) + "\n)\n", 1)


# ------------------------------------------------------------------ detection


def test_not_null_column_without_server_default(ag_engine: Engine) -> None:
    found = _warnings(ag_engine, _with('sa.Column("req", sa.Integer, nullable=False)'))
    assert found == [
        RiskWarning(
            "not_null_without_default",
            None,
            "t",
            "req",
            "adding NOT NULL column t.req without a server default fails when t has rows",
        )
    ]


def test_not_null_with_server_default_or_nullable_is_fine(ag_engine: Engine) -> None:
    models = _with(
        'sa.Column("req", sa.Integer, nullable=False, server_default="0")',
        'sa.Column("opt", sa.Integer)',
    )
    assert _warnings(ag_engine, models) == []


def test_a_new_table_has_no_rows_to_worry_about(ag_engine: Engine) -> None:
    models = BASE + (
        'u = sa.Table("u", metadata, sa.Column("id", sa.Integer, primary_key=True),\n'
        '    sa.Column("req", sa.String(10), nullable=False, unique=True))\n'
    )
    assert _warnings(ag_engine, models) == []


def test_unique_constraint_on_an_existing_column(ag_engine: Engine) -> None:
    models = _with(replace=("sa.String(40))", "sa.String(40), unique=True)"))
    found = _warnings(ag_engine, models)
    assert [(w.kind, w.table, w.column) for w in found] == [("unique_on_existing", "t", "email")]
    assert found[0].message == (
        "adding unique constraint on t (email) fails if existing rows hold duplicate values"
    )


def test_unique_index_on_an_existing_column(ag_engine: Engine) -> None:
    models = BASE + 'sa.Index("ix_t_n", t.c.n, unique=True)\n'
    found = _warnings(ag_engine, models)
    assert [(w.kind, w.column) for w in found] == [("unique_on_existing", "n")]
    assert found[0].message == (
        "adding unique index ix_t_n on t (n) fails if existing rows hold duplicate values"
    )


def test_unique_on_a_column_added_in_the_same_revision(ag_engine: Engine) -> None:
    models = _with('sa.Column("code", sa.String(10), unique=True)')
    assert _warnings(ag_engine, models) == []


def test_type_change_that_rewrites_the_table(ag_engine: Engine) -> None:
    found = _warnings(ag_engine, _with(replace=('"n", sa.Integer', '"n", sa.BigInteger')))
    assert [(w.kind, w.table, w.column) for w in found] == [("table_rewrite", "t", "n")]
    message = found[0].message
    assert message.startswith("changing the type of t.n from INT")
    assert "to BIGINT" in message
    expected = {
        "postgresql": "rewrites the whole table on PostgreSQL",
        "mysql": "(ALTER TABLE ... MODIFY) copies the whole table on MySQL/MariaDB",
        "mariadb": "(ALTER TABLE ... MODIFY) copies the whole table on MySQL/MariaDB",
        "sqlite": "needs batch mode on SQLite, which copies the whole table",
    }[ag_engine.dialect.name]
    assert expected in message


def test_varchar_widening(ag_engine: Engine) -> None:
    found = _warnings(ag_engine, _with(replace=("sa.String(40)", "sa.String(80)")))
    if ag_engine.dialect.name == "postgresql":
        assert found == []  # a catalog change only
    else:
        assert [w.kind for w in found] == ["table_rewrite"]


def test_varchar_narrowing_on_postgresql(ag_pg: Engine) -> None:
    found = _warnings(ag_pg, _with(replace=("sa.String(40)", "sa.String(20)")))
    assert [w.message for w in found] == [
        "changing the type of t.email from VARCHAR(40) to VARCHAR(20) rewrites the whole "
        "table on PostgreSQL, locking it while it runs"
    ]


@pytest.mark.parametrize(
    ("old", "new", "rewrites"),
    [
        ("VARCHAR(20)", "VARCHAR(40)", False),
        ("VARCHAR(40)", "VARCHAR(20)", True),
        ("VARCHAR(20)", "TEXT", False),
        ("CHARACTER VARYING(20)", "VARCHAR", False),
        ("TEXT", "VARCHAR(20)", True),
        ("TEXT", "VARCHAR", False),
        ("NUMERIC(10, 2)", "NUMERIC(12, 2)", False),
        ("NUMERIC(10, 2)", "NUMERIC(12, 3)", True),
        ("NUMERIC(10, 2)", "NUMERIC", False),
        ("INTEGER", "BIGINT", True),
        ("INTEGER", "VARCHAR(10)", True),
        ("TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP WITH TIME ZONE", True),
    ],
)
def test_pg_type_change_rewrites(old: str, new: str, rewrites: bool) -> None:
    assert pg_type_change_rewrites(old, new) is rewrites


# ------------------------------------------------------------------ revision / check

V1 = """
person = sa.Table("person", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(40)),
)
"""

V2 = """
person = sa.Table("person", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(40), unique=True),
    sa.Column("age", sa.Integer, nullable=False),
)
"""


def _project(tmp_path: Path, url: str, configure: str = "") -> Any:
    project = ag_project(tmp_path / "p", url, V1)
    commands.revision(project.config(), "v1", autogenerate=True, rev_id="r1")
    commands.upgrade(project.config(), "head")
    set_models(project, V2 + configure)
    return project


def test_revision_writes_warning_comments_above_the_ops(tmp_path: Path, ag_pg: Engine) -> None:
    project = _project(tmp_path, ag_pg.url.render_as_string(hide_password=False))
    reported: list[RiskWarning] = []
    script = commands.revision(
        project.config(), "v2", autogenerate=True, rev_id="r2", on_warning=reported.append
    )
    assert [w.kind for w in reported] == ["not_null_without_default", "unique_on_existing"]
    text = Path(script.path).read_text()
    upgrade = text.split("def upgrade()")[1].split("def downgrade()")[0]
    assert (
        "    # WARNING: adding NOT NULL column person.age without a server default fails when "
        "person has rows\n"
        "    op.add_column('person', sa.Column('age', sa.Integer(), nullable=False))\n"
    ) in upgrade
    assert (
        "    # WARNING: adding unique constraint on person (name) fails if existing rows hold "
        "duplicate values\n"
        "    op.create_unique_constraint(None, 'person', ['name'])\n"
    ) in upgrade
    assert "WARNING" not in text.split("def downgrade()")[1]

    # the warning is true: with a row in the table, the upgrade fails ...
    engine = ag_pg
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO person (id, name) VALUES (1, 'ann')")
    with pytest.raises(Exception, match="(?i)null"):
        commands.upgrade(project.config(), "head")
    # ... and on an empty table it runs
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM person")
    commands.upgrade(project.config(), "head")


def test_warning_comments_in_batch_mode(tmp_path: Path, sqlite_url: str) -> None:
    project = _project(tmp_path, sqlite_url, 'configure = {"render_as_batch": True}\n')
    script = commands.revision(project.config(), "v2", autogenerate=True, rev_id="r2")
    text = Path(script.path).read_text()
    assert (
        "    with op.batch_alter_table('person', schema=None) as batch_op:\n"
        "        # WARNING: adding NOT NULL column person.age without a server default fails "
        "when person has rows\n"
        "        batch_op.add_column(sa.Column('age', sa.Integer(), nullable=False))\n"
    ) in text
    compile(text, script.path, "exec")
    commands.upgrade(project.config(), "head")  # the table is empty: it runs


def test_warnings_follow_process_revision_directives(tmp_path: Path, sqlite_url: str) -> None:
    hook = """
from alembic.operations import ops as _ops

def _no_new_columns(context, revision, directives):
    for table_ops in directives[0].upgrade_ops.ops:
        table_ops.ops[:] = [o for o in table_ops.ops if not isinstance(o, _ops.AddColumnOp)]

configure = {"process_revision_directives": _no_new_columns}
"""
    project = _project(tmp_path, sqlite_url, hook)
    reported: list[RiskWarning] = []
    script = commands.revision(
        project.config(), "v2", autogenerate=True, rev_id="r2", on_warning=reported.append
    )
    assert [w.kind for w in reported] == ["unique_on_existing"]
    text = Path(script.path).read_text()
    assert "add_column" not in text and "NOT NULL" not in text
    assert "# WARNING: adding unique constraint on person (name)" in text


def test_cli_check_lists_warnings_after_the_differences(tmp_path: Path, sqlite_url: str) -> None:
    project = _project(tmp_path, sqlite_url)
    code, out, err = ours(project.root, "check")
    assert code == 1
    assert out.splitlines() == [
        "add column person.age (INTEGER)",
        "add unique constraint None on person (name)",
        "WARNING: adding NOT NULL column person.age without a server default fails when "
        "person has rows",
        "WARNING: adding unique constraint on person (name) fails if existing rows hold "
        "duplicate values",
    ]
    assert "New upgrade operations detected: 2 differences" in err


def test_cli_revision_prints_warnings_on_stderr(tmp_path: Path, sqlite_url: str) -> None:
    project = _project(tmp_path, sqlite_url)
    code, out, err = ours(project.root, "revision", "--autogenerate", "-m", "v2")
    assert code == 0, err
    assert "Generating" in out and "WARNING" not in out
    assert err.splitlines() == [
        "WARNING: adding NOT NULL column person.age without a server default fails when "
        "person has rows",
        "WARNING: adding unique constraint on person (name) fails if existing rows hold "
        "duplicate values",
    ]
