"""The plain-DDL fast path (engine/ddl/plain_ddl.py) against SQLAlchemy's compile.

Random tables, columns and indexes, plain and not, on every dialect: whatever the
renderer returns must be byte for byte what compiling the construct gives, and it
must return something for the plain cases (or the fast path would silently be
dead). One renderer per dialect serves the whole run, so its column cache is hit
by columns of other tables and other names.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations.schemaobj import SchemaObjects as AlembicSchemaObjects
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.ext.compiler import compiles, deregister
from sqlalchemy.schema import CreateColumn, CreateIndex, CreateTable

from engine.ddl import elements as el
from engine.ddl.plain_ddl import PlainDDL
from engine.operations.base import Operations
from engine.operations.schemaobj import SchemaObjects
from engine.runtime.migration import MigrationContext

from .conftest import make_impl
from .sqltools import DIALECTS, make_dialect, our_impl

ColumnFactory = Callable[[], sa.Column[Any]]

_PLAIN_TYPES: list[Callable[[random.Random], Any]] = [
    lambda r: sa.Integer(),
    lambda r: sa.BigInteger(),
    lambda r: sa.SmallInteger(),
    lambda r: sa.String(r.choice([10, 50, 255])),
    lambda r: sa.String(20, collation=r.choice([None, "C"])),
    lambda r: sa.Text(),
    lambda r: sa.Unicode(40),
    lambda r: sa.Numeric(r.choice([None, 10, 12]), r.choice([None, 2])),
    lambda r: sa.Float(),
    lambda r: sa.DateTime(timezone=r.choice([False, True])),
    lambda r: sa.Date(),
    lambda r: sa.Time(),
    lambda r: sa.Boolean(),
    lambda r: sa.LargeBinary(),
    lambda r: sa.Uuid(),
    lambda r: sa.VARCHAR(30),
    lambda r: sa.TIMESTAMP(),
    lambda r: sa.CHAR(3),
    lambda r: sa.DOUBLE_PRECISION(),
]

_OTHER_TYPES: list[Callable[[random.Random], Any]] = [
    lambda r: sa.Enum("a", "b", name="ab_enum"),
    lambda r: sa.Boolean(create_constraint=True, name="ck_bool"),
    lambda r: sa.JSON(),
    lambda r: sa.Interval(),
    lambda r: sa.String(),  # no length: MySQL cannot compile it
    lambda r: sa.Integer().with_variant(sa.BigInteger(), "postgresql"),
    lambda r: postgresql.ARRAY(sa.Integer()),
    lambda r: mysql.VARCHAR(20, charset="utf8mb4"),
]

_DEFAULTS: list[Any] = [
    None,
    None,
    "new",
    "it's",
    "0",
    sa.text("CURRENT_TIMESTAMP"),
    sa.text("now()"),
    sa.text("'x'"),
    sa.text("1 + 1"),
    sa.func.now(),  # not plain: the compile path
    sa.text("'a:b'"),  # a colon: the compile path
]

_NAMES = ["id", "name", "Name", "select", "amount", "created_at", "a b", "x%y", "ref_id"]


def _column_factory(r: random.Random, name: str, *, plain_only: bool) -> ColumnFactory:
    """A function building the same random column again and again (each call a new
    object, as the fast and the regular path each need their own)."""
    pool = _PLAIN_TYPES if plain_only or r.random() < 0.8 else _OTHER_TYPES
    type_maker = r.choice(pool)
    seed = r.random()
    nullable = r.choice([True, False, None])
    default = r.choice(_DEFAULTS)
    extra: dict[str, Any] = {}
    roll = r.random()
    if not plain_only:
        if roll < 0.04:
            extra["comment"] = "a comment"
        elif roll < 0.08:
            extra["unique"] = True
        elif roll < 0.12:
            extra["index"] = True
        elif roll < 0.15:
            extra["default"] = 5
        elif roll < 0.18:
            extra["sqlite_on_conflict_not_null"] = "FAIL"
        elif roll < 0.20:
            extra["info"] = {"note": 1}
        elif roll < 0.24:
            extra["key"] = f"{name}_key"
        elif roll < 0.27:
            extra["autoincrement"] = r.choice([True, False])
    fk_target = f"other{r.randint(0, 3)}.id" if r.random() < 0.1 else None
    computed_or_identity = r.random()

    def make() -> sa.Column[Any]:
        kw = dict(extra)
        if nullable is not None:
            kw["nullable"] = nullable
        if default is not None:
            kw["server_default"] = default
        args: list[Any] = [type_maker(random.Random(seed))]
        if fk_target is not None:
            args.append(sa.ForeignKey(fk_target))
        identity_ok = default is None and "autoincrement" not in kw
        if not plain_only and identity_ok and computed_or_identity < 0.03:
            args.append(sa.Identity())
        elif not plain_only and identity_ok and computed_or_identity < 0.06:
            args.append(sa.Computed("1 + 1"))
        return sa.Column(name, *args, **kw)

    return make


def _table_items(r: random.Random, index: int) -> Callable[[], list[Any]]:
    """A function building the items of a random ``op.create_table`` call."""
    count = r.randint(1, 6)
    names = r.sample(_NAMES, count)
    factories = [_column_factory(r, n, plain_only=r.random() < 0.6) for n in names]
    pk_kind = r.choice(["constraint", "column", "composite", "none", "autoinc_false"])
    pk_name = r.choice([None, f"pk_t{index}"])
    fk = r.random() < 0.4
    fk_opts = r.choice(
        [
            {},
            {},
            {"ondelete": "CASCADE"},
            {"onupdate": "SET NULL", "name": f"fk_t{index}"},
            {"deferrable": True, "initially": "DEFERRED"},
            {"deferrable": False},
            {"match": "FULL"},
            {"use_alter": True, "name": f"fk_alter_t{index}"},
        ]
    )
    fk_target = r.choice(["parent{}", "s.parent{}", "other.parent{}", "Parent Table{}", "t{}"])
    fk_composite = r.random() < 0.2
    pk_deferrable = r.random() < 0.05
    unique = r.random() < 0.2
    check = r.random() < 0.1

    def items() -> list[Any]:
        cols = [f() for f in factories]
        # constraints name columns by key (a column may have a key of its own)
        first, rest = cols[0].key, [c.key for c in cols[1:]]
        out: list[Any] = list(cols)
        if pk_kind == "constraint":
            pk_kw = {"deferrable": True} if pk_deferrable else {}
            out.append(sa.PrimaryKeyConstraint(first, name=pk_name, **pk_kw))
        elif pk_kind == "column":
            cols[0].primary_key = True
        elif pk_kind == "composite" and rest:
            out.append(sa.PrimaryKeyConstraint(first, rest[0], name=pk_name))
        elif pk_kind == "autoinc_false":
            cols[0].autoincrement = False
            out.append(sa.PrimaryKeyConstraint(first))
        if fk and rest:
            target = fk_target.format(index)
            if fk_composite:
                local, remote = [rest[-1], first], [f"{target}.a", f"{target}.b"]
            else:
                local, remote = [rest[-1]], [f"{target}.id"]
            out.append(sa.ForeignKeyConstraint(local, remote, **fk_opts))
        if unique and rest:
            out.append(sa.UniqueConstraint(rest[0], name=f"uq_t{index}"))
        if check:
            out.append(sa.CheckConstraint(f"{cols[0].name} IS NOT NULL", name="ck_x"))
        return out

    return items


def _compiled(impl: Any, construct: Any) -> str:
    """The statement exactly as compiling gives it (what executing it sends)."""
    return str(construct.compile(dialect=impl.dialect))


@pytest.mark.parametrize("dialect_name", DIALECTS)
def test_create_table_matches_sqlalchemy(dialect_name: str) -> None:
    impl = our_impl(dialect_name, io.StringIO())
    renderer = PlainDDL(impl.dialect)
    assert renderer.enabled
    r = random.Random(f"create-table-{dialect_name}")
    rendered = written_keys = 0
    for i in range(400):
        items = _table_items(r, i)
        schema = r.choice([None, None, "other"])
        if_not_exists = r.random() < 0.1
        kw: dict[str, Any] = {}
        if dialect_name == "sqlite" and r.random() < 0.1:
            kw["sqlite_autoincrement"] = True
        if dialect_name == "mysql" and r.random() < 0.1:
            kw["mysql_engine"] = "InnoDB"
        if r.random() < 0.05:
            kw["comment"] = "a table"  # MySQL writes it among the table options
        fast_table = SchemaObjects().table(f"t{i}", *items(), schema=schema, **kw)
        # the oracle's table as Alembic builds it: referent placeholders made eagerly
        slow_table = AlembicSchemaObjects().table(f"t{i}", *items(), schema=schema, **kw)
        fast = renderer.create_table(fast_table, if_not_exists)
        try:
            slow = str(
                CreateTable(slow_table, if_not_exists=if_not_exists).compile(dialect=impl.dialect)
            )
        except sa.exc.SQLAlchemyError:
            assert fast is None
            continue
        if fast is not None:
            rendered += 1
            assert fast == slow, f"table {i}"
            if fast_table.foreign_key_constraints and len(fast_table.metadata.tables) == 1:
                written_keys += 1  # no referent placeholder: the key was written here
    assert rendered > 100  # the fast path does run
    assert written_keys > 20  # and writes foreign keys itself


@pytest.mark.parametrize("dialect_name", DIALECTS)
def test_add_column_matches_sqlalchemy(dialect_name: str) -> None:
    impl = our_impl(dialect_name, io.StringIO())
    renderer = PlainDDL(impl.dialect)
    r = random.Random(f"add-column-{dialect_name}")
    rendered = 0
    for i in range(400):
        make = _column_factory(r, r.choice(_NAMES), plain_only=r.random() < 0.5)
        schema = r.choice([None, "other"])
        table_name = r.choice(["t", "Order", "user"])
        fast = renderer.add_column(table_name, make(), schema)
        column = make()
        sa.Table(table_name, sa.MetaData(), column, schema=schema)
        try:
            slow = _compiled(impl, el.AddColumn(table_name, column, schema=schema))
        except sa.exc.SQLAlchemyError:
            assert fast is None
            continue
        if fast is not None:
            rendered += 1
            assert fast == slow, f"column {i}"
    assert rendered > 100


@pytest.mark.parametrize("dialect_name", DIALECTS)
def test_create_index_matches_sqlalchemy(dialect_name: str) -> None:
    impl = our_impl(dialect_name, io.StringIO())
    renderer = PlainDDL(impl.dialect)
    r = random.Random(f"create-index-{dialect_name}")
    long_name = "ix_" + "a" * 70
    rendered = 0
    for i in range(300):
        columns = r.sample(_NAMES, r.randint(1, 3))
        if r.random() < 0.1:
            columns.append(columns[0])
        name = r.choice([f"ix_{i}", sa.schema.conv(f"ix_c{i}"), "Ix Mixed", None])
        if r.random() < 0.05:
            name = sa.schema.conv(long_name)
        schema = r.choice([None, "other"])
        unique = r.random() < 0.3
        if_not_exists = r.random() < 0.2
        fast = renderer.create_index(
            name, "tbl", columns, schema, unique, if_not_exists, naming_convention=None
        )
        if name is None:
            assert fast is None
            continue
        index = SchemaObjects().index(name, "tbl", columns, schema=schema, unique=unique)
        slow = _compiled(impl, CreateIndex(index, if_not_exists=if_not_exists))
        if fast is not None:
            rendered += 1
            assert fast == slow, f"index {i}"
    assert rendered > 100


def test_index_name_under_a_constraint_name_convention_takes_the_regular_path() -> None:
    renderer = PlainDDL(make_dialect("postgresql"))
    convention = {"ix": "ix_%(constraint_name)s"}
    assert renderer.create_index("a", "t", ["x"], None, False, False, convention) is None
    conv_name = sa.schema.conv("ix_a")
    sql = renderer.create_index(conv_name, "t", ["x"], None, False, False, convention)
    assert sql == "CREATE INDEX ix_a ON t (x)"
    default = sa.MetaData().naming_convention
    assert renderer.create_index("a", "t", ["x"], None, False, False, default) is not None


def test_a_compiles_extension_turns_the_fast_path_off() -> None:
    renderer = PlainDDL(make_dialect("postgresql"))
    table = SchemaObjects().table("t", sa.Column("x", sa.Integer()))
    assert renderer.create_table(table, False) == "\nCREATE TABLE t (\n\tx INTEGER\n)\n\n"

    @compiles(CreateColumn, "postgresql")
    def _shout(element: Any, compiler: Any, **kw: Any) -> str:
        return compiler.visit_create_column(element, **kw).upper() + " /* x */"

    try:
        table = SchemaObjects().table("t", sa.Column("x", sa.Integer()))
        assert renderer.create_table(table, False) is None
        assert renderer.add_column("t", sa.Column("y", sa.Integer()), None) is None
    finally:
        deregister(CreateColumn)
    table = SchemaObjects().table("t", sa.Column("x", sa.Integer()))
    assert renderer.create_table(table, False) is not None


def test_other_dialects_compile_as_before() -> None:
    renderer = PlainDDL(make_dialect("mssql"))
    assert not renderer.enabled


# --------------------------------------------------------------------------- online


def _plain_table(name: str) -> sa.Table:
    return SchemaObjects().table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(20), server_default="new", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def test_online_plain_ddl_runs_on_the_database(conn: sa.Connection) -> None:
    impl = make_impl(conn)
    seen: list[str] = []
    impl.statement_listeners.append(lambda sql: seen.append(str(sql)))
    assert impl.plain_ddl is not None
    impl.create_table(_plain_table("plain_t"))
    ops = Operations(MigrationContext.configure(connection=conn))
    ops.add_column("plain_t", sa.Column("extra", sa.Integer()))
    ops.create_index("ix_plain_t_label", "plain_t", ["label"], unique=True)
    inspector = sa.inspect(conn)
    columns = {c["name"]: c for c in inspector.get_columns("plain_t")}
    assert list(columns) == ["id", "label", "extra"]
    assert not columns["label"]["nullable"] and "new" in str(columns["label"]["default"])
    assert [ix["name"] for ix in inspector.get_indexes("plain_t")] == ["ix_plain_t_label"]
    assert seen and seen[0].startswith("CREATE TABLE plain_t (")
    conn.execute(sa.text("INSERT INTO plain_t (id) VALUES (1)"))
    assert conn.execute(sa.text("SELECT label FROM plain_t")).scalar() == "new"


def test_an_execute_listener_sees_the_ddl_construct(conn: sa.Connection) -> None:
    seen: list[Any] = []

    def listener(connection: Any, clauseelement: Any, *args: Any) -> None:
        seen.append(clauseelement)

    sa.event.listen(conn, "before_execute", listener)
    try:
        impl = make_impl(conn)
        assert impl.plain_ddl is None
        impl.create_table(_plain_table("listened_t"))
    finally:
        sa.event.remove(conn, "before_execute", listener)
    assert any(isinstance(element, CreateTable) for element in seen)
    assert make_impl(conn).plain_ddl is not None


def test_a_schema_translate_map_takes_the_compile_path(conn: sa.Connection) -> None:
    translated = conn.execution_options(schema_translate_map={"nowhere": None})
    impl = make_impl(translated)
    assert impl.plain_ddl is None
    table = SchemaObjects().table("translated_t", sa.Column("id", sa.Integer()), schema="nowhere")
    impl.create_table(table)
    assert sa.inspect(conn).has_table("translated_t")


def test_asyncpg_keeps_the_compiled_path() -> None:
    """asyncpg's execution context clears its prepared-statement cache after DDL
    constructs only: text would leave stale plans behind."""
    from sqlalchemy.engine import URL

    from engine.ddl import DefaultImpl

    dialect = URL.create("postgresql+asyncpg").get_dialect()()
    impl = DefaultImpl.get_by_dialect(dialect)(dialect, object(), False, True, None, {})
    assert impl.plain_ddl is None


def test_a_key_to_a_missing_table_on_a_plain_metadata_fails_as_compiling_does() -> None:
    """Only a directive's own MetaData makes referent placeholders: on any other, a
    foreign key to a table it lacks cannot compile, and the fast path leaves it to
    the compile (which raises) rather than write it."""
    renderer = PlainDDL(make_dialect("postgresql"))
    table = sa.Table(
        "child",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("p", sa.Integer, sa.ForeignKey("parent.id")),
    )
    assert renderer.create_table(table, False) is None
    with pytest.raises(sa.exc.NoReferencedTableError):
        CreateTable(table).compile(dialect=make_dialect("postgresql"))
