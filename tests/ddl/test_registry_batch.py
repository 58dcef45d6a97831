"""Impl lookup, construction rules, batch hooks, and the generic fallback dialects."""

from __future__ import annotations

import io
import warnings
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from engine.ddl import DefaultImpl, MariaDBImpl, MySQLImpl, PostgresqlImpl, SQLiteImpl
from engine.errors import CommandError
from tests.ddl.sqltools import make_dialect, normalize, our_impl, our_sql


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg://", PostgresqlImpl),
        ("mysql+pymysql://", MySQLImpl),
        ("mariadb+pymysql://", MariaDBImpl),
        ("sqlite://", SQLiteImpl),
        ("mssql+pyodbc://", DefaultImpl),
        ("oracle://", DefaultImpl),
    ],
)
def test_get_by_dialect(url, expected):
    dialect = URL.create(url.split(":")[0]).get_dialect()()
    assert DefaultImpl.get_by_dialect(dialect) is expected


def test_mysql_dialect_talking_to_mariadb_gets_the_mariadb_impl():
    dialect = make_dialect("mysql")
    dialect.is_mariadb = True
    assert DefaultImpl.get_by_dialect(dialect) is MariaDBImpl


def test_subclasses_register_by_dialect_name():
    class FancyImpl(DefaultImpl):
        __dialect__ = "fancy_test_dialect"

    try:
        assert DefaultImpl.get_by_dialect(SimpleNamespace(name="fancy_test_dialect")) is FancyImpl
    finally:
        DefaultImpl._registry.pop("fancy_test_dialect")


def test_construction():
    dialect = make_dialect("postgresql")
    impl = PostgresqlImpl(dialect, None, True, None, io.StringIO(), {})
    assert impl.transactional_ddl is True and impl.bind is None and impl.as_sql
    impl = PostgresqlImpl(dialect, None, True, False, io.StringIO(), {})
    assert impl.transactional_ddl is False
    assert SQLiteImpl.transactional_ddl is False and MySQLImpl.transactional_ddl is False
    with pytest.raises(CommandError, match="literal_binds"):
        PostgresqlImpl(dialect, None, False, None, None, {"literal_binds": True})


def test_autoincrement_outside_mysql_warns():
    with pytest.warns(UserWarning, match="only make sense for MySQL"):
        our_impl("postgresql", io.StringIO()).alter_column("t", "c", autoincrement=True)


# ------------------------------------------------------------------ SQLite batch decision


def _copy_from():
    return sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.String(10)),
        sa.Index("ix_x", "x"),
    )


BATCH = {
    "add": (
        lambda b: b.add_column(sa.Column("y", sa.Integer)),
        [("add_column", ("t", sa.Column("y", sa.Integer)), {})],
    ),
    "add_constant_default": (
        lambda b: b.add_column(sa.Column("y", sa.Integer, server_default="5")),
        [("add_column", ("t", sa.Column("y", sa.Integer, server_default="5")), {})],
    ),
    "add_text_default": (
        lambda b: b.add_column(sa.Column("y", sa.Integer, server_default=sa.text("5"))),
        [("add_column", ("t", sa.Column("y", sa.Integer, server_default=sa.text("5"))), {})],
    ),
    "add_func_default": (
        lambda b: b.add_column(sa.Column("y", sa.DateTime, server_default=sa.func.now())),
        [
            (
                "add_column",
                ("t",),
                {"column": sa.Column("y", sa.DateTime, server_default=sa.func.now())},
            )
        ],
    ),
    "add_notnull_computed": (
        lambda b: b.add_column(sa.Column("y", sa.Integer, sa.Computed("id+1"))),
        [("add_column", ("t", sa.Column("y", sa.Integer, sa.Computed("id+1"))), {})],
    ),
    "indexes": (
        lambda b: (b.create_index("ix_y", ["x"]), b.drop_index("ix_x")),
        [("create_index", (sa.Index("ix_y"),), {}), ("drop_index", (sa.Index("ix_x"),), {})],
    ),
    "add_and_drop": (
        lambda b: (b.add_column(sa.Column("y", sa.Integer)), b.drop_column("x")),
        [
            ("add_column", ("t", sa.Column("y", sa.Integer)), {}),
            ("drop_column", ("t", sa.Column("x")), {}),
        ],
    ),
    "rename_column": (
        lambda b: b.alter_column("x", new_column_name="z"),
        [("alter_column", ("t", "x"), {"name": "z"})],
    ),
    "nullable": (
        lambda b: b.alter_column("x", nullable=False),
        [("alter_column", ("t", "x"), {"nullable": False})],
    ),
    "unique": (
        lambda b: b.create_unique_constraint("uq", ["x"]),
        [("add_constraint", (sa.UniqueConstraint("x", name="uq"),), {})],
    ),
    "table_comment": (
        lambda b: b.create_table_comment("c"),
        [("create_table_comment", (sa.Table("t", sa.MetaData()),), {})],
    ),
}


def _alembic_recreates(fn) -> bool:
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": buf}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Operations(ctx).batch_alter_table("t", copy_from=_copy_from()) as batch:
            fn(batch)
    return "_alembic_tmp_t" in buf.getvalue()


@pytest.mark.parametrize("case", sorted(BATCH))
def test_sqlite_requires_recreate_in_batch_like_alembic(case):
    alembic_fn, recorded = BATCH[case]
    impl = our_impl("sqlite", io.StringIO())
    ours = impl.requires_recreate_in_batch(SimpleNamespace(batch=recorded))
    assert ours == _alembic_recreates(alembic_fn)
    for other in ("postgresql", "mysql"):
        assert (
            our_impl(other, io.StringIO()).requires_recreate_in_batch(
                SimpleNamespace(batch=recorded)
            )
            is False
        )


def test_postgresql_prep_table_for_batch_drops_named_constraints():
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    def table():
        md = sa.MetaData()
        sa.Table("o", md, sa.Column("id", sa.Integer, primary_key=True))
        return sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer),
            sa.PrimaryKeyConstraint("id", name="pk_t"),
            sa.Column("x", sa.String(10)),
            sa.Column("oid", sa.Integer, sa.ForeignKey("o.id", name="fk_o")),
            sa.UniqueConstraint("x", name="uq_x"),
            sa.CheckConstraint("id > 0", name="ck_id"),
            sa.UniqueConstraint("oid"),
        )

    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buf}
    )
    with Operations(ctx).batch_alter_table("t", copy_from=table(), recreate="always") as b:
        b.alter_column("x", type_=sa.String(20))
    theirs = [s for s in buf.getvalue().split(";") if "DROP CONSTRAINT" in s]
    ours = our_sql("postgresql", lambda impl: impl.prep_table_for_batch(None, table()))
    assert sorted(map(normalize, theirs)) == sorted(map(normalize, ours.split(";")[:-1]))
    # foreign keys go last (after unique/check/primary key), deterministically
    assert "fk_o" in ours.split(";")[-2]


def test_version_table_impl_matches_alembic():
    from alembic.runtime.migration import MigrationContext

    ctx = MigrationContext.configure(dialect_name="postgresql", opts={"as_sql": True})
    kw = dict(version_table="alembic_version", version_table_schema="s", version_table_pk=True)
    theirs = ctx.impl.version_table_impl(**kw)
    ours = our_impl("postgresql", io.StringIO()).version_table_impl(**kw)
    dialect = make_dialect("postgresql")
    assert str(sa.schema.CreateTable(ours).compile(dialect=dialect)) == str(
        sa.schema.CreateTable(theirs).compile(dialect=dialect)
    )


def test_cast_for_batch_migrate():
    impl = our_impl("sqlite", io.StringIO())
    transfer = {"expr": sa.column("x")}
    impl.cast_for_batch_migrate(sa.Column("x", sa.String()), transfer, sa.Integer())
    assert isinstance(transfer["expr"], sa.Cast)
    transfer = {"expr": sa.column("x")}
    impl.cast_for_batch_migrate(sa.Column("x", sa.String(5)), transfer, sa.String(9))
    assert not isinstance(transfer["expr"], sa.Cast)


# ------------------------------------------------------------------ other dialects


@pytest.mark.parametrize("dialect", ["mssql", "oracle"])
def test_other_dialects_get_generic_ddl(dialect):
    def run(impl):
        md = sa.MetaData()
        table = sa.Table(
            "t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.String(5))
        )
        impl.create_table(table)
        impl.add_column("t", sa.Column("z", sa.Integer, server_default="3", nullable=False))
        impl.alter_column("t", "n", nullable=False, existing_type=sa.String(5))
        impl.rename_table("t", "u")
        impl.create_index(sa.Index("ix", table.c.n))
        impl.bulk_insert(table, [{"id": 1, "n": "a"}])
        impl.drop_table(table)

    sql = our_sql(dialect, run)
    statements = [normalize(s) for s in sql.split(";\n\n") if s.strip()]
    assert statements[0].startswith("CREATE TABLE t (")
    assert statements[1] == "ALTER TABLE t ADD z INTEGER " + (
        "NOT NULL DEFAULT '3'" if dialect == "mssql" else "DEFAULT '3' NOT NULL"
    )
    assert statements[-2] == "INSERT INTO t (id, n) VALUES (1, 'a')"
    assert statements[-1] == "DROP TABLE t"
    if dialect == "oracle":
        assert statements[2] == "ALTER TABLE t MODIFY n NOT NULL"


def test_postgresql_prep_table_for_batch_frees_only_reused_names():
    md = sa.MetaData()
    table = sa.Table(
        "t",
        md,
        sa.Column("id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_t"),
        sa.Column("b", sa.Boolean(create_constraint=True, name="ck_b")),
        sa.UniqueConstraint("id", name="uq_gone"),
    )
    rebuild = SimpleNamespace(named_constraints={"pk_t": object(), "ck_b": object()})
    sql = our_sql("postgresql", lambda impl: impl.prep_table_for_batch(rebuild, table))
    # uq_gone is not reused; ck_b was never created (BOOLEAN is native in PostgreSQL)
    assert sql == "ALTER TABLE t DROP CONSTRAINT pk_t;\n\n"


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_type_bound_check_is_not_dropped_separately(dialect):
    table = sa.Table(
        "t", sa.MetaData(), sa.Column("b", sa.Boolean(create_constraint=True, name="ck_b"))
    )
    (check,) = [c for c in table.constraints if isinstance(c, sa.CheckConstraint)]
    assert our_sql(dialect, lambda impl: impl.drop_constraint(check)) == ""


def test_constraints_can_be_added_again_after_a_drop():
    table = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer))
    unique = sa.UniqueConstraint("a", name="uq_a")
    table.append_constraint(unique)

    def run(impl):
        impl.add_constraint(unique)
        impl.drop_constraint(unique)
        impl.add_constraint(unique)

    assert our_sql("postgresql", run).count("ADD CONSTRAINT uq_a") == 2
