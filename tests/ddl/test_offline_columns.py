"""add_column / drop_column / alter_column: our offline SQL equals Alembic's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.ddl.sqltools import DIALECTS, assert_same

I = sa.Integer  # noqa: E741


def _col(*args, **kw):
    return lambda: sa.Column(*args, **kw)


ADD_COLUMN = {
    "plain": (("t", _col("c", sa.Integer)), {}),
    "default_notnull": (("t", _col("c", sa.String(20), nullable=False, server_default="x")), {}),
    "schema_quoted": (("User", _col("select", sa.Integer)), {"schema": "My"}),
    "if_not_exists": (("t", _col("c", sa.Integer)), {"if_not_exists": True}),
    "text_default": (("t", _col("c", sa.DateTime, server_default=sa.func.now())), {}),
    "percent_default": (("t", _col("c", sa.String(9), server_default="50%")), {}),
    "computed": (("t", _col("c", sa.Integer, sa.Computed("a + 1"))), {}),
    "column_check": (("t", _col("c", sa.Integer, sa.CheckConstraint("c > 0", name="cc"))), {}),
    "inline_pk": (("t", _col("c", sa.Integer, primary_key=True)), {"inline_primary_key": True}),
    "inline_refs": (
        ("t", _col("c", sa.Integer, sa.ForeignKey("s.o.id", ondelete="CASCADE"))),
        {"inline_references": True},
    ),
    "inline_refs_pk_all": (
        (
            "t",
            _col(
                "c",
                sa.Integer,
                sa.ForeignKey("o.id", onupdate="SET NULL", deferrable=True, initially="DEFERRED"),
                primary_key=True,
            ),
        ),
        {"inline_references": True, "inline_primary_key": True},
    ),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(ADD_COLUMN))
def test_add_column(dialect, case):
    (table_name, make_column), kw = ADD_COLUMN[case]
    # Alembic's op also adds FK constraints and comments; its impl.add_column is the unit
    assert_same(
        dialect,
        lambda op: op.impl.add_column(
            table_name, _attached(table_name, make_column(), kw.get("schema")), **kw
        ),
        lambda impl: impl.add_column(table_name, make_column(), **kw),
    )


def _attached(table_name, column, schema):
    sa.Table(table_name, sa.MetaData(), column, schema=schema)
    return column


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "kw", [{}, {"schema": "s"}, {"if_exists": True}], ids=["plain", "schema", "if_exists"]
)
def test_drop_column(dialect, kw):
    assert_same(
        dialect,
        lambda op: op.drop_column("t", "c", **kw),
        lambda impl: impl.drop_column("t", sa.Column("c", sa.types.NullType()), **kw),
    )


def test_drop_column_accepts_a_name():
    from tests.ddl.sqltools import our_sql

    assert our_sql("postgresql", lambda impl: impl.drop_column("t", "c")) == (
        "ALTER TABLE t DROP COLUMN c;\n\n"
    )


ALTER_COLUMN = {
    "nullable_false": {"nullable": False, "existing_type": I},
    "nullable_true_no_existing": {"nullable": True},
    "nullable_true_existing_false": {
        "nullable": True,
        "existing_nullable": False,
        "existing_type": I,
    },
    "type": {"type_": sa.String(50), "existing_nullable": False},
    "type_using": {"type_": sa.Integer, "postgresql_using": "c::integer"},
    "type_using_no_type": {"nullable": False, "postgresql_using": "c::integer"},
    "type_enum_schema": {
        "type_": sa.Enum("a", "b", name="e"),
        "existing_type": sa.String(3),
        "schema": "s",
    },
    "type_keeps_existing_default": {
        "type_": sa.BigInteger,
        "existing_nullable": False,
        "existing_server_default": "0",
    },
    "type_and_drop_default": {
        "type_": sa.BigInteger,
        "server_default": None,
        "existing_server_default": "0",
    },
    "default_str": {"server_default": "5", "existing_type": I},
    "default_only_no_type": {"server_default": "7"},
    "default_text": {"server_default": sa.text("now()"), "existing_type": sa.DateTime},
    "default_func": {"server_default": sa.func.now(), "existing_type": sa.DateTime},
    "default_number_text": {"server_default": sa.text("0"), "existing_type": I},
    "default_percent": {"server_default": "5%", "existing_type": sa.String(5)},
    "default_drop": {"server_default": None, "existing_type": I},
    "default_drop_no_type": {"server_default": None},
    "default_clause_existing": {
        "nullable": True,
        "existing_server_default": sa.DefaultClause("5"),
        "existing_type": I,
    },
    "default_existing_text": {
        "nullable": False,
        "existing_server_default": sa.text("CURRENT_TIMESTAMP"),
        "existing_type": sa.DateTime,
    },
    "null_and_default": {"nullable": False, "server_default": "3", "existing_type": I},
    "rename": {"name": "d", "existing_type": I},
    "rename_no_type": {"name": "d"},
    "rename_and_type": {"name": "d", "type_": sa.String(3)},
    "comment": {"comment": "a 'c' 50%", "existing_type": I},
    "comment_none": {"comment": None, "existing_type": I, "existing_comment": "x"},
    "comment_no_type": {"comment": "x"},
    "existing_comment_kept": {"nullable": False, "existing_comment": "old", "existing_type": I},
    "autoincrement": {"autoincrement": True, "existing_type": I, "existing_nullable": False},
    "autoincrement_false": {
        "autoincrement": False,
        "existing_type": I,
        "existing_autoincrement": True,
    },
    "existing_autoincrement": {
        "nullable": False,
        "existing_autoincrement": True,
        "existing_type": I,
    },
    "spec_order": {
        "nullable": False,
        "server_default": "1",
        "autoincrement": True,
        "comment": "x",
        "existing_type": I,
    },
    "everything": {
        "nullable": False,
        "type_": sa.String(10),
        "server_default": "z",
        "name": "d",
        "schema": "s",
        "existing_type": I,
        "existing_nullable": True,
    },
    "everything_quoted": {
        "nullable": False,
        "type_": sa.String(5),
        "server_default": "a",
        "name": "Order",
        "comment": "c",
        "schema": "My",
        "existing_type": I,
    },
    "noop": {"existing_type": I},
    "identity_add": {
        "server_default": sa.Identity(
            always=True, start=5, increment=3, minvalue=1, maxvalue=100, cycle=True, cache=7
        ),
        "existing_type": I,
    },
    "identity_change": {
        "server_default": sa.Identity(start=3, increment=2),
        "existing_server_default": sa.Identity(start=1),
        "existing_type": I,
    },
    "identity_change_all": {
        "server_default": sa.Identity(
            always=True, start=5, increment=3, minvalue=1, maxvalue=100, cycle=True, cache=7
        ),
        "existing_server_default": sa.Identity(),
        "existing_type": I,
    },
    "identity_back": {
        "server_default": sa.Identity(),
        "existing_server_default": sa.Identity(always=True, start=5, cycle=True),
        "existing_type": I,
    },
    "identity_no_min_max": {
        "server_default": sa.Identity(nominvalue=True, nomaxvalue=True),
        "existing_server_default": sa.Identity(minvalue=3),
        "existing_type": I,
    },
    "identity_no_cycle": {
        "server_default": sa.Identity(cycle=False),
        "existing_server_default": sa.Identity(cycle=True),
        "existing_type": I,
    },
    "identity_drop": {
        "server_default": None,
        "existing_server_default": sa.Identity(),
        "existing_type": I,
    },
    "computed_add": {"server_default": sa.Computed("a + 1"), "existing_type": I},
    "computed_drop": {
        "server_default": None,
        "existing_server_default": sa.Computed("a+1"),
        "existing_type": I,
    },
}


def _impl_kw(kw):
    out = dict(kw)
    if "name" in out:
        out["name"] = out.pop("name")
    return out


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(ALTER_COLUMN))
def test_alter_column(dialect, case):
    kw = ALTER_COLUMN[case]
    if dialect == "sqlite" and "comment" in kw:
        pytest.skip("covered by test_sqlite_alter_comment_raises")
    op_kw = {("new_column_name" if k == "name" else k): v for k, v in kw.items()}
    table = "User" if case.endswith("quoted") else "t"
    column = "select" if case.endswith("quoted") else "c"
    assert_same(
        dialect,
        lambda op: op.alter_column(table, column, **op_kw),
        lambda impl: impl.alter_column(table, column, **_impl_kw(kw)),
    )


def test_mysql_alter_without_existing_type_says_what_is_missing():
    import io

    from engine.ddl import MySQLImpl
    from engine.errors import CommandError
    from tests.ddl.sqltools import our_impl

    impl = our_impl("mysql", io.StringIO())
    assert isinstance(impl, MySQLImpl)
    with pytest.raises(CommandError, match="require the existing type"):
        impl.alter_column("t", "c", nullable=True)


def test_sqlite_alter_comment_raises():
    import io

    from engine.errors import CommandError
    from tests.ddl.sqltools import alembic_sql, our_impl

    assert alembic_sql("sqlite", lambda op: op.alter_column("t", "c", comment="x")).startswith("!!")
    impl = our_impl("sqlite", io.StringIO())
    with pytest.raises(CommandError, match="no column comments"):
        impl.alter_column("t", "c", comment="x", existing_type=sa.Integer())
    with pytest.raises(NotImplementedError):
        impl.alter_column("t", "c", comment=None)
