"""The extension API, exercised with the "Replaceable Objects" recipe of Alembic's
cookbook: CREATE VIEW / DROP VIEW operations registered on Operations, each the
reverse of the other, run offline and against real databases."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from engine.compat import _proxy, op_proxy
from engine.errors import CommandError
from engine.operations import MigrateOperation, Operations
from engine.operations.base import _IMPLEMENTATIONS
from engine.runtime.migration import MigrationContext


class ReplaceableObject:
    def __init__(self, name: str, sqltext: str) -> None:
        self.name = name
        self.sqltext = sqltext


class ReversibleOp(MigrateOperation):
    def __init__(self, target: ReplaceableObject) -> None:
        self.target = target

    @classmethod
    def invoke_for_target(cls, operations: Any, target: ReplaceableObject) -> Any:
        return operations.invoke(cls(target))


class CreateViewOp(ReversibleOp):
    def reverse(self) -> DropViewOp:
        return DropViewOp(self.target)


class DropViewOp(ReversibleOp):
    def reverse(self) -> CreateViewOp:
        return CreateViewOp(self.target)


class CreateTempViewOp(CreateViewOp):
    """No implementation of its own: invoke() finds CreateViewOp's through the MRO."""


def create_view(operations: Any, operation: CreateViewOp) -> None:
    operations.execute(f"CREATE VIEW {operation.target.name} AS {operation.target.sqltext}")


def drop_view(operations: Any, operation: DropViewOp) -> None:
    operations.execute(f"DROP VIEW {operation.target.name}")


@pytest.fixture
def view_ops() -> Iterator[None]:
    Operations.register_operation("create_view", "invoke_for_target")(CreateViewOp)
    Operations.register_operation("drop_view", "invoke_for_target")(DropViewOp)
    Operations.implementation_for(CreateViewOp)(create_view)
    Operations.implementation_for(DropViewOp)(drop_view)
    try:
        yield
    finally:
        for name in ("create_view", "drop_view"):
            delattr(Operations, name)
        for cls in (CreateViewOp, DropViewOp):
            _IMPLEMENTATIONS.pop(cls, None)


VIEW = ReplaceableObject("big_orders", "SELECT id, amount FROM orders WHERE amount > 10")


def test_registered_directive_has_the_source_signature(view_ops: None) -> None:
    import inspect

    assert list(inspect.signature(Operations.create_view).parameters) == ["self", "target"]


def test_offline_create_and_reverse(view_ops: None) -> None:
    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buf}
    )
    op = Operations(ctx)
    op.create_view(VIEW)
    op.invoke(CreateViewOp(VIEW).reverse())
    op.invoke(CreateTempViewOp(VIEW))
    assert buf.getvalue().split(";\n\n") == [
        f"CREATE VIEW big_orders AS {VIEW.sqltext}",
        "DROP VIEW big_orders",
        f"CREATE VIEW big_orders AS {VIEW.sqltext}",
        "",
    ]


def _view_names(conn: sa.Connection) -> list[str]:
    return sa.inspect(conn).get_view_names()


def test_online_views_through_the_op_proxy(view_ops: None, db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            ctx = MigrationContext.configure(connection=conn)
            with Operations.context(ctx) as op:
                op.create_table(
                    "orders",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("amount", sa.Integer),
                )
                op.bulk_insert(
                    sa.table("orders", sa.column("id"), sa.column("amount")),
                    [{"id": 1, "amount": 5}, {"id": 2, "amount": 50}],
                )
                # what `from alembic import op; op.create_view(...)` reaches in a script
                op_proxy.create_view(VIEW)
                assert op_proxy.get_bind() is conn
                rows = conn.execute(sa.text("SELECT id, amount FROM big_orders")).all()
                assert [tuple(r) for r in rows] == [(2, 50)]
                assert _view_names(conn) == ["big_orders"]
                op.invoke(CreateViewOp(VIEW).reverse())
                assert _view_names(conn) == []
    finally:
        engine.dispose()


def test_context_installs_and_restores_op(view_ops: None) -> None:
    ctx_a = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": io.StringIO()}
    )
    ctx_b = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": io.StringIO()}
    )
    with Operations.context(ctx_a) as outer:
        assert op_proxy.get_context() is ctx_a
        with Operations.context(ctx_b):
            assert op_proxy.get_context() is ctx_b
        assert op_proxy.get_context() is ctx_a
        assert outer.get_context() is ctx_a
    assert getattr(_proxy._local, "op", None) is None
    with pytest.raises(CommandError, match="only available while a migration runs"):
        op_proxy.create_view(VIEW)


def test_duplicate_implementation_needs_replace(view_ops: None) -> None:
    with pytest.raises(CommandError, match="already registered"):
        Operations.implementation_for(CreateViewOp)(drop_view)
    Operations.implementation_for(CreateViewOp, replace=True)(create_view)


def test_invoke_without_implementation_is_a_command_error() -> None:
    ctx = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": io.StringIO()}
    )
    with pytest.raises(CommandError, match="No implementation is registered for DropViewOp"):
        Operations(ctx).invoke(DropViewOp(VIEW))


def test_register_operation_needs_the_source_classmethod() -> None:
    class Nothing(MigrateOperation):
        pass

    with pytest.raises(CommandError, match="no classmethod 'make'"):
        Operations.register_operation("make_nothing", "make")(Nothing)
    assert not hasattr(Operations, "make_nothing")


def test_module_class_proxy_forwards_to_the_installed_op(view_ops: None) -> None:
    namespace: dict[str, Any] = {}
    Operations.create_module_class_proxy(namespace, namespace)
    assert {"add_column", "create_view", "execute", "f"} <= set(namespace)
    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": buf}
    )
    with Operations.context(ctx):
        namespace["create_view"](VIEW)
        namespace["drop_table"]("t")
    assert buf.getvalue().split(";\n\n")[:2] == [
        f"CREATE VIEW big_orders AS {VIEW.sqltext}",
        "DROP TABLE t",
    ]


def test_the_same_definition_registered_again_replaces_quietly(view_ops: None) -> None:
    """env.py run again in one process (the TUI) defines its implementation again."""
    source = (
        "def create_view(operations, operation):\n"
        "    operations.execute('CREATE VIEW ' + operation.target.name + ' AS SELECT 2')\n"
    )
    first: dict[str, Any] = {}
    exec(compile(source, "/project/migrations/env.py", "exec"), first)
    Operations.implementation_for(CreateViewOp, replace=True)(first["create_view"])
    again: dict[str, Any] = {}
    exec(compile(source, "/project/migrations/env.py", "exec"), again)
    Operations.implementation_for(CreateViewOp)(again["create_view"])
    assert _IMPLEMENTATIONS[CreateViewOp] is again["create_view"]
    # the same name from another file is still a conflict
    other: dict[str, Any] = {}
    exec(compile(source, "/elsewhere/plugin.py", "exec"), other)
    with pytest.raises(CommandError, match="already registered"):
        Operations.implementation_for(CreateViewOp)(other["create_view"])


_VIEW_OPS_MODULE = """
from alembic.operations import MigrateOperation, Operations


@Operations.register_operation("create_marker_view")
class CreateMarkerViewOp(MigrateOperation):
    def __init__(self, name):
        self.name = name

    @classmethod
    def create_marker_view(cls, operations, name):
        return operations.invoke(cls(name))

    def reverse(self):
        return None
"""

_ENV_REGISTERING = """
from marker_view_ops import CreateMarkerViewOp
from alembic.operations import Operations


@Operations.implementation_for(CreateMarkerViewOp)
def create_marker_view(operations, operation):
    operations.execute(f"CREATE VIEW {operation.name} AS SELECT 1 AS one")
"""


def test_env_py_registering_an_implementation_runs_twice_in_one_process(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two actions in one TUI session run env.py twice; its registration of an
    implementation for an op class kept in sys.modules must not fail the second."""
    from engine import commands
    from tests.runtime.project import ENV_PY, Rev, make_project

    (tmp_path / "marker_view_ops.py").write_text(_VIEW_OPS_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    project = make_project(
        tmp_path / "p",
        sqlite_url,
        [
            Rev(
                "a1",
                None,
                upgrade='op.create_marker_view("v_one")',
                downgrade='op.execute("DROP VIEW v_one")',
            )
        ],
        env_py=_ENV_REGISTERING + ENV_PY,
    )
    try:
        commands.upgrade(project.config(), "head")
        commands.downgrade(project.config(), "base")
        commands.upgrade(project.config(), "head")
        engine = sa.create_engine(sqlite_url)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT one FROM v_one").scalar() == 1
        engine.dispose()
    finally:
        module = sys.modules.pop("marker_view_ops", None)
        if module is not None:
            _IMPLEMENTATIONS.pop(module.CreateMarkerViewOp, None)
        if hasattr(Operations, "create_marker_view"):
            delattr(Operations, "create_marker_view")
