"""Corpus cases: batch_alter_table (move-and-copy on SQLite, pass-through or
forced recreate elsewhere)."""

from __future__ import annotations

from tests.directives.case import ALL, PG, SERVERS, SQLITE, Case
from tests.directives.reflect import DB

# Offline, a batch that must recreate the table needs ``copy_from`` (there is
# nothing to reflect): "auto" recreates on SQLite only, "always" everywhere.
NO_SQLITE_OFFLINE = SERVERS
NO_OFFLINE: frozenset[str] = frozenset()


def _batch_auto(db: DB) -> None:
    cols = db.columns("child")
    # Order not asserted: Alembic's SQLite move-and-copy gives id, age, parent_id, name here.
    assert set(cols) == {"id", "parent_id", "name", "age"}
    assert cols["name"]["nullable"] is False
    assert cols["name"]["type"].length == 80
    assert db.default("child", "age") == "7"
    assert "ix_child_age" in db.indexes("child")
    assert db.rows("SELECT id, name, age FROM child ORDER BY id") == [(1, "a", 7), (2, "b", 7)]


def _batch_constraints(db: DB) -> None:
    assert ("code",) in db.unique_column_sets("child")
    (fk,) = db.fks("child")
    assert fk["referred_table"] == "parent"
    assert fk["options"].get("ondelete") == "CASCADE"
    assert "ck_child_code" in db.checks("child")
    assert db.rows("SELECT id, code FROM child ORDER BY id") == [(1, "10"), (2, "20")]


def _insert_after(db: DB) -> None:
    assert db.column_names("child") == ["id", "rank", "parent_id", "name", "flag", "code"]
    assert db.rows("SELECT id, name FROM child ORDER BY id") == [(1, "a"), (2, "b")]


def _reordered(db: DB) -> None:
    names = db.column_names("child")
    assert names.index("code") < names.index("name"), names
    assert db.rows("SELECT code, name FROM child ORDER BY id") == [("10", "a"), ("20", "b")]


def _convention_dropped(db: DB) -> None:
    assert ("code",) not in db.unique_column_sets("tagged")


def _convention_restored(db: DB) -> None:
    assert db.uniques("tagged") == {"uq_tagged_code": ["code"]}


def _copy_from_always(db: DB) -> None:
    assert db.column_names("child") == ["id", "rank", "parent_id", "name", "code"]
    assert ("code",) in db.unique_column_sets("child")
    assert db.rows("SELECT id, name, code FROM child ORDER BY id") == [
        (1, "a", "10"),
        (2, "b", "20"),
    ]


def _copy_from(db: DB) -> None:
    assert db.column_names("child") == ["id", "parent_id", "title", "code", "extra"]
    assert db.rows("SELECT title FROM child ORDER BY id") == [("a",), ("b",)]


CHILD_TABLE = """
def child_table(name_col, *extra):
    return sa.Table(
        "child",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer),
        sa.Column(name_col, sa.String(50)),
        sa.Column("code", sa.String(20)),
        *extra,
    )
"""

CASES = [
    Case(
        "batch_auto",
        upgrade="""
        with op.batch_alter_table("child") as batch_op:
            batch_op.add_column(sa.Column("age", sa.Integer, server_default="7"))
            batch_op.alter_column("name", existing_type=sa.String(50), type_=sa.String(80),
                                  nullable=False)
            batch_op.drop_column("code")
            batch_op.create_index("ix_child_age", ["age"])
        """,
        downgrade="""
        with op.batch_alter_table("child") as batch_op:
            batch_op.drop_index("ix_child_age")
            batch_op.add_column(sa.Column("code", sa.String(20)))
            batch_op.alter_column("name", existing_type=sa.String(80), type_=sa.String(50),
                                  nullable=True)
            batch_op.drop_column("age")
        """,
        check_up=_batch_auto,
        down_data=False,  # "code" comes back empty
        offline=NO_SQLITE_OFFLINE,
    ),
    Case(
        "batch_always_constraints",
        upgrade="""
        with op.batch_alter_table("child", recreate="always") as batch_op:
            batch_op.create_unique_constraint("uq_child_code", ["code"])
            batch_op.create_foreign_key("fk_child_parent", "parent", ["parent_id"], ["id"],
                                        ondelete="CASCADE")
            batch_op.create_check_constraint("ck_child_code", sa.text("length(code) > 1"))
        """,
        downgrade="""
        with op.batch_alter_table("child", recreate="always") as batch_op:
            batch_op.drop_constraint("ck_child_code", type_="check")
            batch_op.drop_constraint("fk_child_parent", type_="foreignkey")
            batch_op.drop_constraint("uq_child_code", type_="unique")
        """,
        check_up=_batch_constraints,
        # MariaDB reflects a unique constraint as a unique index, so a move-and-copy
        # batch there cannot find "uq_child_code" to drop (Alembic: "No such constraint").
        dialects=frozenset({SQLITE, PG}),
        offline=NO_OFFLINE,
    ),
    Case(
        "batch_insert_after",
        upgrade="""
        with op.batch_alter_table("child", recreate="always") as batch_op:
            batch_op.add_column(sa.Column("rank", sa.Integer), insert_after="id")
            batch_op.add_column(sa.Column("flag", sa.Integer), insert_before="code")
        """,
        downgrade="""
        with op.batch_alter_table("child", recreate="always") as batch_op:
            batch_op.drop_column("flag")
            batch_op.drop_column("rank")
        """,
        check_up=_insert_after,
        offline=NO_OFFLINE,
    ),
    Case(
        "batch_partial_reordering",
        upgrade="""
        with op.batch_alter_table(
            "child", recreate="always", partial_reordering=[("code", "name")]
        ) as batch_op:
            pass
        """,
        downgrade="""
        with op.batch_alter_table(
            "child", recreate="always", partial_reordering=[("name", "code")]
        ) as batch_op:
            pass
        """,
        check_up=_reordered,
        offline=NO_OFFLINE,
    ),
    Case(
        "batch_naming_convention",
        setup="""
        op.create_table(
            "tagged",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("code", sa.String(10)),
            sa.UniqueConstraint("code"),
        )
        """,
        setup_down='op.drop_table("tagged")',
        upgrade="""
        with op.batch_alter_table(
            "tagged", naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"}
        ) as batch_op:
            batch_op.drop_constraint("uq_tagged_code", type_="unique")
        """,
        downgrade="""
        with op.batch_alter_table("tagged") as batch_op:
            batch_op.create_unique_constraint("uq_tagged_code", ["code"])
        """,
        check_up=_convention_dropped,
        check_down=_convention_restored,
        dialects=frozenset({SQLITE}),  # unnamed constraints only exist there
        offline=frozenset(),
    ),
    Case(
        "batch_copy_from",
        prelude=CHILD_TABLE,
        upgrade="""
        with op.batch_alter_table("child", copy_from=child_table("name")) as batch_op:
            batch_op.alter_column("name", new_column_name="title", existing_type=sa.String(50))
            batch_op.add_column(sa.Column("extra", sa.Integer))
        """,
        downgrade="""
        table = child_table("title", sa.Column("extra", sa.Integer))
        with op.batch_alter_table("child", copy_from=table) as batch_op:
            batch_op.alter_column("title", new_column_name="name", existing_type=sa.String(50))
            batch_op.drop_column("extra")
        """,
        check_up=_copy_from,
        dialects=ALL,
    ),
    Case(
        "batch_copy_from_always",
        prelude=CHILD_TABLE,
        upgrade="""
        with op.batch_alter_table(
            "child", recreate="always", copy_from=child_table("name")
        ) as batch_op:
            batch_op.add_column(sa.Column("rank", sa.Integer), insert_after="id")
            batch_op.create_unique_constraint("uq_child_code", ["code"])
        """,
        downgrade="""
        table = child_table(
            "name", sa.Column("rank", sa.Integer), sa.UniqueConstraint("code", name="uq_child_code")
        )
        with op.batch_alter_table("child", recreate="always", copy_from=table) as batch_op:
            batch_op.drop_constraint("uq_child_code", type_="unique")
            batch_op.drop_column("rank")
        """,
        check_up=_copy_from_always,
        dialects=ALL,
    ),
]
