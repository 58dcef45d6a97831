"""Constraints, indexes, tables, comments, renames, data and raw SQL, offline, vs Alembic."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.types import NullType

from tests.ddl.sqltools import DIALECTS, alembic_sql, assert_same, our_impl, our_sql

FK_OPTIONS = {
    "plain": {},
    "all": dict(
        onupdate="CASCADE", ondelete="SET NULL", deferrable=True, initially="DEFERRED", match="FULL"
    ),
    "cascades": dict(onupdate="CASCADE", ondelete="RESTRICT"),
    "not_deferrable": dict(deferrable=False),
}


def _table(name, *columns, schema=None, metadata=None, **kw):
    cols = [sa.Column(c, NullType()) if isinstance(c, str) else c for c in columns]
    return sa.Table(name, metadata or sa.MetaData(), *cols, schema=schema, **kw)


def _foreign_key(name, options, source_schema=None, referent_schema=None):
    md = sa.MetaData()
    ref = _table("ref", "x", "y", schema=referent_schema, metadata=md)
    src = _table("src", "a", "b", schema=source_schema, metadata=md)
    fk = sa.ForeignKeyConstraint(["a", "b"], [ref.c.x, ref.c.y], name=name, **options)
    src.append_constraint(fk)
    return fk


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("options", sorted(FK_OPTIONS))
@pytest.mark.parametrize("schemas", [(None, None), ("s1", "s2")], ids=["noschema", "schemas"])
@pytest.mark.parametrize("name", ["fk1", None])
def test_add_foreign_key(dialect, options, schemas, name):
    kw = FK_OPTIONS[options]
    assert_same(
        dialect,
        lambda op: op.create_foreign_key(
            name,
            "src",
            "ref",
            ["a", "b"],
            ["x", "y"],
            source_schema=schemas[0],
            referent_schema=schemas[1],
            **kw,
        ),
        lambda impl: impl.add_constraint(_foreign_key(name, kw, *schemas)),
    )


def _attach(constraint, *columns, schema=None, table="t"):
    _table(table, *columns, schema=schema).append_constraint(constraint)
    return constraint


CONSTRAINTS = {
    "unique": (
        lambda op: op.create_unique_constraint("uq1", "t", ["a", "b"], schema="s"),
        lambda: _attach(sa.UniqueConstraint("a", "b", name="uq1"), "a", "b", schema="s"),
    ),
    "unique_deferrable": (
        lambda op: op.create_unique_constraint(
            "uq1", "t", ["a"], deferrable=True, initially="IMMEDIATE"
        ),
        lambda: _attach(
            sa.UniqueConstraint("a", name="uq1", deferrable=True, initially="IMMEDIATE"), "a"
        ),
    ),
    "check_text": (
        lambda op: op.create_check_constraint("ck1", "t", "a > 5"),
        lambda: _attach(sa.CheckConstraint("a > 5", name="ck1"), "a"),
    ),
    "check_expr": (
        lambda op: op.create_check_constraint("ck1", "t", sa.column("a") > 5),
        lambda: _attach(sa.CheckConstraint(sa.column("a") > 5, name="ck1"), "a"),
    ),
    "primary_key": (
        lambda op: op.create_primary_key("pk1", "t", ["a", "b"]),
        lambda: _attach(sa.PrimaryKeyConstraint("a", "b", name="pk1"), "a", "b"),
    ),
    "quoted": (
        lambda op: op.create_unique_constraint("Uq", "User", ["select"], schema="My"),
        lambda: _attach(
            sa.UniqueConstraint("select", name="Uq"), "select", schema="My", table="User"
        ),
    ),
    "exclude": (
        lambda op: op.create_exclude_constraint(
            "ex1", "t", ("a", "="), ("b", "&&"), where="c > 0", using="gist"
        ),
        lambda: _attach(
            pg.ExcludeConstraint(
                ("a", "="), ("b", "&&"), name="ex1", where=sa.text("c > 0"), using="gist"
            ),
            "a",
            "b",
            "c",
        ),
    ),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(CONSTRAINTS))
def test_add_constraint(dialect, case):
    alembic_fn, make = CONSTRAINTS[case]
    assert_same(dialect, alembic_fn, lambda impl: impl.add_constraint(make()))


DROP_TYPES = {
    "foreignkey": lambda: sa.ForeignKeyConstraint(["a"], ["o.id"], name="c1"),
    "unique": lambda: sa.UniqueConstraint("a", name="c1"),
    "check": lambda: sa.CheckConstraint("a > 1", name="c1"),
    "primary": lambda: sa.PrimaryKeyConstraint("a", name="c1"),
    None: lambda: sa.Constraint(name="c1"),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("type_", list(DROP_TYPES), ids=str)
@pytest.mark.parametrize("kw", [{}, {"if_exists": True}, {"schema": "s"}], ids=str)
def test_drop_constraint(dialect, type_, kw):
    schema = kw.get("schema")
    impl_kw = {k: v for k, v in kw.items() if k != "schema"}

    def ours(impl):
        constraint = DROP_TYPES[type_]()
        if isinstance(constraint, sa.ForeignKeyConstraint):
            md = sa.MetaData()
            _table("o", "id", metadata=md)
            _table("t", "a", schema=schema, metadata=md).append_constraint(constraint)
        elif type(constraint) is sa.Constraint:
            constraint._set_parent(_table("t", "a", schema=schema))
        else:
            _attach(constraint, "a", schema=schema)
        impl.drop_constraint(constraint, **impl_kw)

    assert_same(dialect, lambda op: op.drop_constraint("c1", "t", type_=type_, **kw), ours)


def _index(name, table, *exprs, schema=None, columns=("a", "b"), **kw):
    t = _table(table, *columns, schema=schema)
    index = sa.Index(name, *exprs, **kw)
    index._set_parent(t)
    return index


INDEXES = {
    "plain": ((["a"],), {}, {}),
    "unique_expr_schema": ((["a", sa.text("lower(b)")],), {"unique": True, "schema": "s"}, {}),
    "pg_options": (
        (["a"],),
        {"postgresql_concurrently": True, "postgresql_where": sa.text("a > 0")},
        {"if_not_exists": True},
    ),
    "mysql_length": ((["a"],), {"mysql_length": 10}, {}),
    "quoted": ((["select"],), {"schema": "My"}, {}),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(INDEXES))
def test_create_index(dialect, case):
    (cols,), index_kw, impl_kw = INDEXES[case]
    table = "User" if case == "quoted" else "t"
    name = "Ix" if case == "quoted" else "ix1"

    def ours(impl):
        kw = dict(index_kw)
        schema = kw.pop("schema", None)
        exprs = [sa.column(c) if isinstance(c, str) else c for c in cols]
        exprs = [c if not isinstance(c, sa.ColumnClause) else c.name for c in exprs]
        index = _index(name, table, *exprs, schema=schema, columns=("a", "b", "select"), **kw)
        impl.create_index(index, **impl_kw)

    assert_same(dialect, lambda op: op.create_index(name, table, cols, **index_kw, **impl_kw), ours)


def test_create_index_passes_dialect_kwargs_given_to_the_impl():
    index = _index("ix1", "t", "a")
    sql = our_sql("postgresql", lambda impl: impl.create_index(index, postgresql_concurrently=True))
    assert sql == "CREATE INDEX CONCURRENTLY ix1 ON t (a);\n\n"


DROP_INDEXES = {
    "plain": ({"table_name": "t"}, {}),
    "schema": ({"table_name": "t", "schema": "s"}, {}),
    "pg_options": ({"table_name": "t", "postgresql_concurrently": True}, {"if_exists": True}),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(DROP_INDEXES))
def test_drop_index(dialect, case):
    op_kw, impl_kw = DROP_INDEXES[case]

    def ours(impl):
        kw = dict(op_kw)
        table = kw.pop("table_name")
        schema = kw.pop("schema", None)
        index = _index("ix1", table, schema=schema, **kw)
        impl.drop_index(index, **impl_kw)

    assert_same(dialect, lambda op: op.drop_index("ix1", **op_kw, **impl_kw), ours)


def _create_table_columns():
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("n", sa.String(5), comment="it's", server_default="q"),
        sa.Column("r", sa.Integer, sa.ForeignKey("o.id")),
        sa.Column("e", sa.Enum("a", "b", name="myenum")),
        sa.Column("b", sa.Boolean(create_constraint=True)),
        sa.UniqueConstraint("n"),
    ]


TABLES = {
    "full": ({"comment": "t's", "schema": "s"}, {}),
    "plain": ({}, {}),
    "if_not_exists": ({"mysql_engine": "InnoDB"}, {"if_not_exists": True}),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(TABLES))
def test_create_table(dialect, case):
    table_kw, impl_kw = TABLES[case]

    def ours(impl):
        md = sa.MetaData()
        sa.Table("o", md, sa.Column("id", sa.Integer), schema=None)
        table = sa.Table("t", md, *_create_table_columns(), **table_kw)
        impl.create_table(table, **impl_kw)

    assert_same(
        dialect,
        lambda op: op.create_table("t", *_create_table_columns(), **table_kw, **impl_kw),
        ours,
    )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_create_table_with_indexes(dialect):
    def columns():
        return [
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("n", sa.Integer, index=True),
            sa.Index("ixq", "id", "n"),
        ]

    assert_same(
        dialect,
        lambda op: op.create_table("t", *columns()),
        lambda impl: impl.create_table(sa.Table("t", sa.MetaData(), *columns())),
        unordered=True,  # Alembic's index order follows a set; ours is sorted by name
    )


def test_create_table_makes_a_shared_enum_type_once():
    def ours(impl):
        for name in ("t1", "t2"):
            impl.create_table(
                sa.Table(name, sa.MetaData(), sa.Column("e", sa.Enum("a", "b", name="myenum")))
            )

    assert_same(
        "postgresql",
        lambda op: [
            op.create_table(name, sa.Column("e", sa.Enum("a", "b", name="myenum")))
            for name in ("t1", "t2")
        ],
        ours,
    )


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("kw", [{}, {"schema": "s"}, {"if_exists": True}], ids=str)
def test_drop_table(dialect, kw):
    impl_kw = {k: v for k, v in kw.items() if k != "schema"}
    assert_same(
        dialect,
        lambda op: op.drop_table("t", **kw),
        lambda impl: impl.drop_table(_table("t", schema=kw.get("schema")), **impl_kw),
    )


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("names", [("a", "b", None), ("a", "b", "s"), ("User", "Group", "My")])
def test_rename_table(dialect, names):
    old, new, schema = names
    assert_same(
        dialect,
        lambda op: op.rename_table(old, new, schema=schema),
        lambda impl: impl.rename_table(old, new, schema=schema),
    )


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("schema", [None, "s"])
def test_table_comments(dialect, schema):
    assert_same(
        dialect,
        lambda op: op.create_table_comment("t", "it's 50%", existing_comment="y", schema=schema),
        lambda impl: impl.create_table_comment(_table("t", schema=schema, comment="it's 50%")),
    )
    assert_same(
        dialect,
        lambda op: op.drop_table_comment("t", existing_comment="y", schema=schema),
        lambda impl: impl.drop_table_comment(_table("t", schema=schema)),
    )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_create_column_comment(dialect):
    def column():
        t = sa.Table(
            "t",
            sa.MetaData(),
            sa.Column("c", sa.String(5), nullable=False, server_default="x", comment="cc"),
            schema="s",
        )
        return t.c.c

    assert_same(
        dialect,
        lambda op: op.impl.create_column_comment(column()),
        lambda impl: impl.create_column_comment(column()),
    )


def _data_table():
    return sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.String(10)),
    )


BULK = {
    "multi": ([{"id": 1, "x": "a'b"}, {"id": 2, "x": None}], {}),
    "single_rows": ([{"id": 1, "x": "a"}, {"id": 2}], {"multiinsert": False}),
    "percent": ([{"id": 1, "x": "50%"}], {}),
    "empty": ([], {}),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(BULK))
def test_bulk_insert(dialect, case):
    rows, kw = BULK[case]
    assert_same(
        dialect,
        lambda op: op.bulk_insert(_data_table(), rows, **kw),
        lambda impl: impl.bulk_insert(_data_table(), rows, **kw),
    )


def test_bulk_insert_renders_untyped_table_values():
    table = sa.table("t", sa.column("id"), sa.column("x"))
    sql = our_sql("sqlite", lambda impl: impl.bulk_insert(table, [{"id": 1, "x": "a"}]))
    assert sql == "INSERT INTO t (id, x) VALUES (1, 'a');\n\n"


def test_bulk_insert_rejects_non_lists():
    impl = our_impl("sqlite", io.StringIO())
    with pytest.raises(TypeError):
        impl.bulk_insert(_data_table(), {"id": 1})
    with pytest.raises(TypeError):
        impl.bulk_insert(_data_table(), [("id", 1)])


EXECUTE = {
    "string": lambda: "UPDATE t SET x = 'y' ",
    "string_percent": lambda: "SELECT '%%' ",
    "text_percent": lambda: sa.text("SELECT '%'"),
    "update": lambda: _data_table().update().where(sa.column("id") == 5).values(x="z"),
    "text_bound": lambda: sa.text("UPDATE t SET x = :v").bindparams(v="q"),
    "insert": lambda: _data_table().insert().values(id=1, x="%s"),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(EXECUTE))
@pytest.mark.parametrize("literal_binds", [False, True])
def test_execute(dialect, case, literal_binds):
    opts = {"literal_binds": True} if literal_binds else {}
    assert_same(
        dialect,
        lambda op: op.execute(EXECUTE[case]()),
        lambda impl: impl.execute(EXECUTE[case]()),
        **opts,
    )


def test_begin_commit_and_listeners():
    from alembic.runtime.migration import MigrationContext

    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buf}
    )
    ctx.impl.emit_begin()
    ctx.impl.execute("SELECT 1")
    ctx.impl.emit_commit()

    ours = io.StringIO()
    impl = our_impl("postgresql", ours)
    seen = []
    impl.statement_listeners.append(seen.append)
    impl.emit_begin()
    impl.execute("SELECT 1")
    impl.emit_commit()
    assert ours.getvalue() == buf.getvalue() == "BEGIN;\n\nSELECT 1;\n\nCOMMIT;\n\n"
    assert seen == ["SELECT 1"]


def test_offline_refuses_execution_parameters():
    from engine.errors import CommandError

    impl = our_impl("sqlite", io.StringIO())
    with pytest.raises(CommandError):
        impl._exec(sa.text("SELECT :x"), params={"x": 1})


def test_alembic_output_for_sqlite_constraints_is_an_error_too():
    assert alembic_sql("sqlite", lambda op: op.create_check_constraint("ck", "t", "a > 1"))
