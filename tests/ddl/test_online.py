"""Impl methods run on real databases; results checked by reflection."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.ddl import DefaultImpl, MariaDBImpl, PostgresqlImpl, SQLiteImpl
from engine.errors import CommandError


def _create(conn, *columns, name="t", **kw):
    table = sa.Table(name, sa.MetaData(), *columns, **kw)
    table.create(conn)
    return table


def _columns(conn, table="t"):
    return {c["name"]: c for c in sa.inspect(conn).get_columns(table)}


def _kind(conn):
    return "mariadb" if getattr(conn.dialect, "is_mariadb", False) else conn.dialect.name


def test_impl_class_matches_the_database(conn, impl):
    expected = {"sqlite": SQLiteImpl, "postgresql": PostgresqlImpl, "mariadb": MariaDBImpl}
    assert type(impl) is expected[_kind(conn)]
    assert impl.bind is conn


def test_add_and_drop_column(conn, impl):
    _create(conn, sa.Column("id", sa.Integer, primary_key=True))
    conn.execute(sa.text("INSERT INTO t (id) VALUES (1)"))
    impl.add_column("t", sa.Column("c", sa.String(20), nullable=False, server_default="x"))
    impl.add_column("t", sa.Column("n", sa.Integer))
    cols = _columns(conn)
    assert cols["c"]["nullable"] is False and "x" in str(cols["c"]["default"])
    assert conn.execute(sa.text("SELECT c FROM t")).scalar() == "x"
    impl.drop_column("t", sa.Column("n", sa.Integer))
    assert set(_columns(conn)) == {"id", "c"}


def test_add_column_if_not_exists(conn, impl):
    if _kind(conn) == "sqlite":
        pytest.skip("SQLite has no ADD COLUMN IF NOT EXISTS")
    _create(conn, sa.Column("id", sa.Integer, primary_key=True))
    impl.add_column("t", sa.Column("c", sa.Integer), if_not_exists=True)
    impl.add_column("t", sa.Column("c", sa.Integer), if_not_exists=True)
    impl.drop_column("t", sa.Column("c", sa.Integer), if_exists=True)
    impl.drop_column("t", sa.Column("c", sa.Integer), if_exists=True)
    assert set(_columns(conn)) == {"id"}


def test_alter_column_rename(conn, impl):
    _create(conn, sa.Column("id", sa.Integer, primary_key=True), sa.Column("c", sa.Integer))
    impl.alter_column("t", "c", name="d", existing_type=sa.Integer(), existing_nullable=True)
    assert set(_columns(conn)) == {"id", "d"}


def test_alter_column_nullable_type_default(conn, impl):
    if _kind(conn) == "sqlite":
        _create(conn, sa.Column("c", sa.Integer))
        with pytest.raises(CommandError, match="with ALTER TABLE") as info:
            impl.alter_column("t", "c", nullable=False)
        assert "batch_alter_table" in info.value.hint
        return
    _create(conn, sa.Column("c", sa.Integer, server_default="3", comment="keep me"))
    impl.alter_column(
        "t",
        "c",
        nullable=False,
        existing_type=sa.Integer(),
        existing_server_default="3",
        existing_comment="keep me",
    )
    col = _columns(conn)["c"]
    assert col["nullable"] is False
    assert "3" in str(col["default"]) and col["comment"] == "keep me"

    impl.alter_column(
        "t",
        "c",
        type_=sa.BigInteger(),
        existing_nullable=False,
        existing_server_default="3",
        existing_comment="keep me",
    )
    col = _columns(conn)["c"]
    assert isinstance(col["type"], sa.BigInteger) and col["nullable"] is False

    impl.alter_column("t", "c", server_default="7", existing_type=sa.BigInteger())
    assert "7" in str(_columns(conn)["c"]["default"])
    impl.alter_column("t", "c", server_default=None, existing_type=sa.BigInteger())
    assert _columns(conn)["c"]["default"] is None


def test_alter_column_comment(conn, impl):
    if _kind(conn) == "sqlite":
        pytest.skip("SQLite has no comments")
    _create(conn, sa.Column("c", sa.String(10), nullable=False))
    impl.alter_column(
        "t", "c", comment="it's 50%", existing_type=sa.String(10), existing_nullable=False
    )
    col = _columns(conn)["c"]
    assert col["comment"] == "it's 50%" and col["nullable"] is False
    impl.alter_column(
        "t",
        "c",
        comment=None,
        existing_type=sa.String(10),
        existing_nullable=False,
        existing_comment="it's 50%",
    )
    assert not _columns(conn)["c"]["comment"]


def test_tables_rename_comments_and_drop(conn, impl):
    md = sa.MetaData()
    sa.Table("o", md, sa.Column("id", sa.Integer, primary_key=True)).create(conn)
    table = sa.Table(
        "t",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("o_id", sa.Integer, sa.ForeignKey("o.id"), index=True),
        sa.Column("n", sa.String(5), comment="the n"),
        sa.UniqueConstraint("n", name="uq_n"),
        comment="the table",
    )
    impl.create_table(table)
    insp = sa.inspect(conn)
    assert [ix["name"] for ix in insp.get_indexes("t") if ix["name"] == "ix_t_o_id"]
    assert insp.get_foreign_keys("t")[0]["referred_table"] == "o"
    if _kind(conn) != "sqlite":
        assert insp.get_table_comment("t")["text"] == "the table"
        assert _columns(conn)["n"]["comment"] == "the n"
        impl.drop_table_comment(sa.Table("t", sa.MetaData()))
        assert not sa.inspect(conn).get_table_comment("t")["text"]
        impl.create_table_comment(sa.Table("t", sa.MetaData(), comment="again"))
        assert sa.inspect(conn).get_table_comment("t")["text"] == "again"
    impl.create_table(sa.Table("t", sa.MetaData(), sa.Column("x", sa.Integer)), if_not_exists=True)
    impl.rename_table("t", "t2")
    assert set(sa.inspect(conn).get_table_names()) == {"o", "t2"}
    impl.drop_table(sa.Table("t2", sa.MetaData()))
    impl.drop_table(sa.Table("t2", sa.MetaData()), if_exists=True)
    assert sa.inspect(conn).get_table_names() == ["o"]


def test_create_and_drop_index(conn, impl):
    table = _create(conn, sa.Column("a", sa.Integer), sa.Column("b", sa.String(10)))
    impl.create_index(sa.Index("ix_ab", table.c.a, table.c.b, unique=True))
    impl.create_index(sa.Index("ix_ab", table.c.a, table.c.b, unique=True), if_not_exists=True)
    indexes = {ix["name"]: ix for ix in sa.inspect(conn).get_indexes("t")}
    assert indexes["ix_ab"]["column_names"] == ["a", "b"] and indexes["ix_ab"]["unique"]
    impl.drop_index(sa.Index("ix_ab", table.c.a))
    assert sa.inspect(conn).get_indexes("t") == []


def test_constraints(conn, impl):
    md = sa.MetaData()
    sa.Table("o", md, sa.Column("id", sa.Integer, primary_key=True)).create(conn)
    t = sa.Table("t", md, sa.Column("a", sa.Integer, nullable=False), sa.Column("o_id", sa.Integer))
    t.create(conn)
    constraints = [
        sa.PrimaryKeyConstraint("a", name="pk_t"),
        sa.UniqueConstraint("o_id", name="uq_o"),
        sa.CheckConstraint("a > 0", name="ck_a"),
        sa.ForeignKeyConstraint(["o_id"], ["o.id"], name="fk_o", ondelete="CASCADE"),
    ]
    for constraint in constraints:
        t.append_constraint(constraint)
    if _kind(conn) == "sqlite":
        with pytest.raises(NotImplementedError):
            impl.add_constraint(constraints[1])
        with pytest.raises(CommandError):
            impl.drop_constraint(constraints[1])
        return
    for constraint in constraints:
        impl.add_constraint(constraint)
    insp = sa.inspect(conn)
    assert insp.get_pk_constraint("t")["constrained_columns"] == ["a"]
    assert [u["name"] for u in insp.get_unique_constraints("t")] == ["uq_o"]
    assert "ck_a" in {c["name"] for c in insp.get_check_constraints("t")}
    fk = insp.get_foreign_keys("t")[0]
    assert fk["name"] == "fk_o" and fk["options"].get("ondelete") == "CASCADE"
    for constraint in reversed(constraints):
        impl.drop_constraint(constraint)
    insp = sa.inspect(conn)
    assert insp.get_foreign_keys("t") == [] and insp.get_unique_constraints("t") == []
    assert "ck_a" not in {c["name"] for c in insp.get_check_constraints("t")}
    assert insp.get_pk_constraint("t")["constrained_columns"] == []


@pytest.mark.parametrize("multiinsert", [True, False])
def test_bulk_insert_and_execute(conn, impl, multiinsert):
    table = _create(
        conn, sa.Column("id", sa.Integer, primary_key=True), sa.Column("x", sa.String(10))
    )
    seen = []
    impl.statement_listeners.append(seen.append)
    impl.bulk_insert(table, [{"id": 1, "x": "a'b"}, {"id": 2, "x": "50%"}], multiinsert=multiinsert)
    impl.bulk_insert(
        sa.table("t", sa.column("id"), sa.column("x")),
        [{"id": 3, "x": "c"}],
        multiinsert=multiinsert,
    )
    impl.execute("UPDATE t SET x = 'z' WHERE id = 3")
    impl.execute(table.update().where(table.c.id == 1).values(x=sa.literal("q")))
    rows = conn.execute(sa.text("SELECT id, x FROM t ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [(1, "q"), (2, "50%"), (3, "z")]
    assert seen[-2] == "UPDATE t SET x = 'z' WHERE id = 3"
    assert all(s.startswith(("INSERT", "UPDATE")) for s in seen)
    assert len(seen) == (4 if multiinsert else 5)


def test_execute_options_and_results(conn, impl):
    result = impl._exec(sa.text("SELECT 1 + :x"), params={"x": 2})
    assert result.scalar() == 3
    impl.execute(sa.text("SELECT 1"), execution_options={"stream_results": False})


def test_listener_sees_each_statement_of_create_table(conn, impl):
    seen = []
    impl.statement_listeners.append(seen.append)
    impl.create_table(sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer, index=True)))
    assert [s.split("(")[0].strip() for s in seen] == ["CREATE TABLE t", "CREATE INDEX ix_t_a ON t"]


@pytest.mark.postgresql
def test_postgresql_type_using_identity_and_enum(pg_db):
    engine = sa.create_engine(pg_db)
    try:
        with engine.begin() as conn:
            impl = DefaultImpl.get_by_dialect(conn.dialect)(
                conn.dialect, conn, False, None, None, {}
            )
            seen = []
            impl.statement_listeners.append(seen.append)
            impl.create_table(
                sa.Table(
                    "t",
                    sa.MetaData(),
                    sa.Column("id", sa.Integer, nullable=False),
                    sa.Column("s", sa.String(10)),
                    sa.Column("e", sa.Enum("a", "b", name="myenum")),
                )
            )
            assert seen[0].startswith("CREATE TYPE myenum")
            conn.execute(sa.text("INSERT INTO t (id, s, e) VALUES (1, '42', 'a')"))
            impl.alter_column("t", "s", type_=sa.Integer(), postgresql_using="s::integer")
            assert isinstance(_columns(conn)["s"]["type"], sa.Integer)
            impl.alter_column("t", "id", server_default=sa.Identity(start=10))
            conn.execute(sa.text("INSERT INTO t (s) VALUES (5)"))
            assert conn.execute(sa.text("SELECT max(id) FROM t")).scalar() == 10
            impl.alter_column(
                "t",
                "id",
                server_default=sa.Identity(start=10, increment=5),
                existing_server_default=sa.Identity(start=10),
            )
            impl.alter_column(
                "t",
                "id",
                server_default=None,
                existing_server_default=sa.Identity(start=10, increment=5),
            )
            assert _columns(conn)["id"].get("identity") is None
    finally:
        engine.dispose()


@pytest.mark.mariadb
def test_mariadb_modify_keeps_what_it_is_told_and_autoincrement(maria_db):
    engine = sa.create_engine(maria_db)
    try:
        with engine.begin() as conn:
            impl = DefaultImpl.get_by_dialect(conn.dialect)(
                conn.dialect, conn, False, None, None, {}
            )
            _create(
                conn,
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                sa.Column("c", sa.String(5)),
            )
            impl.alter_column(
                "t", "id", autoincrement=True, existing_type=sa.Integer(), existing_nullable=False
            )
            conn.execute(sa.text("INSERT INTO t (c) VALUES ('x')"))
            assert conn.execute(sa.text("SELECT id FROM t")).scalar() == 1
            impl.alter_column(
                "t",
                "c",
                name="d",
                nullable=False,
                server_default="q",
                comment="dd",
                existing_type=sa.String(5),
            )
            col = _columns(conn)["d"]
            assert col["nullable"] is False and "q" in col["default"] and col["comment"] == "dd"
            with pytest.raises(CommandError, match="generic"):
                impl.drop_constraint(sa.Constraint(name="x"))
    finally:
        engine.dispose()
