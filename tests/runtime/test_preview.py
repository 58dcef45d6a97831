"""Plan previews: per-step SQL, operations, destructive and irreversible steps."""

from __future__ import annotations

import sqlalchemy as sa

from engine.operations import ops
from engine.operations.risk import findings_for, is_narrowing
from engine.preview import preview_plan
from tests.runtime.project import Rev, make_project, table_rev

HISTORY = [
    table_rev("a1", None),
    Rev(
        "b1",
        "a1",
        upgrade='op.add_column("t_a1", sa.Column("note", sa.String(200)))',
        downgrade='op.drop_column("t_a1", "note")',
    ),
    Rev(
        "c1",
        "b1",
        upgrade='op.alter_column("t_a1", "note", type_=sa.String(50), '
        "existing_type=sa.String(200))",
        downgrade='op.alter_column("t_a1", "note", type_=sa.String(200), '
        "existing_type=sa.String(50))",
    ),
    Rev("d1", "c1", upgrade="op.execute(\"UPDATE t_a1 SET note = 'x'\")", downgrade="pass"),
    Rev("e1", "d1", upgrade="pass", downgrade='raise NotImplementedError("one way only")'),
]


def test_downgrade_preview_flags_destructive_and_irreversible(tmp_path):
    # The database need not exist: previews run offline.
    project = make_project(tmp_path / "p", "postgresql+psycopg://u:pw@127.0.0.1:1/x", HISTORY)
    preview = preview_plan(project.config(), "downgrade", "a1", ("d1",))
    assert [s.revisions for s in preview.steps] == [("d1",), ("c1",), ("b1",)]
    d1, c1, b1 = preview.steps
    assert d1.irreversible and "does nothing" in d1.irreversible
    assert not c1.destructive and c1.statements == [
        "ALTER TABLE t_a1 ALTER COLUMN note TYPE VARCHAR(200)"
    ]
    assert b1.destructive and "drops column t_a1.note" in b1.findings[0].message
    assert isinstance(b1.operations[0], ops.DropColumnOp)
    assert "ALTER TABLE t_a1 DROP COLUMN note" in preview.sql
    assert preview.destructive and preview.error is None


def test_upgrade_preview_flags_narrowing_and_raw_sql(tmp_path):
    project = make_project(tmp_path / "p", "sqlite:///x.db", HISTORY)
    preview = preview_plan(project.config(), "upgrade", "d1", ("b1",))
    c1, d1 = preview.steps
    assert [f.severity for f in c1.findings] == ["destructive"]
    assert "narrows t_a1.note from VARCHAR(200) to VARCHAR(50)" in c1.findings[0].message
    assert [f.severity for f in d1.findings] == ["caution"]


def test_preview_stops_at_a_step_that_raises(tmp_path):
    project = make_project(tmp_path / "p", "sqlite:///x.db", HISTORY)
    preview = preview_plan(project.config(), "downgrade", "c1", ("e1",))
    assert preview.steps[0].irreversible == "raises: NotImplementedError: one way only"
    assert preview.error and "e1" in preview.error


def test_narrowing_rules():
    assert is_narrowing(sa.String(100), sa.String(20)) is True
    assert is_narrowing(sa.String(20), sa.String(100)) is False
    assert is_narrowing(sa.Text(), sa.String(20)) is True
    assert is_narrowing(sa.BigInteger(), sa.Integer()) is True
    assert is_narrowing(sa.Integer(), sa.BigInteger()) is False
    assert is_narrowing(sa.Numeric(10, 2), sa.Numeric(8, 2)) is True
    assert is_narrowing(sa.Float(), sa.Integer()) is True
    assert is_narrowing(None, sa.Integer()) is None
    assert is_narrowing(sa.Integer, sa.Integer) is False


def test_findings_for_containers():
    container = ops.UpgradeOps(ops=[ops.DropTableOp("users"), ops.CreateIndexOp("ix", "t", ["a"])])
    assert [f.message for f in findings_for(container)] == ["drops table users and all its rows"]


def test_empty_downgrade_of_a_merge_is_not_irreversible(tmp_path):
    project = make_project(
        tmp_path / "p",
        "sqlite:///x.db",
        [
            table_rev("a1", None),
            table_rev("b1", "a1"),
            table_rev("c1", "a1"),
            Rev("m1", ("b1", "c1"), upgrade="pass", downgrade="pass", message="merge"),
        ],
    )
    preview = preview_plan(project.config(), "downgrade", "b1", ("m1",))
    merge = preview.steps[0]
    assert merge.revisions == ("m1",) and merge.irreversible is None
