"""``Rewriter``: the documented recipes, chaining, traversal rules."""

from __future__ import annotations

import warnings

import pytest
import sqlalchemy as sa

from engine.autogenerate.render import render_python_code
from engine.autogenerate.rewriter import Rewriter
from engine.errors import CommandError
from engine.operations import ops


def _script(*upgrade: ops.MigrateOperation) -> ops.MigrationScript:
    up = ops.UpgradeOps(list(upgrade))
    return ops.MigrationScript("abc", up, up.reverse())


def test_documented_add_column_recipe() -> None:
    writer = Rewriter()

    @writer.rewrites(ops.AddColumnOp)
    def add_column(context, revision, op):
        if op.column.nullable:
            return op
        op.column.nullable = True
        return [
            op,
            ops.AlterColumnOp(
                op.table_name,
                op.column.name,
                modify_nullable=False,
                existing_type=op.column.type,
            ),
        ]

    directives = [
        _script(
            ops.ModifyTableOps(
                "t",
                [
                    ops.AddColumnOp("t", sa.Column("a", sa.Integer, nullable=False)),
                    ops.AddColumnOp("t", sa.Column("b", sa.Integer)),
                ],
            )
        )
    ]
    writer(None, ("rev",), directives)
    text = render_python_code(directives[0].upgrade_ops)
    assert text.splitlines()[1:-1] == [
        "    op.add_column('t', sa.Column('a', sa.Integer(), nullable=True))",
        "    op.alter_column('t', 'a',",
        "               existing_type=sa.Integer(),",
        "               nullable=False)",
        "    op.add_column('t', sa.Column('b', sa.Integer(), nullable=True))",
    ]
    # running the hook again (several databases in one env.py) changes nothing more
    writer(None, ("rev",), directives)
    assert render_python_code(directives[0].upgrade_ops) == text


def test_column_order_recipe_with_documented_copy() -> None:
    writer = Rewriter()

    @writer.rewrites(ops.CreateTableOp)
    def order_columns(context, revision, op):
        special_names = {"id": -100, "created_at": 1001, "updated_at": 1002}
        cols_by_key = [
            (special_names.get(col.key, index) if isinstance(col, sa.Column) else 2000, col.copy())
            for index, col in enumerate(op.columns)
        ]
        columns = [col for idx, col in sorted(cols_by_key, key=lambda entry: entry[0])]
        return ops.CreateTableOp(op.table_name, columns, schema=op.schema, **op.kw)

    t = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("created_at", sa.DateTime),
        sa.Column("name", sa.String(10), unique=True),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("updated_at", sa.DateTime),
        sa.Column("x", sa.Integer),
    )
    directives = [_script(ops.CreateTableOp.from_table(t))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Column.copy() is deprecated in SQLAlchemy 2
        writer(None, (), directives)
    lines = render_python_code(directives[0].upgrade_ops).splitlines()
    assert lines[1:9] == [
        "    op.create_table('t',",
        "    sa.Column('id', sa.Integer(), nullable=False),",
        "    sa.Column('name', sa.String(length=10), nullable=True),",
        "    sa.Column('x', sa.Integer(), nullable=True),",
        "    sa.Column('created_at', sa.DateTime(), nullable=True),",
        "    sa.Column('updated_at', sa.DateTime(), nullable=True),",
        "    sa.PrimaryKeyConstraint('id'),",
        "    sa.UniqueConstraint('name')",
    ]


def test_chain_runs_both_in_order_and_accepts_plain_callables() -> None:
    calls: list[str] = []
    first, second = Rewriter(), Rewriter()

    @first.rewrites(ops.DropColumnOp)
    def keep(context, revision, op):
        calls.append("first")
        return ops.AlterColumnOp(op.table_name, op.column_name, modify_name=f"del_{op.column_name}")

    @second.rewrites(ops.AlterColumnOp)
    def note(context, revision, op):
        calls.append("second")
        op.modify_comment = "renamed"
        return op

    def plain(context, revision, directives):
        calls.append("plain")

    col = sa.Column("old", sa.Integer)
    drop = ops.DropColumnOp.from_column_and_tablename(None, "t", col)
    directives = [_script(ops.ModifyTableOps("t", [drop]))]
    first.chain(second).chain(plain)(None, (), directives)
    assert calls == ["first", "second", "plain"]
    text = render_python_code(directives[0].upgrade_ops)
    assert "op.alter_column('t', 'old',\n" in text
    assert "new_column_name='del_old'" in text and "comment='renamed'" in text
    # chain() returned new rewriters: the originals are unchanged
    assert first._chained == () and second._chained == ()


def test_containers_and_scripts_can_be_rewritten() -> None:
    writer = Rewriter()

    @writer.rewrites(ops.MigrationScript)
    def split(context, revision, script):
        other = ops.MigrationScript("def", ops.UpgradeOps([]), ops.DowngradeOps([]))
        return [script, other]

    @writer.rewrites(ops.ModifyTableOps)
    def only_t(context, revision, op):
        return op if op.table_name == "t" else []

    @writer.rewrites(ops.AddColumnOp)
    def untouched(context, revision, op):
        return None  # keep as is

    directives = [
        _script(
            ops.ModifyTableOps("t", [ops.AddColumnOp("t", sa.Column("a", sa.Integer))]),
            ops.ModifyTableOps("u", [ops.AddColumnOp("u", sa.Column("b", sa.Integer))]),
        )
    ]
    writer(None, (), directives)
    assert [d.rev_id for d in directives] == ["abc", "def"]
    up = directives[0].upgrade_ops
    assert [m.table_name for m in up.ops] == ["t"]
    assert [o.column.name for o in up.ops[0].ops] == ["a"]


def test_upgrade_ops_rewrite_must_return_one() -> None:
    writer = Rewriter()

    @writer.rewrites(ops.UpgradeOps)
    def bad(context, revision, op):
        return [op, op]

    with pytest.raises(CommandError, match="exactly one UpgradeOps"):
        writer(None, (), [_script()])
