"""Batch mode end to end through ``op.batch_alter_table`` on real databases.

SQLite moves and copies (reflecting the table); PostgreSQL and MariaDB issue
plain ALTERs with ``recreate="auto"`` and move and copy with ``"always"``.
Afterwards the table is reflected again and its rows and schema checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from engine.errors import CommandError
from engine.operations.base import Operations
from engine.runtime.migration import MigrationContext


@contextmanager
def operations(url: str) -> Iterator[tuple[Operations, sa.Connection, list[str]]]:
    """An ``op`` on a real connection, plus the SQL it ran (via the Impl's listeners)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            ctx = MigrationContext.configure(connection=conn)
            statements: list[str] = []
            ctx.impl.statement_listeners.append(
                lambda sql: statements.append(" ".join(sql.split()))
            )
            yield Operations(ctx), conn, statements
    finally:
        engine.dispose()


def build_schema(url: str) -> None:
    metadata = sa.MetaData()
    sa.Table(
        "parent",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(10)),
    )
    t = sa.Table(
        "t",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(20), nullable=False, server_default="n"),
        sa.Column("amount", sa.Integer),
        sa.Column("note", sa.String(30)),
        sa.Column("parent_id", sa.Integer),
        sa.Column("up_id", sa.Integer),
        sa.CheckConstraint("amount >= 0", name="ck_amount"),
        sa.UniqueConstraint("name", name="uq_name"),
        sa.ForeignKeyConstraint(["parent_id"], ["parent.id"], name="fk_parent"),
        sa.ForeignKeyConstraint(["up_id"], ["t.id"], name="fk_up"),
        sa.Index("ix_t_amount", "amount"),
    )
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        metadata.create_all(conn)
        conn.execute(sa.insert(metadata.tables["parent"]), [{"id": 1, "label": "p1"}])
        conn.execute(
            sa.insert(t),
            [
                {"id": 1, "name": "a", "amount": 10, "note": "x", "parent_id": 1, "up_id": None},
                {"id": 2, "name": "b", "amount": 20, "note": None, "parent_id": 1, "up_id": 1},
            ],
        )
    engine.dispose()


def describe(url: str, table: str = "t") -> dict[str, Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            checks = {c["name"] for c in insp.get_check_constraints(table)}
            uniques = insp.get_unique_constraints(table)
            # MySQL/MariaDB report a UNIQUE both ways; FKs bring an index of their name.
            not_indexes = {u["name"] for u in uniques} | {
                fk["name"] for fk in insp.get_foreign_keys(table)
            }
            return {
                "columns": [c["name"] for c in insp.get_columns(table)],
                "types": {c["name"]: c["type"] for c in insp.get_columns(table)},
                "nullable": {c["name"]: c["nullable"] for c in insp.get_columns(table)},
                "pk": insp.get_pk_constraint(table)["constrained_columns"],
                "fks": sorted(
                    (
                        fk["name"],
                        tuple(fk["constrained_columns"]),
                        fk["referred_table"],
                        tuple(fk["referred_columns"]),
                    )
                    for fk in insp.get_foreign_keys(table)
                ),
                "uniques": sorted((u["name"], tuple(u["column_names"])) for u in uniques),
                "checks": checks,
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]))
                    for i in insp.get_indexes(table)
                    if not i.get("duplicates_constraint") and i["name"] not in not_indexes
                ),
                "rows": [
                    tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1"))
                ],
                "tables": sorted(insp.get_table_names()),
            }
    finally:
        engine.dispose()


def full_batch(op: Operations, place: bool = True) -> None:
    with op.batch_alter_table("t") as batch:
        # With ALTERs the order counts: the CHECK on amount must go before its type.
        batch.drop_constraint("ck_amount", type_="check")
        batch.alter_column("amount", type_=sa.String(10), existing_type=sa.Integer)
        batch.drop_column("note")
        flag = sa.Column("flag", sa.Integer, server_default="7")
        batch.add_column(flag, insert_after="name") if place else batch.add_column(flag)
        batch.alter_column("name", new_column_name="title", existing_type=sa.String(20))
        batch.create_check_constraint("ck_title", "length(title) > 0")
        batch.drop_constraint("uq_name", type_="unique")
        batch.create_unique_constraint("uq_title_amount", ["title", "amount"])
        batch.create_index("ix_t_title", ["title"])


def test_sqlite_move_and_copy_keeps_rows_and_schema(sqlite_url: str) -> None:
    build_schema(sqlite_url)
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t (id))"
        )
        conn.exec_driver_sql("INSERT INTO child VALUES (1, 2)")
    engine.dispose()
    with operations(sqlite_url) as (op, _conn, statements):
        full_batch(op)
    assert statements[0].startswith("CREATE TABLE _alembic_tmp_t (")
    assert any(
        s.startswith(
            "INSERT INTO _alembic_tmp_t (id, title, amount, parent_id, up_id) "
            "SELECT t.id, t.name, CAST(t.amount AS VARCHAR(10)) AS amount"
        )
        for s in statements
    )
    info = describe(sqlite_url)
    assert info["columns"] == ["id", "title", "flag", "amount", "parent_id", "up_id"]
    assert info["pk"] == ["id"]
    assert info["fks"] == [
        ("fk_parent", ("parent_id",), "parent", ("id",)),
        ("fk_up", ("up_id",), "t", ("id",)),
    ]
    assert info["uniques"] == [("uq_title_amount", ("title", "amount"))]
    assert info["checks"] == {"ck_title"}
    assert info["indexes"] == [("ix_t_amount", ("amount",)), ("ix_t_title", ("title",))]
    assert info["rows"] == [(1, "a", 7, "10", 1, None), (2, "b", 7, "20", 1, 1)]
    assert "_alembic_tmp_t" not in info["tables"]
    assert describe(sqlite_url, "child")["fks"] == [(None, ("t_id",), "t", ("id",))]


def test_sqlite_auto_uses_alter_when_it_can(sqlite_url: str) -> None:
    build_schema(sqlite_url)
    with operations(sqlite_url) as (op, _conn, statements), op.batch_alter_table("t") as batch:
        batch.add_column(sa.Column("extra", sa.Integer))
        batch.create_index("ix_t_extra", ["extra"])
    assert statements == [
        "ALTER TABLE t ADD COLUMN extra INTEGER",
        "CREATE INDEX ix_t_extra ON t (extra)",
    ]


def test_sqlite_naming_convention_drops_unnamed_fk(sqlite_url: str) -> None:
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE foo (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql(
            "CREATE TABLE bar (id INTEGER PRIMARY KEY, foo_id INTEGER REFERENCES foo (id), "
            "x INTEGER, UNIQUE (x))"
        )
        conn.exec_driver_sql("INSERT INTO foo VALUES (1)")
        conn.exec_driver_sql("INSERT INTO bar VALUES (1, 1, 5)")
    engine.dispose()
    convention = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
    with operations(sqlite_url) as (op, _conn, _stmts):
        with (
            pytest.raises(CommandError, match="No such constraint"),
            op.batch_alter_table("bar") as batch,
        ):
            batch.drop_constraint("fk_bar_foo_id_foo", type_="foreignkey")
        with op.batch_alter_table("bar", naming_convention=convention) as batch:
            batch.drop_constraint("fk_bar_foo_id_foo", type_="foreignkey")
    info = describe(sqlite_url, "bar")
    assert info["fks"] == []
    assert info["uniques"] == [(None, ("x",))]  # the unnamed UNIQUE survives the copy
    assert info["rows"] == [(1, 1, 5)]


def test_sqlite_reflect_args_table_args_and_kwargs(sqlite_url: str) -> None:
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE b (id INTEGER PRIMARY KEY, flag INTEGER, n INTEGER)")
        conn.exec_driver_sql("INSERT INTO b VALUES (1, 1, 3)")
    engine.dispose()
    with (
        operations(sqlite_url) as (op, _conn, statements),
        op.batch_alter_table(
            "b",
            reflect_args=[sa.Column("flag", sa.Boolean(create_constraint=False))],
            table_args=[sa.CheckConstraint("n < 10", name="ck_n")],
            table_kwargs={"sqlite_autoincrement": True},
        ) as batch,
    ):
        batch.alter_column("flag", new_column_name="bflag", existing_type=sa.Boolean)
    create = statements[0]
    assert "bflag BOOLEAN" in create
    assert "CONSTRAINT ck_n CHECK (n < 10)" in create
    assert "PRIMARY KEY AUTOINCREMENT" in create
    info = describe(sqlite_url, "b")
    assert info["columns"] == ["id", "bflag", "n"]
    assert info["rows"] == [(1, 1, 3)]


def test_sqlite_recreate_never_passes_calls_through(sqlite_url: str) -> None:
    build_schema(sqlite_url)
    with (
        operations(sqlite_url) as (op, _conn, statements),
        op.batch_alter_table("t", recreate="never") as batch,
    ):
        batch.add_column(sa.Column("extra", sa.Integer))
        batch.alter_column("note", new_column_name="memo")
    assert statements == [
        "ALTER TABLE t ADD COLUMN extra INTEGER",
        "ALTER TABLE t RENAME COLUMN note TO memo",
    ]
    assert "memo" in describe(sqlite_url)["columns"]


def test_sqlite_missing_table_is_a_clear_error(sqlite_url: str) -> None:
    with (
        operations(sqlite_url) as (op, _conn, _stmts),
        pytest.raises(CommandError, match="'nope' does not exist"),
        op.batch_alter_table("nope") as batch,
    ):
        batch.drop_column("x")


@pytest.fixture(params=["pg_db", "maria_db"])
def server_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(request.param)


def test_server_auto_issues_alters(server_url: str) -> None:
    build_schema(server_url)
    with operations(server_url) as (op, _conn, statements):
        with pytest.raises(CommandError, match="insert_after"), op.batch_alter_table("t") as batch:
            batch.add_column(sa.Column("flag", sa.Integer), insert_after="name")
        full_batch(op, place=False)
    assert all(not s.startswith("CREATE TABLE") for s in statements)
    assert any(s.startswith("ALTER TABLE t") for s in statements)
    info = describe(server_url)
    assert info["columns"] == ["id", "title", "amount", "parent_id", "up_id", "flag"]
    assert info["checks"] >= {"ck_title"}
    assert "ck_amount" not in info["checks"]
    assert info["uniques"] == [("uq_title_amount", ("title", "amount"))]
    assert info["rows"] == [(1, "a", "10", 1, None, 7), (2, "b", "20", 1, 1, 7)]


def test_server_always_moves_and_copies(server_url: str) -> None:
    """As Alembic's docs say for servers enforcing foreign keys: FKs that point at
    the table (here its self-reference) and, on MariaDB, FK names (unique per
    database) are dropped before the batch and created again after it."""
    build_schema(server_url)
    with operations(server_url) as (op, _conn, statements):
        op.drop_constraint("fk_up", "t", type_="foreignkey")
        op.drop_constraint("fk_parent", "t", type_="foreignkey")
        with op.batch_alter_table("t", recreate="always") as batch:
            batch.alter_column("amount", type_=sa.BigInteger, existing_type=sa.Integer)
            batch.drop_column("note")
            batch.add_column(sa.Column("flag", sa.Integer, server_default="7"), insert_after="name")
        op.create_foreign_key("fk_up", "t", "t", ["up_id"], ["id"])
        op.create_foreign_key("fk_parent", "t", "parent", ["parent_id"], ["id"])
    assert any(s.startswith("CREATE TABLE _alembic_tmp_t") for s in statements)
    assert any(s.startswith("INSERT INTO _alembic_tmp_t") for s in statements)
    info = describe(server_url)
    assert info["columns"] == ["id", "name", "flag", "amount", "parent_id", "up_id"]
    assert info["pk"] == ["id"]
    assert info["fks"] == [
        ("fk_parent", ("parent_id",), "parent", ("id",)),
        ("fk_up", ("up_id",), "t", ("id",)),
    ]
    assert info["uniques"] == [("uq_name", ("name",))]
    assert "ck_amount" in info["checks"]
    assert info["indexes"] == [("ix_t_amount", ("amount",))]
    assert info["rows"] == [(1, "a", 7, 10, 1, None), (2, "b", 7, 20, 1, 1)]
    assert "_alembic_tmp_t" not in info["tables"]


def test_sqlite_keeps_autoincrement_expression_indexes_and_triggers(sqlite_url: str) -> None:
    """SQLAlchemy's SQLite reflection misses these; Alembic's copy loses them."""
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, n INTEGER)"
        )
        conn.exec_driver_sql("CREATE TABLE log (msg TEXT)")
        conn.exec_driver_sql("CREATE INDEX ix_lower ON t (lower(name))")
        conn.exec_driver_sql(
            "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.name); END"
        )
        conn.exec_driver_sql("INSERT INTO t (name, n) VALUES ('a', 1)")
    engine.dispose()
    with (
        operations(sqlite_url) as (op, conn, statements),
        op.batch_alter_table("t") as batch,
    ):
        batch.alter_column("n", type_=sa.String(5))
    assert "PRIMARY KEY AUTOINCREMENT" in statements[0]
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        names = {n for (n,) in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert {"ix_lower", "t_ins"} <= names
        conn.exec_driver_sql("INSERT INTO t (name, n) VALUES ('b', '2')")
        assert [r for (r,) in conn.exec_driver_sql("SELECT msg FROM log")] == ["a", "b"]
    engine.dispose()


def test_sqlite_raw_index_on_renamed_column_is_left_out_with_a_warning(sqlite_url: str) -> None:
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        conn.exec_driver_sql("CREATE INDEX ix_lower ON t (lower(name))")
    engine.dispose()
    with (
        pytest.warns(UserWarning, match="'ix_lower'"),
        operations(sqlite_url) as (op, _conn, statements),
        op.batch_alter_table("t") as batch,
    ):
        batch.alter_column("name", new_column_name="title")
    assert not any("ix_lower" in s for s in statements)


def test_postgresql_schema_qualified_move_and_copy(pg_db: str) -> None:
    engine = sa.create_engine(pg_db)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA s")
        conn.exec_driver_sql(
            "CREATE TABLE s.t (id INTEGER PRIMARY KEY, n INTEGER CONSTRAINT ck_n CHECK (n > 0))"
        )
        conn.exec_driver_sql("CREATE INDEX ix_n ON s.t (n)")
        conn.exec_driver_sql("INSERT INTO s.t VALUES (1, 5)")
    engine.dispose()
    with (
        operations(pg_db) as (op, _conn, statements),
        op.batch_alter_table("t", schema="s", recreate="always") as batch,
    ):
        batch.alter_column("n", type_=sa.String(10))
        batch.drop_constraint("ck_n", type_="check")
    assert "ALTER TABLE s._alembic_tmp_t RENAME TO t" in statements
    engine = sa.create_engine(pg_db)
    with engine.connect() as conn:
        insp = sa.inspect(conn)
        assert [c["name"] for c in insp.get_columns("t", schema="s")] == ["id", "n"]
        assert [i["name"] for i in insp.get_indexes("t", schema="s")] == ["ix_n"]
        assert insp.get_pk_constraint("t", schema="s")["constrained_columns"] == ["id"]
        assert conn.exec_driver_sql("SELECT * FROM s.t").all() == [(1, "5")]
    engine.dispose()
