"""Corpus cases (see ``corpus``) where a definition is compared beyond its name, as
each database rewrites it (all beyond Alembic, which finds none of these):

* the SQL of a named CHECK constraint (``compare_check_constraints=True``):
  changed, and unchanged through each database's rewriting (string literals,
  IN / NOT IN, BETWEEN, LIKE, negative numbers, functions, precedence);
* an index's partial predicate (PostgreSQL ``postgresql_where``, SQLite
  ``sqlite_where``) and PostgreSQL access method (``postgresql_using``);
* a PostgreSQL ENUM recreated (a label removed or renamed) under a column whose
  server default names the type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from tests.autogenerate.corpus import Builder, C, Case, id_column, table

CHECKS = {"compare_check_constraints": True}
PG = ("postgresql",)


def _stock(*checks: Any) -> Builder:
    return table(
        "stock",
        C("qty", sa.Integer),
        C("name", sa.String(20)),
        C("status", sa.String(10)),
        C("price", sa.Numeric(10, 2)),
        C("since", sa.DateTime),
        *checks,
    )


def many_checks() -> Builder:
    """Constraints each database rewrites its own way (see the module docstring)."""
    ck = sa.CheckConstraint
    return _stock(
        ck("qty > 0", name="ck_positive"),
        ck("status IN ('new', 'it''s done')", name="ck_status_in"),
        ck("status NOT IN ('x', 'y')", name="ck_status_not_in"),
        ck("qty BETWEEN 1 AND 1000", name="ck_between"),
        ck("name LIKE 'a%' OR name IS NULL", name="ck_like"),
        ck("qty >= -5 AND price <> 10.50", name="ck_negative"),
        ck("lower(name) <> 'admin' AND length(name) > 2", name="ck_functions"),
        ck("(qty > 5 OR qty < 2) AND NOT (status = 'z')", name="ck_precedence"),
        ck("status = 'single'", name="ck_single_in"),
        ck(sa.column("price") * 2 >= sa.column("qty"), name="ck_expression"),
        ck("since > '2020-01-01'", name="ck_timestamp"),
        ck(sa.column("status").in_(["p%", "q"]), name="ck_expression_in"),
    )


def _indexed(**kw: Any) -> Builder:
    return table(
        "users",
        C("name", sa.String(50)),
        C("deleted", sa.DateTime),
        sa.Index("ix_users_name", "name", **kw),
    )


def pg_partial_indexes(md: sa.MetaData) -> None:
    t = sa.Table(
        "docs",
        md,
        id_column(),
        C("title", sa.String(50)),
        C("state", sa.String(10)),
        C("live", sa.Boolean),
        C("tags", postgresql.ARRAY(sa.Text)),
        C("body", postgresql.JSONB),
    )
    sa.Index("ix_docs_live", t.c.title, postgresql_where=sa.text("live"))
    sa.Index("ix_docs_state", t.c.title, postgresql_where=t.c.state.in_(["draft", "it's"]))
    sa.Index("ix_docs_like", t.c.title, postgresql_where=t.c.title.like("a%"))
    sa.Index("ix_docs_not_live", t.c.title, postgresql_where=t.c.live == sa.false())
    sa.Index("ix_docs_tags", t.c.tags, postgresql_using="gin")
    sa.Index("ix_docs_body", t.c.body, postgresql_using="GIN")
    sa.Index("ix_docs_hash", t.c.state, postgresql_using="hash")
    sa.Index("ix_docs_btree", t.c.state, postgresql_using="btree")


def _enum_with_default(values: Sequence[str], default: str) -> Builder:
    def build(md: sa.MetaData) -> None:
        sa.Table(
            "people",
            md,
            id_column(),
            C("mood", sa.Enum(*values, name="mood"), server_default=sa.text(default)),
        )

    return build


SQL_CASES: list[Case] = [
    # -- CHECK constraint SQL
    Case(
        "check_constraint_sql_changed",
        _stock(sa.CheckConstraint("qty > 0", name="ck_qty")),
        _stock(sa.CheckConstraint("qty >= 0", name="ck_qty")),
        ["remove_constraint stock.ck(ck_qty)", "add_constraint stock.ck(ck_qty)"],
        opts=CHECKS,
        alembic=[],
    ),
    Case(
        "check_constraint_in_list_changed",
        _stock(sa.CheckConstraint("status IN ('a', 'b')", name="ck_status")),
        _stock(sa.CheckConstraint("status IN ('a', 'b', 'c')", name="ck_status")),
        ["remove_constraint stock.ck(ck_status)", "add_constraint stock.ck(ck_status)"],
        opts=CHECKS,
        alembic=[],
    ),
    Case(
        "check_constraint_literal_changed",
        _stock(sa.CheckConstraint("name <> 'it''s'", name="ck_name")),
        _stock(sa.CheckConstraint("name <> 'It''s'", name="ck_name")),
        ["remove_constraint stock.ck(ck_name)", "add_constraint stock.ck(ck_name)"],
        opts=CHECKS,
        alembic=[],
    ),
    Case("check_constraints_sql_unchanged", many_checks(), many_checks(), [], opts=CHECKS),
    # -- index predicates and access methods
    Case(
        "pg_partial_index_predicate_changed",
        _indexed(postgresql_where=sa.text("deleted IS NULL")),
        _indexed(postgresql_where=sa.column("deleted").isnot(None)),
        ["remove_index users.ix_users_name", "add_index users.ix_users_name"],
        backends=PG,
        alembic=[],
    ),
    Case(
        "pg_partial_index_predicate_added",
        _indexed(),
        _indexed(postgresql_where=sa.text("deleted IS NULL")),
        ["remove_index users.ix_users_name", "add_index users.ix_users_name"],
        backends=PG,
        alembic=[],
    ),
    Case(
        "pg_index_method_changed",
        _indexed(),
        _indexed(postgresql_using="hash"),
        ["remove_index users.ix_users_name", "add_index users.ix_users_name"],
        backends=PG,
        alembic=[],
    ),
    Case("pg_partial_indexes_unchanged", pg_partial_indexes, pg_partial_indexes, [], backends=PG),
    Case(
        "pg_index_include_changed",
        _indexed(postgresql_include=["deleted"]),
        _indexed(),
        ["remove_index users.ix_users_name", "add_index users.ix_users_name"],
        backends=PG,
        alembic=[],
    ),
    Case(
        "pg_index_storage_changed",
        _indexed(postgresql_with={"fillfactor": 70}),
        _indexed(postgresql_with={"fillfactor": 90}),
        ["remove_index users.ix_users_name", "add_index users.ix_users_name"],
        backends=PG,
        alembic=[],
    ),
    Case(
        "pg_index_nulls_not_distinct_added",
        _indexed(unique=True),
        _indexed(unique=True, postgresql_nulls_not_distinct=True),
        ["remove_index users.ix_users_name", "add_index users.ix_users_name"],
        backends=PG,  # Alembic finds this one too
    ),
    Case(
        "pg_index_options_unchanged",
        _indexed(
            unique=True,
            postgresql_include=["deleted"],
            postgresql_with={"fillfactor": 70},
            postgresql_nulls_not_distinct=True,
            postgresql_ops={"name": "text_pattern_ops"},
        ),
        _indexed(
            unique=True,
            postgresql_include=["deleted"],
            postgresql_with={"fillfactor": 70},
            postgresql_nulls_not_distinct=True,
            postgresql_ops={"name": "text_pattern_ops"},
        ),
        [],
        backends=PG,
    ),
    Case(
        "sqlite_partial_index_predicate_changed",
        _indexed(sqlite_where=sa.text("deleted IS NULL")),
        _indexed(sqlite_where=sa.text("deleted IS NOT NULL")),
        ["remove_index users.ix_users_name", "add_index users.ix_users_name"],
        backends=("sqlite",),
        alembic=[],
    ),
    Case(
        "sqlite_partial_index_unchanged",
        _indexed(sqlite_where=sa.column("name").in_(["a", "b"])),
        _indexed(sqlite_where=sa.column("name").in_(["a", "b"])),
        [],
        backends=("sqlite",),
    ),
    # -- an ENUM recreated under a server default that names it
    Case(
        "pg_enum_value_removed_under_default",
        _enum_with_default(["happy", "meh", "sad"], "'happy'::mood"),
        _enum_with_default(["happy", "sad"], "'happy'::mood"),
        ["modify_enum mood"],
        backends=PG,
        alembic=[],
    ),
    Case(
        "pg_enum_value_renamed_with_its_default",
        _enum_with_default(["happy", "meh", "sad"], "'meh'::mood"),
        _enum_with_default(["happy", "okay", "sad"], "'okay'::mood"),
        ["modify_enum mood", "modify_default people.mood"],
        backends=PG,
        opts={"compare_server_default": True},
        # Alembic compares the defaults on the server: 'okay'::mood is no label yet
        alembic_raises=sa.exc.DataError,
    ),
    Case(
        "pg_enum_value_removed_default_unchanged",
        _enum_with_default(["happy", "meh", "sad"], "'sad'::mood"),
        _enum_with_default(["sad", "happy"], "'sad'::mood"),
        ["modify_enum mood"],
        backends=PG,
        opts={"compare_server_default": True},
        alembic=[],
    ),
]
