"""Rendering hooks, imports, prefixes, and where we go past Alembic on purpose."""

from __future__ import annotations

import sys
import types

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

from engine.autogenerate.render import (
    RenderContext,
    _render_cmd_body,
    render_op_text,
    render_python_code,
    renderers,
)
from engine.operations import ops
from engine.runtime.migration import MigrationContext


def _ctx(dialect: str = "postgresql", **opts: object) -> RenderContext:
    return RenderContext(MigrationContext.configure(dialect_name=dialect), opts)


def _table_op(*cols: sa.Column) -> ops.CreateTableOp:
    return ops.CreateTableOp.from_table(sa.Table("t", sa.MetaData(), *cols))


def test_dialect_types_add_their_import_and_nested_types_get_a_prefix() -> None:
    ctx = _ctx("sqlite")
    text = render_op_text(
        ctx,
        _table_op(
            sa.Column("a", postgresql.ARRAY(sa.Integer)),
            sa.Column("b", postgresql.JSONB),
            sa.Column("c", mysql.SET("x", "y")),
        ),
    )
    # Alembic writes ARRAY(Integer()) here, which fails with NameError when run
    assert "postgresql.ARRAY(sa.Integer())" in text
    assert "postgresql.JSONB(astext_type=sa.Text())" in text
    assert ctx.imports == {
        "from sqlalchemy.dialects import postgresql",
        "from sqlalchemy.dialects import mysql",
    }


class Money(sa.types.TypeDecorator):
    impl = sa.Numeric
    cache_ok = True


def _user_type_module() -> type:
    module = types.ModuleType("myapp_types_for_render")
    money = type("Money", (Money,), {"__module__": module.__name__, "cache_ok": True})
    module.Money = money  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    return money


def test_user_types_with_and_without_user_module_prefix() -> None:
    money = _user_type_module()
    ctx = _ctx(user_module_prefix="mytypes.")
    text = render_op_text(ctx, ops.AddColumnOp("t", sa.Column("m", money(10, 2))))
    assert "sa.Column('m', mytypes.Money(precision=10, scale=2), nullable=True)" in text
    assert ctx.imports == set()
    ctx = _ctx()
    text = render_op_text(ctx, ops.AddColumnOp("t", sa.Column("m", money(10, 2))))
    assert "myapp_types_for_render.Money(precision=10, scale=2)" in text
    # beyond Alembic: the module is imported, so the script runs as written
    assert ctx.imports == {"import myapp_types_for_render"}


def test_enum_with_name_and_values() -> None:
    text = render_op_text(
        _ctx(), ops.AddColumnOp("t", sa.Column("e", sa.Enum("a", "b", name="ab")))
    )
    assert text == "op.add_column('t', sa.Column('e', sa.Enum('a', 'b', name='ab'), nullable=True))"


def test_render_item_hook_and_fallback() -> None:
    seen = []

    def render_item(type_, obj, autogen_context):
        seen.append(type_)
        if type_ == "type" and isinstance(obj, sa.Numeric):
            autogen_context.imports.add("from decimal import Decimal")
            return "MyNumeric()"
        return False

    up = ops.UpgradeOps(
        [
            ops.AddColumnOp("t", sa.Column("n", sa.Numeric(5))),
            ops.AddColumnOp("t", sa.Column("i", sa.Integer)),
        ]
    )
    text = render_python_code(up, render_item=render_item)
    assert "sa.Column('n', MyNumeric(), nullable=True)" in text
    assert "sa.Column('i', sa.Integer(), nullable=True)" in text
    assert {"type", "column"} <= set(seen)


def test_output_is_deterministic_whatever_the_constraint_order() -> None:
    def build(reverse: bool) -> str:
        items = [
            sa.UniqueConstraint("a", name="u1"),
            sa.UniqueConstraint("b", name="u2"),
            sa.CheckConstraint("a > 0", name="c1"),
        ]
        if reverse:
            items.reverse()
        t = sa.Table(
            "t", sa.MetaData(), sa.Column("a", sa.Integer), sa.Column("b", sa.Integer), *items
        )
        return render_python_code(ops.UpgradeOps([ops.CreateTableOp.from_table(t)]))

    assert build(False) == build(True) == build(False)


def test_ops_alembic_cannot_render() -> None:
    up = ops.UpgradeOps(
        [
            ops.RenameTableOp("old", "new", schema="s"),
            ops.CreatePrimaryKeyOp("pk_t", "t", ["a", "b"]),
            ops.ExecuteSQLOp(sa.text("UPDATE t SET a = 1")),
            ops.AlterColumnOp(
                "t", "a", modify_server_default=sa.text("now()"), postgresql_using="a::int"
            ),
        ]
    )
    assert render_python_code(up).splitlines()[1:-1] == [
        "    op.rename_table('old', 'new', schema='s')",
        "    op.create_primary_key('pk_t', 't', ['a', 'b'])",
        "    op.execute(sa.text('UPDATE t SET a = 1'))",
        "    op.alter_column('t', 'a',",
        "               server_default=sa.text('now()'),",
        "               postgresql_using='a::int')",
    ]


def test_column_level_check_constraint_is_kept() -> None:
    text = render_op_text(
        _ctx(), _table_op(sa.Column("q", sa.Integer, sa.CheckConstraint("q > 0", name="pos")))
    )
    assert (
        "sa.Column('q', sa.Integer(), sa.CheckConstraint('q > 0', name='pos'), nullable=True)"
        in text
    )


def test_batch_keeps_if_not_exists_and_positions() -> None:
    up = ops.UpgradeOps(
        [
            ops.ModifyTableOps(
                "t",
                [
                    ops.AddColumnOp(
                        "t", sa.Column("z", sa.Integer), if_not_exists=True, insert_before="a"
                    ),
                    ops.AlterColumnOp("t", "x", modify_nullable=True, insert_after="y"),
                ],
                schema="s",
            )
        ]
    )
    assert render_python_code(up, render_as_batch=True).splitlines()[1:-1] == [
        "    with op.batch_alter_table('t', schema='s') as batch_op:",
        "        batch_op.add_column(sa.Column('z', sa.Integer(), nullable=True), "
        "insert_before='a', if_not_exists=True)",
        "        batch_op.alter_column('x',",
        "               nullable=True,",
        "               insert_after='y')",
        "",
    ]


def test_custom_renderer_for_a_custom_operation() -> None:
    class CreateSequenceOp(ops.MigrateOperation):
        def __init__(self, name: str) -> None:
            self.name = name

    registry = renderers.branch()

    @registry.dispatch_for(CreateSequenceOp)
    def render_seq(autogen_context, op):
        return f"op.create_sequence({op.name!r})"

    ctx = _ctx()
    ctx.renderers = registry  # type: ignore[attr-defined]
    body = _render_cmd_body(ops.UpgradeOps([CreateSequenceOp("s1")]), ctx)
    assert body.splitlines()[1] == "op.create_sequence('s1')"


def test_rendered_script_runs_against_sqlite(tmp_path) -> None:
    """A rendered upgrade, executed through our op against a real database."""
    from engine.operations.base import Operations

    t = sa.Table(
        "acct",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), nullable=False, server_default="anon"),
        sa.Column("made", sa.DateTime, server_default=sa.func.now()),
        sa.UniqueConstraint("name", name="uq_acct_name"),
        sa.Index("ix_acct_made", "made"),
    )
    up = ops.UpgradeOps(
        [ops.CreateTableOp.from_table(t), *map(ops.CreateIndexOp.from_index, t.indexes)]
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    with engine.begin() as conn:
        context = MigrationContext.configure(connection=conn)
        code = "def upgrade():\n    " + render_python_code(up, migration_context=context)
        namespace: dict[str, object] = {"sa": sa}
        exec(code, namespace)
        with Operations.context(context) as operations:
            namespace["op"] = operations
            namespace["upgrade"]()  # type: ignore[operator]
        insp = sa.inspect(conn)
        assert [c["name"] for c in insp.get_columns("acct")] == ["id", "name", "made"]
        assert [i["name"] for i in insp.get_indexes("acct")] == ["ix_acct_made"]
    engine.dispose()
