"""The ``alembic_version`` table, kept row for row as Alembic keeps it.

One row per effective head; a step's ``RowChange`` list (from
``engine.revisions.plans.HeadsTracker``) becomes INSERT / UPDATE / DELETE
statements, each checked to touch exactly one row when online.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from engine.errors import CommandError
from engine.revisions.plans import RowChange


def version_table(name: str, schema: str | None, with_pk: bool) -> sa.Table:
    columns: list[Any] = [sa.Column("version_num", sa.String(32), nullable=False)]
    if with_pk:
        columns.append(sa.PrimaryKeyConstraint("version_num", name=f"{name}_pkc"))
    return sa.Table(name, sa.MetaData(), *columns, schema=schema)


def _literal(value: str) -> Any:
    # Rendered inline, as Alembic does, so offline scripts read naturally.
    return sa.literal_column("'" + value.replace("'", "''") + "'")


def change_statement(table: sa.Table, change: RowChange) -> Any:
    col = table.c.version_num
    if change.kind == "insert":
        return table.insert().values(version_num=_literal(change.new or ""))
    if change.kind == "delete":
        return table.delete().where(col == _literal(change.old or ""))
    return (
        table.update()
        .where(col == _literal(change.old or ""))
        .values(version_num=_literal(change.new or ""))
    )


class RowStatements:
    """The version-table statements of a run, rendered once and then filled in.

    A long run changes a version row at every step; compiling an INSERT,
    UPDATE or DELETE each time is most of the bookkeeping cost. The three
    shapes are compiled once (with marker values) by ``render`` (the Impl's own
    SQL rendering, so the text is exactly what compiling each would give) and
    each change becomes plain text with the real revision ids in place.
    """

    _OLD = "tuim0old0marker"
    _NEW = "tuim0new0marker"

    def __init__(self, table: sa.Table, render: Any) -> None:
        probe = {
            kind: RowChange(kind, old=self._OLD, new=self._NEW)  # type: ignore[arg-type]
            for kind in ("insert", "delete", "update")
        }
        self._templates = {
            kind: render(change_statement(table, change)) for kind, change in probe.items()
        }

    def sql(self, change: RowChange) -> str:
        """The statement's text, as rendering it would give."""
        sql = self._templates[change.kind]
        if change.old is not None:
            sql = sql.replace(self._OLD, change.old.replace("'", "''"))
        if change.new is not None:
            sql = sql.replace(self._NEW, change.new.replace("'", "''"))
        return sql

    def statement(self, change: RowChange) -> sa.TextClause:
        return sa.text(self.sql(change).replace(":", "\\:"))


def check_rowcount(table: sa.Table, change: RowChange, result: Any) -> None:
    """Online only: every UPDATE and DELETE must hit exactly one row."""
    if result is None or change.kind == "insert":
        return
    count = getattr(result, "rowcount", -1)
    if count is None or count < 0 or not getattr(result, "supports_sane_rowcount", True):
        return
    if count == 1:
        return
    what = (
        f"updating '{change.old}' to '{change.new}'"
        if change.kind == "update"
        else f"deleting '{change.old}'"
    )
    raise CommandError(
        f"Online migration expected to match one row when {what} in '{table.name}'; {count} found",
        hint="The version table was changed behind this run's back; "
        "check `tui-migrate current` and repair it with `stamp`.",
    )


def read_heads(connection: sa.Connection, table: sa.Table) -> tuple[str, ...]:
    if not sa.inspect(connection).has_table(table.name, schema=table.schema):
        return ()
    rows = connection.execute(sa.select(table.c.version_num)).scalars().all()
    return tuple(rows)
