"""The move-and-copy rebuild on its own: recorded changes -> new table -> copied rows.

These drive ``TableRebuild`` directly with a tiny DDL runner (``DirectDDL``) that
executes SQLAlchemy DDL constructs on a real SQLite file, so the copy logic is
tested without the rest of the runtime. End-to-end tests through ``op`` live in
test_batch_online.py.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable

from engine.operations.batch import move_and_copy
from engine.operations.batch_apply import TableRebuild
from engine.operations.batch_plans import BatchError


class DirectDDL:
    """Just enough of an Impl for ``move_and_copy``: executes on a connection."""

    as_sql = False

    def prep_table_for_batch(self, batch_impl: Any, table: sa.Table) -> None:
        pass

    def __init__(self, connection: sa.Connection) -> None:
        self.bind = connection
        self.dialect = connection.dialect
        self.statements: list[str] = []

    def _exec(self, construct: Any) -> None:
        self.statements.append(str(construct.compile(dialect=self.dialect)).strip())
        self.bind.execute(construct)

    def create_table(self, table: sa.Table) -> None:
        self._exec(CreateTable(table))

    def drop_table(self, table: sa.Table) -> None:
        self._exec(DropTable(table))

    def rename_table(self, old: str, new: str, schema: str | None = None) -> None:
        prep = self.dialect.identifier_preparer
        self._exec(sa.text(f"ALTER TABLE {prep.quote(old)} RENAME TO {prep.quote(new)}"))

    def create_index(self, index: sa.Index, **kw: Any) -> None:
        self._exec(CreateIndex(index))


SCHEMA = [
    "CREATE TABLE parent (id INTEGER PRIMARY KEY, label VARCHAR(10))",
    """CREATE TABLE t (
        id INTEGER NOT NULL PRIMARY KEY,
        name VARCHAR(20) NOT NULL DEFAULT 'n',
        amount INTEGER,
        note VARCHAR(30),
        parent_id INTEGER,
        up_id INTEGER,
        CONSTRAINT ck_amount CHECK (amount >= 0),
        CONSTRAINT uq_name UNIQUE (name),
        CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id),
        CONSTRAINT fk_up FOREIGN KEY (up_id) REFERENCES t (id)
    )""",
    "CREATE INDEX ix_t_amount ON t (amount)",
    "CREATE TABLE child (id INTEGER PRIMARY KEY, t_id INTEGER REFERENCES t (id))",
    "INSERT INTO parent VALUES (1, 'p1'), (2, 'p2')",
    "INSERT INTO t VALUES (1, 'a', 10, 'x', 1, NULL), (2, 'b', 20, NULL, 2, 1)",
    "INSERT INTO child VALUES (1, 2)",
]


@pytest.fixture
def conn(sqlite_url: str):
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as connection:
        for stmt in SCHEMA:
            connection.exec_driver_sql(stmt)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def reflect(conn: sa.Connection, name: str = "t") -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=conn)


def rebuild(conn: sa.Connection, **kw: Any) -> TableRebuild:
    return TableRebuild(reflect(conn), reflected=True, **kw)


def rows(conn: sa.Connection, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.exec_driver_sql(sql)]


def schema_of(conn: sa.Connection, table: str = "t") -> dict[str, Any]:
    insp = sa.inspect(conn)
    return {
        "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)],
        "pk": insp.get_pk_constraint(table)["constrained_columns"],
        "fks": sorted(
            (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
            for fk in insp.get_foreign_keys(table)
        ),
        "uniques": sorted(
            (u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(table)
        ),
        "checks": sorted((c["name"], c["sqltext"]) for c in insp.get_check_constraints(table)),
        "indexes": sorted((i["name"], tuple(i["column_names"])) for i in insp.get_indexes(table)),
    }


def test_unchanged_copy_keeps_rows_constraints_and_indexes(conn):
    before = schema_of(conn)
    move_and_copy(rebuild(conn), DirectDDL(conn))
    assert schema_of(conn) == before
    assert rows(conn, "SELECT * FROM t ORDER BY id") == [
        (1, "a", 10, "x", 1, None),
        (2, "b", 20, None, 2, 1),
    ]
    # The other table's FK still names t, and the join still works.
    assert rows(conn, "SELECT t.name FROM child JOIN t ON child.t_id = t.id") == [("b",)]
    assert rows(conn, "SELECT name FROM sqlite_master WHERE name LIKE '_alembic_tmp%'") == []


def test_alter_drop_add_rename_in_one_copy(conn):
    r = rebuild(conn)
    r.alter_column("t", "amount", type_=sa.String(10))
    r.drop_column("t", sa.Column("note", sa.Integer))
    r.add_column("t", sa.Column("flag", sa.Integer, server_default="7"), insert_after="name")
    r.alter_column("t", "name", name="title", nullable=True)
    ddl = DirectDDL(conn)
    move_and_copy(r, ddl)
    insert = next(s for s in ddl.statements if s.startswith("INSERT"))
    assert "CAST(t.amount AS VARCHAR(10)) AS amount" in insert
    assert "note" not in insert and "flag" not in insert
    info = schema_of(conn)
    assert info["columns"] == [
        ("id", "INTEGER", False),
        ("title", "VARCHAR(20)", True),
        ("flag", "INTEGER", True),
        ("amount", "VARCHAR(10)", True),
        ("parent_id", "INTEGER", True),
        ("up_id", "INTEGER", True),
    ]
    assert info["uniques"] == [("uq_name", ("title",))]
    assert info["fks"] == [("fk_parent", ("parent_id",), "parent"), ("fk_up", ("up_id",), "t")]
    assert info["indexes"] == [("ix_t_amount", ("amount",))]
    assert rows(conn, "SELECT id, title, flag, amount FROM t ORDER BY id") == [
        (1, "a", 7, "10"),
        (2, "b", 7, "20"),
    ]


def test_constraints_added_and_dropped_by_name(conn):
    r = rebuild(conn)
    r.drop_constraint(sa.CheckConstraint("x", name="ck_amount"))
    r.drop_constraint(sa.ForeignKeyConstraint([], [], name="fk_parent"))
    r.drop_constraint(sa.UniqueConstraint(name="uq_name"))
    helper = sa.Table("t", sa.MetaData(), sa.Column("amount"), sa.Column("name"))
    r.add_constraint(sa.CheckConstraint("amount < 1000", name="ck_small"))
    r.add_constraint(sa.UniqueConstraint(helper.c.amount, helper.c.name, name="uq_amount_name"))
    fk_host = sa.Table("t", sa.MetaData(), sa.Column("note"), sa.Column("parent_id"))
    parent = sa.Table("parent", fk_host.metadata, sa.Column("id"), sa.Column("label"))
    fk = sa.ForeignKeyConstraint(["note"], [parent.c.label], name="fk_note", ondelete="CASCADE")
    fk_host.append_constraint(fk)
    r.add_constraint(fk)
    move_and_copy(r, DirectDDL(conn))
    info = schema_of(conn)
    assert info["checks"] == [("ck_small", "amount < 1000")]
    assert info["uniques"] == [("uq_amount_name", ("amount", "name"))]
    assert info["fks"] == [("fk_note", ("note",), "parent"), ("fk_up", ("up_id",), "t")]
    fk_info = [f for f in sa.inspect(conn).get_foreign_keys("t") if f["name"] == "fk_note"]
    assert fk_info[0]["options"] == {"ondelete": "CASCADE"}


def test_unknown_names_are_clear_errors(conn):
    r = rebuild(conn)
    with pytest.raises(BatchError, match="No such constraint: 'nope'"):
        r.drop_constraint(sa.CheckConstraint("x", name="nope"))
    with pytest.raises(BatchError, match="No column named 'nope'"):
        r.alter_column("t", "nope", nullable=True)
    with pytest.raises(BatchError, match="No such index: 'ix_nope'"):
        r.drop_index(sa.Index("ix_nope"))
    with pytest.raises(BatchError, match="already exists"):
        r.add_column("t", sa.Column("name", sa.Integer))


def test_dropping_a_column_drops_what_uses_it(conn):
    r = rebuild(conn)
    r.drop_column("t", sa.Column("amount"))
    r.drop_constraint(sa.CheckConstraint("x", name="ck_amount"))  # as Alembic asks
    r.drop_column("t", sa.Column("parent_id"))
    move_and_copy(r, DirectDDL(conn))
    info = schema_of(conn)
    assert info["indexes"] == []
    assert info["fks"] == [("fk_up", ("up_id",), "t")]


def test_indexes_dropped_and_created(conn):
    r = rebuild(conn)
    r.drop_index(sa.Index("ix_t_amount"))
    helper = sa.Table("t", sa.MetaData(), sa.Column("name"), sa.Column("note"))
    r.create_index(sa.Index("ix_t_name_note", helper.c.name, helper.c.note, unique=True))
    r.alter_column("t", "note", name="memo")
    move_and_copy(r, DirectDDL(conn))
    assert schema_of(conn)["indexes"] == [("ix_t_name_note", ("name", "memo"))]
    assert rows(conn, "SELECT name FROM sqlite_master WHERE name = 'ix_t_name_note'") == [
        ("ix_t_name_note",)
    ]


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ([("parent_id", "up_id", "id", "name", "amount", "note")], None),
        ([("note", "id")], ["note", "id", "name", "amount", "parent_id", "up_id"]),
        (
            [("up_id", "name"), ("amount", "id")],
            ["amount", "id", "up_id", "name", "note", "parent_id"],
        ),
    ],
)
def test_partial_reordering(conn, groups, expected):
    r = rebuild(conn, partial_reordering=groups)
    move_and_copy(r, DirectDDL(conn))
    names = [c[0] for c in schema_of(conn)["columns"]]
    assert names == (expected or list(groups[0]))
    for group in groups:
        positions = [names.index(n) for n in group]
        assert positions == sorted(positions)
    assert rows(conn, "SELECT id, name FROM t ORDER BY id") == [(1, "a"), (2, "b")]


def test_partial_reordering_errors(conn):
    with pytest.raises(BatchError, match="circular"):
        rebuild(conn, partial_reordering=[("id", "name"), ("name", "id")]).ordered_columns()
    with pytest.raises(BatchError, match="'nope'"):
        rebuild(conn, partial_reordering=[("id", "nope")]).ordered_columns()


def test_insert_before_and_alter_position(conn):
    r = rebuild(conn)
    r.add_column("t", sa.Column("first", sa.Integer), insert_before="id")
    r.alter_column("t", "note", insert_after="first")
    move_and_copy(r, DirectDDL(conn))
    names = [c[0] for c in schema_of(conn)["columns"]]
    assert names == ["first", "note", "id", "name", "amount", "parent_id", "up_id"]


def test_rename_table_and_self_reference_follow(conn):
    r = rebuild(conn)
    r.rename_table("t", "t_new")
    r.alter_column("t", "id", name="ident")
    move_and_copy(r, DirectDDL(conn))
    info = schema_of(conn, "t_new")
    assert info["pk"] == ["ident"]
    assert ("fk_up", ("up_id",), "t_new") in info["fks"]
    fk_up = next(f for f in sa.inspect(conn).get_foreign_keys("t_new") if f["name"] == "fk_up")
    assert fk_up["referred_columns"] == ["ident"]
    assert info["indexes"] == [("ix_t_amount", ("amount",))]


def test_type_change_within_family_copies_without_cast(conn):
    r = rebuild(conn)
    r.alter_column("t", "amount", type_=sa.BigInteger)
    ddl = DirectDDL(conn)
    move_and_copy(r, ddl)
    insert = next(s for s in ddl.statements if s.startswith("INSERT"))
    assert "CAST" not in insert


def test_failed_copy_leaves_old_table_and_no_temp(conn):
    conn.exec_driver_sql("INSERT INTO t (id, name, amount) VALUES (3, 'c', NULL)")
    r = rebuild(conn)
    r.alter_column("t", "amount", nullable=False)
    with pytest.raises(sa.exc.IntegrityError):
        move_and_copy(r, DirectDDL(conn))
    names = {n for (n,) in rows(conn, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert "t" in names and "_alembic_tmp_t" not in names
    assert len(rows(conn, "SELECT * FROM t")) == 3


def test_unnamed_reflected_check_kept_unless_its_column_changes(sqlite_url):
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE u (id INTEGER PRIMARY KEY, a INTEGER CHECK (a > 0), b INT)"
        )
        move_and_copy(TableRebuild(reflect(conn, "u"), reflected=True), DirectDDL(conn))
        assert schema_of(conn, "u")["checks"] == [(None, "a > 0")]
        r = TableRebuild(reflect(conn, "u"), reflected=True)
        r.alter_column("u", "a", name="aa")
        with pytest.warns(UserWarning, match=r"Unnamed CHECK constraint \(a > 0\)"):
            move_and_copy(r, DirectDDL(conn))
        assert schema_of(conn, "u")["checks"] == []
    engine.dispose()
