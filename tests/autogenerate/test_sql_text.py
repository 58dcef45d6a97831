"""Comparing SQL as each database rewrites it (``engine.autogenerate.sql_text``),
and what the CHECK and index comparisons do with the answer.

* The normaliser on the texts each database really hands back (the pairs below
  were read from PostgreSQL 15+, MariaDB 10.11 and SQLite): the same expression
  compares equal, a changed one does not, an unparsable one is "unsure".
* On real databases: a table whose CHECK constraints and partial indexes are
  unchanged is found unchanged by the quick check too (no ``Table`` built); a
  constraint or predicate that cannot be compared gives a warning, not an
  operation.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import sqlalchemy as sa

from engine.autogenerate import compare_quick
from engine.autogenerate.api import AutogenContext, _diffs, populate_migration_script
from engine.autogenerate.compare_tables import compare_state
from engine.autogenerate.sql_text import canonical_expression, compiled_text, texts_differ
from engine.operations import ops
from engine.runtime.migration import MigrationContext
from tests.autogenerate.corpus import build, normalise
from tests.autogenerate.corpus_cases_sql import many_checks, pg_partial_indexes

# (database's text, model's text) that mean the same
SAME = {
    "postgresql": [
        (
            "status::text = ANY (ARRAY['a'::character varying, 'b'::character varying]::text[])",
            "status IN ('a', 'b')",
        ),
        (
            "((name)::text = ANY ((ARRAY['a'::character varying, 'b%'::character varying])"
            "::text[]))",
            "name IN ('a', 'b%')",
        ),
        (
            "status::text <> ALL (ARRAY['x'::character varying, 'y'::character varying]::text[])",
            "status NOT IN ('x','y')",
        ),
        ("status::text = 'a'::text", "status IN ('a')"),
        ("name::text <> 'it''s'::text", "name <> 'it''s'"),
        ("qty >= 1 AND qty <= 10", "qty BETWEEN 1 AND 10"),
        ("qty < 1 OR qty > 5", "qty NOT BETWEEN 1 AND 5"),
        ("name::text ~~ 'a%'::text", "name LIKE 'a%'"),
        ("NOT name::text ~~ 'x%'::text", "NOT (name LIKE 'x%')"),
        ("name IS NOT NULL AND qty >= '-1'::integer", "name IS NOT NULL AND qty >= -1"),
        ("length(name::text) > 2 OR qty = 0", "length(name) > 2 OR qty = 0"),
        ("(qty * 2 + 1) > 3", "qty * 2 + 1 > 3"),
        ("qty > 0", "(qty) > (0)"),
        ("qty <> 3", "qty != 3"),
        ("NOT qty = 5", "NOT (qty = 5)"),
        ("COALESCE(qty, 0) >= 0", "coalesce(qty, 0) >= 0"),
        ("TRIM(BOTH FROM name) <> ''::text", "trim(name) <> ''"),
        ("(qty % 2) = 0", "qty % 2 = 0"),
        ("mod(qty, 3) = 0", "qty % 3 = 0"),
        ("(name::text || 'x'::text) <> 'y'::text", "name || 'x' <> 'y'"),
        (
            "\nCASE\n    WHEN qty > 0 THEN 1\n    ELSE 0\nEND = 1",
            "CASE WHEN qty > 0 THEN 1 ELSE 0 END = 1",
        ),
        ("qty::character varying(5)::text <> '1'::text", "CAST(qty AS VARCHAR(5)) <> '1'"),
        ("price > '1000'::numeric", "price > 1e3"),
        ("price <> 10.50", "price <> 10.5"),
        ("created > '2020-01-01'::date", "created > DATE '2020-01-01'"),
        ("ts > '2020-01-01 00:00:00'::timestamp without time zone", "ts > '2020-01-01'"),
        (
            "(ts AT TIME ZONE 'UTC'::text) > '2020-01-01 00:00:00+00'::timestamp with time zone",
            "ts AT TIME ZONE 'UTC' > '2020-01-01'",
        ),
        ("span > '01:00:00'::interval", "span > '1 hour'"),
        ("(deleted IS NULL)", "deleted IS NULL"),
        ("(active = true)", "active = true"),
        ("\"substring\"(name::text, 1, 2) <> 'zz'::text", "substring(name FROM 1 FOR 2) <> 'zz'"),
    ],
    "mariadb": [
        ("`qty` > 0", "qty > 0"),
        ("`status` in ('a','b')", "status IN ('a', 'b')"),
        ("`name` <> 'it\\'s'", "name <> 'it''s'"),
        ("`qty` between 1 and 10", "qty BETWEEN 1 AND 10"),
        ("octet_length(`name`) > 2 or `qty` = 0", "length(name) > 2 OR qty = 0"),
        ("`flag` = 1", "flag = true"),
        ("lcase(`name`) = `name`", "lower(name) = name"),
        ("ucase(`name`) <> 'X'", "upper(name) <> 'X'"),
        ("`qty` <> 5", "NOT (qty = 5)"),
        ("`qty` >= 5", "NOT (qty < 5)"),
        ("`status` <> 'a'", "NOT (status IN ('a'))"),
        ("`name`  not like 'x%'", "NOT (name LIKE 'x%')"),
        ("`name` is not null", "NOT (name IS NULL)"),
        ("`qty` MOD 2 = 0", "qty % 2 = 0"),
        ("`qty` MOD 3 = 0", "mod(qty, 3) = 0"),
        ("cast(`qty` as char(5) charset utf8mb4) <> '1'", "CAST(qty AS CHAR(5)) <> '1'"),
        ("`qty` > 0 or `qty` < -10 and `qty` <> -20", "qty > 0 OR (qty < -10 AND qty <> -20)"),
    ],
    "sqlite": [
        ("qty IN (1, 2, 3)", "qty IN (1,2,3)"),
        ("qty != 3", "qty <> 3"),
        ('"qty" > 0', "qty > 0"),
        ("[qty] > 0", "qty > 0"),
    ],
}

# (database's text, model's text) that differ
DIFFERENT = [
    ("qty > 0", "qty >= 0"),
    ("qty > 0", "qty > 1"),
    ("status IN ('a', 'b')", "status IN ('a', 'b', 'c')"),
    ("status IN ('a', 'b')", "status IN ('b', 'a')"),
    ("name <> 'It''s'", "name <> 'it''s'"),
    ("(a + b) * c > 0", "a + b * c > 0"),
    ("a > 0 AND b > 0", "a > 0 OR b > 0"),
    ("qty > 0", "amount > 0"),
    ("x IS NULL", "x IS NOT NULL"),
    ("length(name) > 2", "lower(name) > 2"),
    ("name LIKE 'a%'", "name ILIKE 'a%'"),
    ("d > '2020-01-01'::date", "d > '2021-01-01'"),
    ("ts > '2020-01-01 00:00:00'::timestamp", "ts > '2020-01-01 10:00'"),
    ("(ts AT TIME ZONE 'UTC'::text) > '2020-01-01'::date", "ts AT TIME ZONE 'CET' > '2020-01-01'"),
]


@pytest.mark.parametrize(
    ("dialect", "conn", "meta"),
    [
        pytest.param(d, c, m, id=f"{d}-{i}")
        for d, pairs in SAME.items()
        for i, (c, m) in enumerate(pairs)
    ],
)
def test_same_expression_in_the_database_words(dialect: str, conn: str, meta: str) -> None:
    assert canonical_expression(conn, dialect) is not None, conn
    assert texts_differ(conn, meta, dialect) is False


@pytest.mark.parametrize(("conn", "meta"), DIFFERENT)
@pytest.mark.parametrize("dialect", ["postgresql", "mariadb", "sqlite"])
def test_changed_expression_differs(dialect: str, conn: str, meta: str) -> None:
    assert texts_differ(conn, meta, dialect) is True


def test_unparsable_is_unsure_unless_the_texts_match_loosely() -> None:
    conn = "tags[1:2] <> '{}'::text[]"  # an array slice: not understood
    assert canonical_expression(conn, "postgresql") is None
    # loosely equal (case, spacing, parentheses, casts): the same
    assert texts_differ(conn, "(TAGS[1:2]) <> '{}'", "postgresql") is False
    # otherwise nobody can tell: None, never True
    assert texts_differ(conn, "tags[1:3] <> '{}'", "postgresql") is None


def test_compiled_text_of_model_expressions() -> None:
    from sqlalchemy.dialects import mysql, postgresql

    name = sa.column("name")
    # a pyformat driver's %% escaping is undone: the DDL has one %
    pg = postgresql.psycopg.dialect()
    assert compiled_text(name.like("a%"), pg) == "name LIKE 'a%'"
    assert compiled_text(sa.text("qty % 2 = 0"), pg) == "qty % 2 = 0"
    assert compiled_text(name.in_(["a", "b"]), mysql.pymysql.dialect()) == "name IN ('a', 'b')"


# ------------------------------------------------------------------ real databases


def _compare(conn: sa.Connection, metadata: sa.MetaData, opts: dict[str, Any]) -> tuple[Any, ...]:
    """(normalised diffs, warnings, tables built by the reflection)."""
    ctx = MigrationContext.configure(conn, opts=dict(opts))
    autogen = AutogenContext(ctx, metadata=metadata)
    script = ops.MigrationScript(
        rev_id=None, upgrade_ops=ops.UpgradeOps([]), downgrade_ops=ops.DowngradeOps([])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        populate_migration_script(autogen, script)
    built = sorted(
        k[1] for k, info in compare_state(autogen).reflected.items() if info.table is not None
    )
    return normalise(list(_diffs(script.upgrade_ops))), autogen.warnings, built


def _checked(*checks: Any) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "stock",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("qty", sa.Integer),
        sa.Column("name", sa.String(20)),
        sa.Column("status", sa.String(10)),
        *checks,
    )
    return md


def test_unchanged_checks_pass_the_quick_check(ag_engine: sa.Engine) -> None:
    build(many_checks()).create_all(ag_engine)
    opts = {"compare_check_constraints": True}
    with ag_engine.connect() as conn:
        assert compare_quick.ENABLED
        # nothing found, no warning, and no reflected Table needed to say so
        assert _compare(conn, build(many_checks()), opts) == ([], [], [])


@pytest.mark.postgresql
def test_unchanged_partial_indexes_pass_the_quick_check(ag_pg: sa.Engine) -> None:
    build(pg_partial_indexes).create_all(ag_pg)
    with ag_pg.connect() as conn:
        assert _compare(conn, build(pg_partial_indexes), {}) == ([], [], [])


@pytest.mark.postgresql
def test_uncomparable_check_warns_instead_of_guessing(ag_pg: sa.Engine) -> None:
    def model(upper: int) -> sa.MetaData:
        md = _checked(sa.CheckConstraint(f"tags[1:{upper}] <> '{{}}'", name="ck_tags"))
        md.tables["stock"].append_column(sa.Column("tags", sa.ARRAY(sa.Text)))
        return md

    model(2).create_all(ag_pg)
    opts = {"compare_check_constraints": True}
    with ag_pg.connect() as conn:
        # PostgreSQL's text differs from the model's, but only loosely: no warning
        assert _compare(conn, model(2), opts)[:2] == ([], [])
        diffs, warned, _ = _compare(conn, model(3), opts)
    assert diffs == []
    assert (
        len(warned) == 1 and "Could not compare the SQL of CHECK constraint 'ck_tags'" in warned[0]
    )


@pytest.mark.postgresql
def test_uncomparable_index_predicate_warns_instead_of_guessing(ag_pg: sa.Engine) -> None:
    def model(upper: int) -> sa.MetaData:
        md = sa.MetaData()
        t = sa.Table(
            "ev",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("tags", sa.ARRAY(sa.Text)),
        )
        where = sa.text(f"tags[1:{upper}] <> '{{}}'")
        sa.Index("ix_ev_tags", t.c.id, postgresql_where=where)
        return md

    model(2).create_all(ag_pg)
    with ag_pg.connect() as conn:
        assert _compare(conn, model(2), {})[:2] == ([], [])
        diffs, warned, _ = _compare(conn, model(3), {})
    assert diffs == []
    assert len(warned) == 1
    assert "Could not compare the predicate of index 'ix_ev_tags'" in warned[0]
