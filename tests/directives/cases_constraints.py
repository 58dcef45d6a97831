"""Corpus cases: indexes, constraints, comments."""

from __future__ import annotations

from tests.directives.case import ALL, PG, SERVERS, SQLITE, Case
from tests.directives.reflect import DB


def _indexes(db: DB) -> None:
    ix = db.indexes("child")
    assert ix["ix_child_name"]["column_names"] == ["name"]
    assert not ix["ix_child_name"]["unique"]
    assert ix["ux_child_code"]["unique"]
    assert ix["ix_child_pn"]["column_names"] == ["parent_id", "name"]


def _index_names(db: DB, table: str) -> set[str]:
    """Index names straight from the catalogue (expression indexes included)."""
    if db.dialect == "sqlite":
        sql = f"SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}'"
    else:
        sql = f"SELECT indexname FROM pg_indexes WHERE tablename = '{table}'"
    return {r[0] for r in db.rows(sql)}


def _expression_index(db: DB) -> None:
    assert "ix_child_lower_name" in _index_names(db, "child")
    if db.dialect == "postgresql":
        expr = db.indexes("child")["ix_child_lower_name"]["expressions"]
        assert expr in (["lower(name::text)"], ["lower((name)::text)"])


def _maybe(db: DB) -> None:
    assert "maybe" in db.tables
    assert "ix_maybe_v" in db.indexes("maybe")


def _concurrent_index(db: DB) -> None:
    assert db.indexes("child")["ix_child_name_c"]["column_names"] == ["name"]
    valid = db.scalar(
        "SELECT indisvalid FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid "
        "WHERE relname = 'ix_child_name_c'"
    )
    assert valid is True


def _unique_constraint(db: DB) -> None:
    assert db.uniques("child")["uq_child_code"] == ["code"]


def _foreign_key(db: DB) -> None:
    (fk,) = db.fks("child")
    assert fk["name"] == "fk_child_parent"
    assert fk["constrained_columns"] == ["parent_id"]
    assert fk["options"]["ondelete"] == "CASCADE"
    assert fk["options"]["onupdate"] == "SET NULL"


def _foreign_key_deferrable(db: DB) -> None:
    (fk,) = db.fks("child")
    assert fk["options"] == {"deferrable": True, "initially": "DEFERRED", "match": "FULL"}


def _checks(db: DB) -> None:
    assert set(db.checks("child")) >= {"ck_child_code", "ck_child_pid"}


def _primary_key(db: DB) -> None:
    assert db.pk("nopk") == ["id", "k"]


def _exclude(db: DB) -> None:
    kind = db.scalar("SELECT contype FROM pg_constraint WHERE conname = 'excl_booking_during'")
    assert kind == "x"


def _dropped_all(db: DB) -> None:
    assert db.fks("rich") == []
    assert db.pk("rich") == []
    assert "uq_rich_code" not in db.uniques("rich")
    assert "ck_rich_qty" not in db.checks("rich")


def _table_comment(db: DB) -> None:
    assert db.table_comment("parent") == "the parents"


def _op_f(db: DB) -> None:
    assert "ix_child_code" in db.indexes("child")
    assert db.uniques("thing").get("uq_thing_v") == ["v"] or ("v",) in db.unique_column_sets(
        "thing"
    )


RICH = """
op.create_table(
    "rich",
    sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
    sa.Column("parent_id", sa.Integer),
    sa.Column("code", sa.String(10)),
    sa.Column("qty", sa.Integer),
    sa.PrimaryKeyConstraint("id", name="pk_rich"),
    sa.UniqueConstraint("code", name="uq_rich_code"),
    sa.ForeignKeyConstraint(["parent_id"], ["parent.id"], name="fk_rich_parent"),
    sa.CheckConstraint("qty > 0", name="ck_rich_qty"),
)
"""

CASES = [
    Case(
        "create_drop_index",
        upgrade="""
        op.create_index("ix_child_name", "child", ["name"])
        op.create_index("ux_child_code", "child", ["code"], unique=True)
        op.create_index("ix_child_pn", "child", ["parent_id", "name"])
        """,
        downgrade="""
        op.drop_index("ix_child_pn", table_name="child")
        op.drop_index("ux_child_code", table_name="child")
        op.drop_index("ix_child_name", table_name="child")
        """,
        check_up=_indexes,
    ),
    Case(
        "create_index_expression",
        upgrade='op.create_index("ix_child_lower_name", "child", [sa.text("lower(name)")])',
        downgrade='op.drop_index("ix_child_lower_name", table_name="child")',
        check_up=_expression_index,
        dialects=frozenset({SQLITE, PG}),  # MariaDB 10.x has no functional indexes
    ),
    Case(
        # what autogenerate writes for an expression index
        "create_index_literal_column",
        upgrade=(
            'op.create_index("ix_child_lower_name", "child", '
            '[sa.literal_column("lower(name)")], unique=False)'
        ),
        downgrade='op.drop_index("ix_child_lower_name", table_name="child")',
        check_up=_expression_index,
        dialects=frozenset({SQLITE, PG}),
    ),
    Case(
        "if_exists_if_not_exists",
        upgrade="""
        for _ in range(2):
            op.create_table(
                "maybe",
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("v", sa.String(10)),
                if_not_exists=True,
            )
        for _ in range(2):
            op.create_index("ix_maybe_v", "maybe", ["v"], if_not_exists=True)
        """,
        downgrade="""
        for _ in range(2):
            op.drop_index("ix_maybe_v", table_name="maybe", if_exists=True)
        for _ in range(2):
            op.drop_table("maybe", if_exists=True)
        """,
        check_up=_maybe,
    ),
    Case(
        "create_index_postgresql_concurrently",
        upgrade="""
        with op.get_context().autocommit_block():
            op.create_index("ix_child_name_c", "child", ["name"], postgresql_concurrently=True)
        """,
        downgrade="""
        with op.get_context().autocommit_block():
            op.drop_index("ix_child_name_c", table_name="child", postgresql_concurrently=True)
        """,
        check_up=_concurrent_index,
        dialects=frozenset({PG}),
    ),
    Case(
        "unique_constraint",
        upgrade='op.create_unique_constraint("uq_child_code", "child", ["code"])',
        downgrade='op.drop_constraint("uq_child_code", "child", type_="unique")',
        check_up=_unique_constraint,
        dialects=SERVERS,
    ),
    Case(
        "foreign_key",
        upgrade='op.create_foreign_key("fk_child_parent", "child", "parent", ["parent_id"], '
        '["id"], ondelete="CASCADE", onupdate="SET NULL")',
        downgrade="""
        op.drop_constraint("fk_child_parent", "child", type_="foreignkey")
        if op.get_context().dialect.name == "mysql":
            # InnoDB made an index for the key and keeps it after the key is gone.
            op.drop_index("fk_child_parent", table_name="child")
        """,
        check_up=_foreign_key,
        dialects=SERVERS,
    ),
    Case(
        "foreign_key_deferrable_match",
        upgrade='op.create_foreign_key("fk_child_parent", "child", "parent", ["parent_id"], '
        '["id"], deferrable=True, initially="DEFERRED", match="FULL")',
        downgrade='op.drop_constraint("fk_child_parent", "child", type_="foreignkey")',
        check_up=_foreign_key_deferrable,
        dialects=frozenset({PG}),  # MariaDB has no deferrable FKs and ignores MATCH
    ),
    Case(
        "check_constraint",
        upgrade="""
        op.create_check_constraint("ck_child_code", "child", "length(code) > 1")
        op.create_check_constraint("ck_child_pid", "child", sa.column("parent_id") > 0)
        """,
        downgrade="""
        op.drop_constraint("ck_child_pid", "child", type_="check")
        op.drop_constraint("ck_child_code", "child", type_="check")
        """,
        check_up=_checks,
        dialects=SERVERS,
    ),
    Case(
        "primary_key",
        setup="""
        op.create_table(
            "nopk",
            sa.Column("id", sa.Integer, nullable=False, autoincrement=False),
            sa.Column("k", sa.String(10), nullable=False),
        )
        """,
        setup_down='op.drop_table("nopk")',
        upgrade='op.create_primary_key("pk_nopk", "nopk", ["id", "k"])',
        downgrade='op.drop_constraint("pk_nopk", "nopk", type_="primary")',
        check_up=_primary_key,
        dialects=SERVERS,
    ),
    Case(
        "exclude_constraint",
        setup="""
        from sqlalchemy.dialects import postgresql
        op.create_table(
            "booking",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("room", sa.Integer),
            sa.Column("during", postgresql.TSRANGE),
        )
        """,
        setup_down='op.drop_table("booking")',
        upgrade='op.create_exclude_constraint("excl_booking_during", "booking", '
        '("during", "&&"), using="gist", where=sa.text("room > 0"))',
        downgrade='op.drop_constraint("excl_booking_during", "booking")',
        check_up=_exclude,
        dialects=frozenset({PG}),
    ),
    Case(
        "drop_constraint_each_type",
        setup='op.create_table("parent", sa.Column("id", sa.Integer, primary_key=True))\n' + RICH,
        setup_down='op.drop_table("rich")\nop.drop_table("parent")',
        upgrade="""
        op.drop_constraint("fk_rich_parent", "rich", type_="foreignkey")
        op.drop_constraint("uq_rich_code", "rich", type_="unique")
        op.drop_constraint("ck_rich_qty", "rich", type_="check")
        op.drop_constraint("pk_rich", "rich", type_="primary")
        """,
        downgrade="""
        op.create_primary_key("pk_rich", "rich", ["id"])
        op.create_check_constraint("ck_rich_qty", "rich", "qty > 0")
        op.create_unique_constraint("uq_rich_code", "rich", ["code"])
        op.create_foreign_key("fk_rich_parent", "rich", "parent", ["parent_id"], ["id"])
        """,
        check_up=_dropped_all,
        dialects=SERVERS,
    ),
    Case(
        "table_comment",
        upgrade='op.create_table_comment("parent", "the parents")',
        downgrade='op.drop_table_comment("parent", existing_comment="the parents")',
        check_up=_table_comment,
        dialects=SERVERS,
    ),
    Case(
        "op_f_names",
        upgrade="""
        op.create_index(op.f("ix_child_code"), "child", ["code"])
        op.create_table(
            "thing",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("v", sa.String(10)),
            sa.UniqueConstraint("v", name=op.f("uq_thing_v")),
        )
        """,
        downgrade="""
        op.drop_table("thing")
        op.drop_index(op.f("ix_child_code"), table_name="child")
        """,
        check_up=_op_f,
        dialects=ALL,
    ),
]
