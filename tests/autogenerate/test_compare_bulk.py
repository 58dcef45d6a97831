"""Bulk reflection: the number of SQL statements a comparison issues does not grow
with the number of tables (PostgreSQL, whose dialect reflects in bulk)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from engine.autogenerate import compare_metadata
from engine.runtime.migration import MigrationContext


def _model(count: int) -> sa.MetaData:
    md = sa.MetaData()
    for n in range(count):
        sa.Table(
            f"t{n:03d}",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(40), nullable=False, comment="a name"),
            sa.Column("parent_id", sa.ForeignKey(f"t{max(n - 1, 0):03d}.id")),
            sa.Column("code", sa.String(10), unique=True),
            sa.Column("kind", sa.Enum("a", "b", name="kind")),
            sa.Index(f"ix_t{n:03d}_name", "name"),
            sa.CheckConstraint("id > 0", name=f"ck_t{n:03d}_id"),
            comment=f"table {n}",
        )
    return md


def _count_statements(engine: sa.Engine, metadata: sa.MetaData) -> tuple[int, list[Any]]:
    statements: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with engine.connect() as conn:
        sa.event.listen(conn, "before_cursor_execute", listen)
        try:
            ctx = MigrationContext.configure(
                conn,
                opts={"compare_server_default": True, "compare_check_constraints": True},
            )
            diffs = compare_metadata(ctx, metadata)
        finally:
            sa.event.remove(conn, "before_cursor_execute", listen)
    return len(statements), diffs


@pytest.mark.postgresql
def test_statement_count_does_not_grow_with_tables(ag_pg: sa.Engine) -> None:
    small, big = _model(5), _model(50)
    big.create_all(ag_pg)  # the small model's tables are a subset of the big one's
    _count_statements(ag_pg, small)  # warm SQLAlchemy's per-engine caches (pg_am lookup)

    big_count, big_diffs = _count_statements(ag_pg, big)
    assert big_diffs == []
    with ag_pg.begin() as conn:
        conn.exec_driver_sql(
            "DROP TABLE " + ", ".join(f"t{n:03d}" for n in range(5, 50)) + " CASCADE"
        )
    small_count, small_diffs = _count_statements(ag_pg, small)
    assert small_diffs == []
    assert big_count <= small_count, (small_count, big_count)
    assert big_count <= 30


@pytest.mark.postgresql
def test_changes_found_in_bulk_match_table_by_table(ag_pg: sa.Engine) -> None:
    """The bulk path finds a change in every one of many tables."""
    before = _model(20)
    before.create_all(ag_pg)
    after = _model(20)
    for table in after.tables.values():
        table.append_column(sa.Column("extra", sa.Integer))
    count, diffs = _count_statements(ag_pg, after)
    assert sorted(d[2] for d in diffs if d[0] == "add_column") == sorted(after.tables)
    assert count <= 30
