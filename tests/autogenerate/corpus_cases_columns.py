"""Corpus cases (see ``corpus``): tables, columns, types and server defaults."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tests.autogenerate.corpus import (
    NOTHING,
    C,
    Case,
    id_column,
    parent_child,
    table,
    tables,
    users,
)


def types_table(md: sa.MetaData) -> None:
    sa.Table(
        "typed",
        md,
        id_column(),
        C("s", sa.String(50)),
        C("u", sa.Unicode(20)),
        C("tx", sa.Text),
        C("b", sa.Boolean),
        C("n", sa.Numeric(10, 2)),
        C("n0", sa.Numeric),
        C("f", sa.Float),
        C("dt", sa.DateTime),
        C("d", sa.Date),
        C("tm", sa.Time),
        C("bi", sa.BigInteger),
        C("si", sa.SmallInteger),
        C("lb", sa.LargeBinary),
        C("js", sa.JSON),
        C("uid", sa.Uuid),
        C("e", sa.Enum("a", "bb", name="kind")),
        C("ch", sa.CHAR(3)),
    )


def defaults_table(md: sa.MetaData) -> None:
    sa.Table(
        "defs",
        md,
        id_column(),
        C("s", sa.String(20), server_default="abc"),
        C("s2", sa.String(20), server_default=sa.text("'x y'")),
        C("i", sa.Integer, server_default="5"),
        C("i2", sa.Integer, server_default=sa.text("0")),
        C("n", sa.Numeric(10, 2), server_default="0"),
        C("b", sa.Boolean, server_default=sa.true()),
        C("b2", sa.Boolean, server_default=sa.false()),
        C("ts", sa.DateTime, server_default=sa.func.now()),
        C("ts2", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")),
    )


def types_always_differ(context: Any, insp_col: Any, meta_col: Any, t1: Any, t2: Any) -> Any:
    return True if meta_col.name == "name" else None


def defaults_never_differ(context: Any, *args: Any) -> bool:
    return False


def metadata_list_after(md: sa.MetaData) -> list[sa.MetaData]:
    second = sa.MetaData()
    table("items")(second)
    users()(md)
    return [md, second]


COLUMN_CASES: list[Case] = [
    # -- tables
    Case(
        "add_table",
        users(),
        tables(users(), table("items", C("title", sa.String(20)))),
        ["add_table items"],
    ),
    Case("remove_table", tables(users(), table("items")), users(), ["remove_table items"]),
    Case(
        "add_table_with_index",
        users(),
        tables(users(), table("items", C("v", sa.Integer, index=True))),
        ["add_table items", "add_index items.ix_items_v"],
    ),
    Case(
        "remove_table_with_index",
        tables(users(), table("items", C("v", sa.Integer, index=True))),
        users(),
        ["remove_index items.ix_items_v", "remove_table items"],
    ),
    Case("add_tables_with_fk", NOTHING, parent_child(), ["add_table parent", "add_table child"]),
    Case("metadata_list", users(), metadata_list_after, ["add_table items"]),
    # -- columns
    Case("add_column", users(), users(C("note", sa.Text)), ["add_column users.note"]),
    Case("remove_column", users(C("note", sa.Text)), users(), ["remove_column users.note"]),
    Case(
        "add_not_null_column_with_default",
        users(),
        users(C("flag", sa.Integer, nullable=False, server_default="0")),
        ["add_column users.flag"],
    ),
    Case(
        "nullable_to_not_null",
        users(),
        table("users", C("name", sa.String(50), nullable=False)),
        ["modify_nullable users.name"],
    ),
    Case(
        "not_null_to_nullable",
        table("users", C("name", sa.String(50), nullable=False)),
        users(),
        ["modify_nullable users.name"],
    ),
    # -- types
    Case(
        "varchar_length",
        users(),
        table("users", C("name", sa.String(100))),
        ["modify_type users.name"],
    ),
    Case(
        "int_to_bigint",
        users(C("n", sa.Integer)),
        users(C("n", sa.BigInteger)),
        ["modify_type users.n"],
    ),
    Case("string_to_text", users(), table("users", C("name", sa.Text)), ["modify_type users.name"]),
    Case(
        "numeric_precision",
        users(C("n", sa.Numeric(10, 2))),
        users(C("n", sa.Numeric(12, 4))),
        ["modify_type users.n"],
    ),
    Case("types_without_false_positives", types_table, types_table, []),
    Case(
        "datetime_timezone",
        users(C("at", sa.DateTime)),
        users(C("at", sa.DateTime(timezone=True))),
        ["modify_type users.at"],
        backends=("postgresql",),
    ),
    Case(
        "type_and_nullable_together",
        users(),
        table("users", C("name", sa.String(80), nullable=False)),
        ["modify_type users.name", "modify_nullable users.name"],
    ),
    Case(
        "compare_type_off",
        users(),
        table("users", C("name", sa.String(100))),
        [],
        opts={"compare_type": False},
    ),
    Case(
        "compare_type_callable",
        users(),
        users(),
        ["modify_type users.name"],
        opts={"compare_type": types_always_differ},
        roundtrip=False,
    ),
    Case(
        "mysql_enum_values",
        users(C("k", sa.Enum("a", "b"))),
        users(C("k", sa.Enum("a", "b", "c"))),
        ["modify_type users.k"],
        backends=("mariadb",),
    ),
    # -- server defaults
    Case(
        "default_added",
        users(),
        table("users", C("name", sa.String(50), server_default="x")),
        ["modify_default users.name"],
        opts={"compare_server_default": True},
    ),
    Case(
        "default_changed",
        table("users", C("name", sa.String(50), server_default="x")),
        table("users", C("name", sa.String(50), server_default="y")),
        ["modify_default users.name"],
        opts={"compare_server_default": True},
    ),
    Case(
        "default_removed",
        table("users", C("name", sa.String(50), server_default="x")),
        users(),
        ["modify_default users.name"],
        opts={"compare_server_default": True},
    ),
    # Alembic reports false changes on MariaDB (true vs 1, '0' vs 0.00, now() vs
    # current_timestamp()); the normalisation here sees none
    Case(
        "defaults_without_false_positives",
        defaults_table,
        defaults_table,
        [],
        opts={"compare_server_default": True},
        alembic={
            "default": [],
            "mariadb": [
                "modify_default defs.b",
                "modify_default defs.b2",
                "modify_default defs.n",
                "modify_default defs.ts",
            ],
        },
    ),
    Case(
        "defaults_off_by_default",
        users(),
        table("users", C("name", sa.String(50), server_default="x")),
        [],
    ),
    Case(
        "compare_server_default_callable",
        users(),
        table("users", C("name", sa.String(50), server_default="x")),
        [],
        opts={"compare_server_default": defaults_never_differ},
    ),
]
