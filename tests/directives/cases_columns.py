"""Corpus cases: create/drop/rename tables, add/drop/alter columns."""

from __future__ import annotations

import sqlalchemy as sa

from tests.directives.case import ALL, MARIA, PG, SERVERS, Case
from tests.directives.reflect import DB


def _create_table_full(db: DB) -> None:
    assert "account" in db.tables
    cols = db.columns("account")
    assert db.pk("account") == ["id"]
    assert cols["email"]["nullable"] is False
    assert ("email",) in db.unique_column_sets("account")
    assert ("name", "status") in db.unique_column_sets("account")
    assert db.indexes("account")["ix_account_name"]["column_names"] == ["name"]
    assert db.default("account", "status") == "new"
    assert cols["created"]["default"] is not None
    (fk,) = db.fks("account")
    assert fk["name"] == "fk_account_parent" or db.dialect == "sqlite"
    assert (fk["referred_table"], fk["referred_columns"]) == ("parent", ["id"])
    assert fk["options"].get("ondelete") == "CASCADE"
    assert "ck_account_score" in db.checks("account")
    if db.dialect != "sqlite":  # SQLite keeps no comments
        assert db.table_comment("account") == "user accounts"
        assert cols["status"]["comment"] == "account state"


def _dropped_doomed(db: DB) -> None:
    assert "doomed" not in db.tables


def _added_columns(db: DB) -> None:
    cols = db.columns("child")
    assert cols["age"]["nullable"] is False
    assert db.default("child", "age") == "0"
    assert db.rows("SELECT age FROM child ORDER BY id") == [(0,), (0,)]
    if db.dialect != "sqlite":
        assert cols["note"]["comment"] == "free text"


def _dropped_code(db: DB) -> None:
    assert db.column_names("child") == ["id", "parent_id", "name"]


def _name_not_null(db: DB) -> None:
    assert db.columns("child")["name"]["nullable"] is False


def _name_200(db: DB) -> None:
    assert db.columns("child")["name"]["type"].length == 200


def _code_integer(db: DB) -> None:
    assert isinstance(db.columns("child")["code"]["type"], sa.Integer)
    assert db.rows("SELECT code FROM child ORDER BY id") == [(10,), (20,)]


def _name_default_second(db: DB) -> None:
    assert db.default("child", "name") == "second"
    assert db.default("child", "parent_id") == "1"


def _flags_no_default(db: DB) -> None:
    assert db.default("flags", "state") is None


def _renamed_column(db: DB) -> None:
    assert db.column_names("child") == ["id", "parent_id", "title", "code"]
    assert db.rows("SELECT title FROM child ORDER BY id") == [("a",), ("b",)]


def _column_comment(db: DB) -> None:
    assert db.columns("child")["name"]["comment"] == "display name"


def _existing_kept(db: DB) -> None:
    nick = db.columns("profile")["nick"]
    assert nick["nullable"] is False
    assert db.default("profile", "nick") == "anon"
    assert nick["comment"] == "nick name"
    assert nick["type"].length == 30


def _autoincrement(db: DB) -> None:
    assert db.columns("counter")["id"]["autoincrement"] is True
    db.conn.execute(sa.text("INSERT INTO counter (n) VALUES (5)"))
    assert db.scalar("SELECT id FROM counter WHERE n = 5") is not None
    db.conn.rollback()


def _renamed_table(db: DB) -> None:
    assert "kid" in db.tables and "child" not in db.tables
    assert db.rows("SELECT name FROM kid ORDER BY id") == [("a",), ("b",)]


def _enum_table(db: DB) -> None:
    kind = db.columns("feeling")["mood"]["type"]
    if db.dialect == "sqlite":  # a plain VARCHAR there
        assert kind.length == len("happy")
    else:
        assert list(kind.enums) == ["happy", "sad"]
    assert db.rows("SELECT mood FROM feeling") == [("sad",)]


def _computed(db: DB) -> None:
    cols = db.columns("measure")
    assert "computed" in cols["doubled"], cols["doubled"]
    assert db.rows("SELECT doubled FROM measure") == [(42,)]
    if db.dialect == "postgresql":
        assert cols["id"].get("identity") is not None


def _column_if_not_exists(db: DB) -> None:
    assert db.column_names("child")[-1] == "extra"


CASES = [
    Case(
        "create_table_full",
        upgrade="""
        op.create_table(
            "account",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("email", sa.String(100), nullable=False, unique=True),
            sa.Column("name", sa.String(50), index=True),
            sa.Column("status", sa.String(10), server_default="new", nullable=False,
                      comment="account state"),
            sa.Column("score", sa.Integer),
            sa.Column("created", sa.DateTime, server_default=sa.func.now()),
            sa.Column("parent_id", sa.Integer,
                      sa.ForeignKey("parent.id", name="fk_account_parent", ondelete="CASCADE")),
            sa.UniqueConstraint("name", "status", name="uq_account_name_status"),
            sa.CheckConstraint("score >= 0", name="ck_account_score"),
            comment="user accounts",
        )
        """,
        downgrade='op.drop_table("account")',
        check_up=_create_table_full,
    ),
    Case(
        "drop_table",
        setup="""
        op.create_table(
            "doomed",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("label", sa.String(30), server_default="x"),
        )
        op.create_index("ix_doomed_label", "doomed", ["label"])
        """,
        setup_down='op.drop_table("doomed")',
        upgrade='op.drop_table("doomed")',
        downgrade="""
        op.create_table(
            "doomed",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("label", sa.String(30), server_default="x"),
        )
        op.create_index("ix_doomed_label", "doomed", ["label"])
        """,
        check_up=_dropped_doomed,
    ),
    Case(
        "add_column",
        upgrade="""
        op.add_column("child", sa.Column("age", sa.Integer, nullable=False, server_default="0"))
        op.add_column("child", sa.Column("note", sa.String(40), comment="free text"))
        """,
        downgrade="""
        op.drop_column("child", "note")
        op.drop_column("child", "age")
        """,
        check_up=_added_columns,
    ),
    Case(
        "drop_column",
        upgrade='op.drop_column("child", "code")',
        downgrade='op.add_column("child", sa.Column("code", sa.String(20)))',
        check_up=_dropped_code,
        down_data=False,  # the dropped values do not come back
    ),
    Case(
        "alter_column_nullable",
        upgrade='op.alter_column("child", "name", existing_type=sa.String(50), nullable=False)',
        downgrade='op.alter_column("child", "name", existing_type=sa.String(50), nullable=True)',
        check_up=_name_not_null,
        dialects=SERVERS,
    ),
    Case(
        "alter_column_type",
        upgrade='op.alter_column("child", "name", type_=sa.String(200), '
        "existing_type=sa.String(50))",
        downgrade='op.alter_column("child", "name", type_=sa.String(50), '
        "existing_type=sa.String(200))",
        check_up=_name_200,
        dialects=SERVERS,
    ),
    Case(
        "alter_column_postgresql_using",
        upgrade='op.alter_column("child", "code", type_=sa.Integer, '
        'existing_type=sa.String(20), postgresql_using="code::integer")',
        downgrade='op.alter_column("child", "code", type_=sa.String(20), '
        'existing_type=sa.Integer, postgresql_using="code::varchar(20)")',
        check_up=_code_integer,
        dialects=frozenset({PG}),
    ),
    Case(
        "alter_column_server_default_set_change",
        upgrade="""
        op.alter_column("child", "name", existing_type=sa.String(50), server_default="first")
        op.alter_column("child", "name", existing_type=sa.String(50), server_default="second",
                        existing_server_default="first")
        op.alter_column("child", "parent_id", existing_type=sa.Integer,
                        server_default=sa.text("1"))
        """,
        downgrade="""
        op.alter_column("child", "parent_id", existing_type=sa.Integer, server_default=None)
        op.alter_column("child", "name", existing_type=sa.String(50), server_default=None,
                        existing_server_default="second")
        """,
        check_up=_name_default_second,
        dialects=SERVERS,
    ),
    Case(
        "alter_column_server_default_drop",
        setup="""
        op.create_table(
            "flags",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("state", sa.String(10), server_default="on", nullable=False),
        )
        """,
        setup_down='op.drop_table("flags")',
        upgrade='op.alter_column("flags", "state", existing_type=sa.String(10), '
        "existing_nullable=False, server_default=None)",
        downgrade='op.alter_column("flags", "state", existing_type=sa.String(10), '
        'existing_nullable=False, server_default="on")',
        check_up=_flags_no_default,
        dialects=SERVERS,
    ),
    Case(
        "alter_column_new_column_name",
        upgrade='op.alter_column("child", "name", new_column_name="title", '
        "existing_type=sa.String(50))",
        downgrade='op.alter_column("child", "title", new_column_name="name", '
        "existing_type=sa.String(50))",
        check_up=_renamed_column,
        dialects=ALL,
    ),
    Case(
        "alter_column_comment",
        upgrade='op.alter_column("child", "name", comment="display name", '
        "existing_type=sa.String(50), existing_nullable=True)",
        downgrade='op.alter_column("child", "name", comment=None, '
        'existing_comment="display name", existing_type=sa.String(50), existing_nullable=True)',
        check_up=_column_comment,
        dialects=SERVERS,
    ),
    Case(
        "alter_column_existing_args",
        setup="""
        op.create_table(
            "profile",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("nick", sa.String(30), server_default="anon", comment="nick name"),
        )
        """,
        setup_down='op.drop_table("profile")',
        upgrade='op.alter_column("profile", "nick", nullable=False, existing_type=sa.String(30), '
        'existing_server_default="anon", existing_comment="nick name")',
        downgrade='op.alter_column("profile", "nick", nullable=True, existing_type=sa.String(30), '
        'existing_server_default="anon", existing_comment="nick name")',
        check_up=_existing_kept,
        dialects=SERVERS,
    ),
    Case(
        "alter_column_autoincrement",
        setup="""
        op.create_table(
            "counter",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("n", sa.Integer),
        )
        """,
        setup_down='op.drop_table("counter")',
        upgrade='op.alter_column("counter", "id", existing_type=sa.Integer, autoincrement=True, '
        "existing_nullable=False)",
        downgrade='op.alter_column("counter", "id", existing_type=sa.Integer, '
        "autoincrement=False, existing_nullable=False)",
        check_up=_autoincrement,
        dialects=frozenset({MARIA}),  # the only one of the three with ALTER ... AUTO_INCREMENT
    ),
    Case(
        "rename_table",
        upgrade='op.rename_table("child", "kid")',
        downgrade='op.rename_table("kid", "child")',
        check_up=_renamed_table,
    ),
    Case(
        "add_column_if_not_exists",
        upgrade="""
        op.add_column("child", sa.Column("extra", sa.Integer), if_not_exists=True)
        op.add_column("child", sa.Column("extra", sa.Integer), if_not_exists=True)
        """,
        downgrade="""
        op.drop_column("child", "extra", if_exists=True)
        op.drop_column("child", "extra", if_exists=True)
        """,
        check_up=_column_if_not_exists,
        dialects=SERVERS,  # SQLite has no ADD COLUMN IF NOT EXISTS
    ),
    Case(
        "create_table_enum",
        setup=None,
        upgrade="""
        op.create_table(
            "feeling",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("mood", sa.Enum("happy", "sad", name="mood")),
        )
        op.execute("INSERT INTO feeling (id, mood) VALUES (1, 'sad')")
        """,
        downgrade="""
        op.drop_table("feeling")
        if op.get_context().dialect.name == "postgresql":
            # create_table made the type; drop_table leaves it (as in Alembic).
            op.execute("DROP TYPE mood")
        """,
        check_up=_enum_table,
    ),
    Case(
        "create_table_identity_computed",
        setup=None,
        upgrade="""
        identity = [sa.Identity()] if op.get_context().dialect.name == "postgresql" else []
        op.create_table(
            "measure",
            sa.Column("id", sa.Integer, *identity, primary_key=True),
            sa.Column("value", sa.Integer),
            sa.Column("doubled", sa.Integer, sa.Computed("value * 2", persisted=True)),
        )
        op.execute("INSERT INTO measure (value) VALUES (21)")
        """,
        downgrade='op.drop_table("measure")',
        check_up=_computed,
    ),
]
