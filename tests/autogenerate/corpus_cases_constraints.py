"""Corpus cases (see ``corpus``): indexes, unique constraints, foreign and primary
keys, comments, generated columns, filters and schemas, CHECK constraints and
PostgreSQL ENUM types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from tests.autogenerate.corpus import (
    SERVERS,
    Builder,
    C,
    Case,
    id_column,
    parent_child,
    table,
    tables,
    users,
)


def enum_table(values: Sequence[str], name: str = "mood", extra: bool = True) -> Builder:
    def build(md: sa.MetaData) -> None:
        sa.Table("people", md, id_column(), C("mood", sa.Enum(*values, name=name)))

    return build


def ignore_legacy_object(obj: Any, name: Any, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (type_ == "table" and name == "legacy")


def ignore_legacy_name(name: Any, type_: str, parent_names: dict[str, Any]) -> bool:
    return not (type_ == "table" and name == "legacy")


def version_table(md: sa.MetaData) -> None:
    sa.Table("alembic_version", md, C("version_num", sa.String(32), primary_key=True))


CONSTRAINT_CASES: list[Case] = [
    # -- indexes and unique constraints
    Case(
        "index_added",
        users(),
        users(sa.Index("ix_users_name", "name")),
        ["add_index users.ix_users_name"],
    ),
    Case(
        "index_removed",
        users(sa.Index("ix_users_name", "name")),
        users(),
        ["remove_index users.ix_users_name"],
    ),
    Case(
        "index_columns_changed",
        users(C("x", sa.Integer), sa.Index("ix_u", "name")),
        users(C("x", sa.Integer), sa.Index("ix_u", "name", "x")),
        ["remove_index users.ix_u", "add_index users.ix_u"],
    ),
    Case(
        "unique_index_added",
        users(),
        users(sa.Index("ux_users_name", "name", unique=True)),
        ["add_index users.ux_users_name"],
    ),
    Case(
        "unique_constraint_added",
        users(),
        users(sa.UniqueConstraint("name", name="uq_users_name")),
        ["add_constraint users.uq(name)"],
    ),
    Case(
        "unique_constraint_removed",
        users(sa.UniqueConstraint("name", name="uq_users_name")),
        users(),
        {
            "default": ["remove_constraint users.uq(name)"],
            "mariadb": ["remove_index users.uq_users_name"],
        },
    ),
    Case(
        "unnamed_unique_unchanged",
        table("users", C("name", sa.String(50), unique=True)),
        table("users", C("name", sa.String(50), unique=True)),
        [],
    ),
    Case(
        "uniques_and_indexes_unchanged",
        users(
            C("a", sa.Integer),
            C("b", sa.Integer),
            sa.UniqueConstraint("a", name="uq_a"),
            sa.Index("ux_b", "b", unique=True),
            sa.Index("ix_ab", "a", "b"),
        ),
        users(
            C("a", sa.Integer),
            C("b", sa.Integer),
            sa.UniqueConstraint("a", name="uq_a"),
            sa.Index("ux_b", "b", unique=True),
            sa.Index("ix_ab", "a", "b"),
        ),
        [],
    ),
    Case(
        "expression_index_unchanged",
        users(sa.Index("ix_lower", sa.func.lower(sa.column("name")))),
        users(sa.Index("ix_lower", sa.func.lower(sa.column("name")))),
        [],
        backends=("postgresql",),
    ),
    Case(
        "expression_index_added",
        users(),
        users(sa.Index("ix_lower", sa.func.lower(sa.column("name")))),
        ["add_index users.ix_lower"],
        backends=("postgresql",),
    ),
    # -- foreign keys
    # MariaDB: the index MySQL makes for a foreign key is explicit, so that the
    # downgrade does not leave it behind (Alembic leaves it)
    Case(
        "fk_added",
        tables(table("parent"), table("child", C("parent_id", sa.Integer))),
        parent_child(),
        {
            "default": ["add_fk child(parent_id)->parent"],
            "mariadb": ["add_fk child(parent_id)->parent", "add_index child.fk_child_parent"],
        },
        alembic=["add_fk child(parent_id)->parent"],
    ),
    Case(
        "fk_removed",
        parent_child(),
        tables(table("parent"), table("child", C("parent_id", sa.Integer))),
        {
            "default": ["remove_fk child(parent_id)->parent"],
            "mariadb": ["remove_fk child(parent_id)->parent", "remove_index child.fk_child_parent"],
        },
        backends=SERVERS,
        alembic=["remove_fk child(parent_id)->parent"],
    ),
    Case(
        "fk_ondelete_changed",
        parent_child(),
        parent_child(ondelete="CASCADE"),
        ["remove_fk child(parent_id)->parent", "add_fk child(parent_id)->parent"],
    ),
    Case(
        "fk_onupdate_changed",
        parent_child(),
        parent_child(onupdate="CASCADE"),
        ["remove_fk child(parent_id)->parent", "add_fk child(parent_id)->parent"],
        backends=SERVERS,
    ),
    Case(
        "fk_options_unchanged",
        parent_child("CASCADE", "SET NULL"),
        parent_child("CASCADE", "SET NULL"),
        [],
    ),
    Case(
        "fk_deferrable",
        parent_child(),
        parent_child(deferrable=True, initially="DEFERRED"),
        ["remove_fk child(parent_id)->parent", "add_fk child(parent_id)->parent"],
        backends=("postgresql",),
    ),
    Case(
        "fk_to_new_table",
        table("child"),
        parent_child(),
        {
            "default": [
                "add_table parent",
                "add_column child.parent_id",
                "add_fk child(parent_id)->parent",
            ],
            "mariadb": [
                "add_table parent",
                "add_column child.parent_id",
                "add_fk child(parent_id)->parent",
                "add_index child.fk_child_parent",
            ],
        },
        alembic=[
            "add_table parent",
            "add_column child.parent_id",
            "add_fk child(parent_id)->parent",
        ],
    ),
    # -- primary keys (Alembic does not compare them)
    Case(
        "primary_key_changed",
        table("users", C("code", sa.String(10), nullable=False)),
        lambda md: sa.Table(
            "users",
            md,
            C("id", sa.Integer, nullable=False, autoincrement=False),
            C("code", sa.String(10), primary_key=True),
        ),
        ["remove_constraint users.pk(id)", "add_constraint users.pk(code)"],
        backends=("postgresql",),
        alembic=[],
    ),
    # -- comments
    Case(
        "table_comment_added",
        users(),
        users(comment="people"),
        ["add_table_comment users"],
        backends=SERVERS,
    ),
    Case(
        "table_comment_changed",
        users(comment="people"),
        users(comment="humans"),
        ["add_table_comment users"],
        backends=SERVERS,
    ),
    Case(
        "table_comment_removed",
        users(comment="people"),
        users(),
        ["remove_table_comment users"],
        backends=SERVERS,
    ),
    Case(
        "column_comment_added",
        users(),
        table("users", C("name", sa.String(50), comment="full")),
        ["modify_comment users.name"],
        backends=SERVERS,
    ),
    # -- generated columns
    Case(
        "computed_unchanged",
        users(C("a", sa.Integer), C("b", sa.Integer, sa.Computed("a + 1", persisted=True))),
        users(C("a", sa.Integer), C("b", sa.Integer, sa.Computed("a + 1", persisted=True))),
        [],
    ),
    Case(
        "identity_unchanged",
        lambda md: sa.Table(
            "seq", md, C("id", sa.Integer, sa.Identity(start=10), primary_key=True)
        ),
        lambda md: sa.Table(
            "seq", md, C("id", sa.Integer, sa.Identity(start=10), primary_key=True)
        ),
        [],
        backends=("postgresql",),
    ),
    Case(
        "identity_start_changed",
        lambda md: sa.Table(
            "seq", md, C("id", sa.Integer, sa.Identity(start=10), primary_key=True)
        ),
        lambda md: sa.Table(
            "seq", md, C("id", sa.Integer, sa.Identity(start=20), primary_key=True)
        ),
        ["modify_default seq.id"],
        backends=("postgresql",),
        opts={"compare_server_default": True},
        roundtrip=False,
    ),
    # -- filters, schemas, version table
    Case(
        "include_object_skips_table",
        users(),
        tables(users(), table("legacy")),
        [],
        opts={"include_object": ignore_legacy_object},
    ),
    Case(
        "include_name_skips_reflected",
        tables(users(), table("legacy")),
        users(),
        [],
        opts={"include_name": ignore_legacy_name},
    ),
    Case("version_table_skipped", tables(users(), version_table), users(), []),
    Case(
        "schema_table_added",
        users(),
        tables(users(), table("audit", schema="other")),
        ["add_table other.audit"],
        backends=("postgresql",),
        opts={"include_schemas": True},
        setup_sql={"postgresql": ["CREATE SCHEMA other"]},
    ),
    Case(
        "schema_table_removed",
        tables(users(), table("audit", schema="other")),
        users(),
        ["remove_table other.audit"],
        backends=("postgresql",),
        opts={"include_schemas": True},
        setup_sql={"postgresql": ["CREATE SCHEMA other"]},
    ),
    Case(
        "other_schema_ignored_by_default",
        tables(users(), table("audit", schema="other")),
        users(),
        [],
        backends=("postgresql",),
        setup_sql={"postgresql": ["CREATE SCHEMA other"]},
    ),
    # -- CHECK constraints (opt-in; Alembic has no such comparison)
    Case(
        "check_constraint_added",
        users(C("age", sa.Integer)),
        users(C("age", sa.Integer), sa.CheckConstraint("age >= 0", name="ck_age")),
        ["add_constraint users.ck(ck_age)"],
        backends=SERVERS,
        opts={"compare_check_constraints": True},
        alembic=[],
    ),
    Case(
        "check_constraint_removed",
        users(C("age", sa.Integer), sa.CheckConstraint("age >= 0", name="ck_age")),
        users(C("age", sa.Integer)),
        ["remove_constraint users.ck(ck_age)"],
        backends=SERVERS,
        opts={"compare_check_constraints": True},
        alembic=[],
    ),
    # -- PostgreSQL ENUM types (beyond Alembic, which sees none of these)
    Case(
        "pg_enum_unchanged",
        enum_table(["a", "b"]),
        enum_table(["a", "b"]),
        [],
        backends=("postgresql",),
    ),
    Case(
        "pg_enum_value_added",
        enum_table(["happy", "sad"]),
        enum_table(["happy", "meh", "sad"]),
        ["modify_enum mood"],
        backends=("postgresql",),
        alembic=[],
    ),
    Case(
        "pg_enum_value_removed",
        enum_table(["happy", "meh", "sad"]),
        enum_table(["happy", "sad"]),
        ["modify_enum mood"],
        backends=("postgresql",),
        alembic=[],
    ),
    Case(
        "pg_enum_new_type_for_new_column",
        users(),
        users(C("mood", sa.Enum("up", "down", name="mood"))),
        ["add_column users.mood", "add_enum mood"],
        backends=("postgresql",),
        alembic=["add_column users.mood"],
    ),
    Case(
        "pg_enum_type_dropped_with_column",
        users(C("mood", sa.Enum("up", "down", name="mood"))),
        users(),
        ["remove_column users.mood", "remove_enum mood"],
        backends=("postgresql",),
        alembic=["remove_column users.mood"],
    ),
    # the type's life made explicit: DROP TABLE does not drop it (Alembic leaves it behind)
    Case(
        "pg_enum_with_new_table",
        users(),
        tables(users(), enum_table(["a", "b"])),
        ["add_table people", "add_enum mood"],
        backends=("postgresql",),
        alembic=["add_table people"],
    ),
    Case(
        "pg_enum_dropped_with_table",
        tables(users(), enum_table(["a", "b"])),
        users(),
        ["remove_table people", "remove_enum mood"],
        backends=("postgresql",),
        alembic=["remove_table people"],
    ),
    Case(
        "pg_orphan_enum_dropped",
        users(),
        users(),
        ["remove_enum leftover"],
        backends=("postgresql",),
        alembic=[],
        leftover=["remove_enum leftover"],
        setup_sql={"postgresql": ["CREATE TYPE leftover AS ENUM ('x')"]},
    ),
]
