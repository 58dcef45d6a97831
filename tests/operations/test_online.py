"""Directives run online against real SQLite, PostgreSQL and MariaDB databases; the
result is checked by reflection and by reading rows back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from engine.errors import CommandError
from engine.operations import Operations
from engine.runtime.migration import MigrationContext


@contextmanager
def online_op(url: str) -> Iterator[tuple[Operations, sa.Connection]]:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            yield Operations(MigrationContext.configure(connection=conn)), conn
    finally:
        engine.dispose()


def _columns(conn: sa.Connection, table: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in sa.inspect(conn).get_columns(table)}


def test_tables_columns_indexes_and_data(db_url: str) -> None:
    with online_op(db_url) as (op, conn):
        org = op.create_table(
            "org",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
        )
        assert isinstance(org, sa.Table)
        op.create_table(
            "member",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("org_id", sa.Integer, sa.ForeignKey("org.id")),
            sa.Column("email", sa.String(100), unique=True),
        )
        op.bulk_insert(org, [{"id": 1, "name": "acme"}, {"id": 2, "name": "o'neil"}])
        op.add_column("org", sa.Column("score", sa.Integer, server_default="7"))
        op.create_index("ix_org_name", "org", ["name"], unique=True)
        op.execute(
            sa.table("org", sa.column("id"), sa.column("score"))
            .update()
            .where(sa.column("id") == op.inline_literal(2))
            .values(score=op.inline_literal(9))
        )
        op.rename_table("org", "organisation")

        insp = sa.inspect(conn)
        assert set(insp.get_table_names()) == {"organisation", "member"}
        assert "score" in _columns(conn, "organisation")
        assert [i["name"] for i in insp.get_indexes("organisation")] == ["ix_org_name"]
        fks = insp.get_foreign_keys("member")
        assert [(fk["constrained_columns"], fk["referred_columns"]) for fk in fks] == [
            (["org_id"], ["id"])
        ]
        rows = conn.execute(sa.text("SELECT id, name, score FROM organisation ORDER BY id"))
        assert [tuple(r) for r in rows] == [(1, "acme", 7), (2, "o'neil", 9)]

        op.drop_index("ix_org_name", "organisation")
        op.drop_column("organisation", "score")
        assert sa.inspect(conn).get_indexes("organisation") == []
        assert "score" not in _columns(conn, "organisation")
        op.drop_table("member")
        op.drop_table("organisation")
        assert sa.inspect(conn).get_table_names() == []


@pytest.fixture(params=["postgresql", "mariadb"])
def server_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue({"postgresql": "pg_db", "mariadb": "maria_db"}[request.param])


def test_alter_and_constraints(server_url: str) -> None:
    with online_op(server_url) as (op, conn):
        op.create_table(
            "parent", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)
        )
        op.create_table(
            "child",
            sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
            sa.Column("parent_id", sa.Integer),
            sa.Column("qty", sa.Integer),
            sa.Column("label", sa.String(20)),
        )
        op.create_primary_key("pk_child", "child", ["id"])
        op.create_foreign_key(
            "fk_child_parent", "child", "parent", ["parent_id"], ["id"], ondelete="CASCADE"
        )
        op.create_unique_constraint("uq_child_label", "child", ["label"])
        op.create_check_constraint("ck_child_qty", "child", "qty >= 0")
        op.alter_column(
            "child", "qty", nullable=False, server_default="0", existing_type=sa.Integer
        )
        op.alter_column(
            "child",
            "label",
            new_column_name="title",
            type_=sa.String(40),
            existing_type=sa.String(20),
        )
        op.create_table_comment("child", "children", existing_comment=None)

        insp = sa.inspect(conn)
        cols = _columns(conn, "child")
        assert cols["qty"]["nullable"] is False and "0" in str(cols["qty"]["default"])
        assert "title" in cols and cols["title"]["type"].length == 40
        assert insp.get_pk_constraint("child")["constrained_columns"] == ["id"]
        assert [fk["name"] for fk in insp.get_foreign_keys("child")] == ["fk_child_parent"]
        assert [uq["column_names"] for uq in insp.get_unique_constraints("child")] == [["title"]]
        assert "ck_child_qty" in {ck["name"] for ck in insp.get_check_constraints("child")}
        assert insp.get_table_comment("child")["text"] == "children"

        with pytest.raises(sa.exc.DBAPIError), conn.begin_nested():
            conn.execute(sa.text("INSERT INTO child (id, qty) VALUES (1, -1)"))

        op.drop_constraint("ck_child_qty", "child", type_="check")
        op.drop_constraint("fk_child_parent", "child", type_="foreignkey")
        op.drop_constraint("uq_child_label", "child", type_="unique")
        op.drop_table_comment("child", existing_comment="children")
        insp = sa.inspect(conn)
        assert insp.get_foreign_keys("child") == []
        assert insp.get_unique_constraints("child") == []
        assert "ck_child_qty" not in {ck["name"] for ck in insp.get_check_constraints("child")}
        assert not insp.get_table_comment("child")["text"]


def test_reversed_ops_undo_the_forward_ones(db_url: str) -> None:
    from engine.operations import ops

    forward = [
        ops.CreateTableOp(
            "gadget",
            [sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(30))],
        ),
        ops.AddColumnOp("gadget", sa.Column("weight", sa.Integer)),
        ops.CreateIndexOp("ix_gadget_name", "gadget", ["name"]),
    ]
    with online_op(db_url) as (op, conn):
        for operation in forward:
            op.invoke(operation)
        assert set(_columns(conn, "gadget")) == {"id", "name", "weight"}
        for operation in ops.UpgradeOps(forward).reverse().ops:
            op.invoke(operation)
        assert sa.inspect(conn).get_table_names() == []


def test_run_async_with_an_async_driver(sqlite_url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    async def count_rows(async_conn: Any, table: str, *, extra: int) -> int:
        result = await async_conn.execute(sa.text(f"SELECT count(*) FROM {table}"))
        return result.scalar_one() + extra

    def migrate(sync_conn: sa.Connection) -> int:
        op = Operations(MigrationContext.configure(connection=sync_conn))
        op.create_table("thing", sa.Column("id", sa.Integer, primary_key=True))
        op.bulk_insert(sa.table("thing", sa.column("id")), [{"id": 1}, {"id": 2}])
        return op.run_async(count_rows, "thing", extra=10)

    async def main() -> int:
        engine = create_async_engine(sqlite_url.replace("sqlite://", "sqlite+aiosqlite://"))
        try:
            async with engine.begin() as conn:
                return await conn.run_sync(migrate)
        finally:
            await engine.dispose()

    assert asyncio.run(main()) == 12


def test_run_async_refuses_sync_and_offline(sqlite_url: str) -> None:
    async def noop(conn: Any) -> None:
        return None

    with online_op(sqlite_url) as (op, _conn), pytest.raises(CommandError, match="async driver"):
        op.run_async(noop)
    import io

    offline = Operations(
        MigrationContext.configure(
            dialect_name="postgresql", opts={"as_sql": True, "output_buffer": io.StringIO()}
        )
    )
    with pytest.raises(CommandError, match="offline"):
        offline.run_async(noop)


def test_get_bind_and_get_context(sqlite_url: str) -> None:
    with online_op(sqlite_url) as (op, conn):
        assert op.get_bind() is conn
        assert op.get_context() is op.migration_context
        assert op.f("ix_final") == "ix_final"
