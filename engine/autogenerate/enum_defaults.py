"""PostgreSQL ENUM recreated under columns that have a server default.

Removing or reordering a label recreates the type (``AlterEnumTypeOp``: rename
the old type away, create the new one, convert each column, drop the old type).
A column default that names the type (``'happy'::mood``) breaks two of those
steps: PostgreSQL cannot convert the default to the new type ("default for column
... cannot be cast automatically"), and the old type cannot be dropped while the
default still uses it. ``AlterEnumWithDefaultsOp`` therefore drops those defaults
before the swap and sets them after it:

* the default set afterwards is the one the migration leaves: the table
  comparison's new default when it found one changed (that change then happens
  here instead of in a separate ``alter_column``, which would run against the
  wrong type); otherwise the model's (with ``compare_server_default`` off, the
  database's may name a label that is gone); without one, the database's own,
  re-read against the new type;
* its reverse (the downgrade) does the same the other way round, recreating the
  type again when a default changes (a label added by ``ADD VALUE`` cannot be
  used in the transaction that added it).

It is an ``AlterEnumTypeOp``: it renders as ``op.execute(...)`` lines and runs
through the same implementation (both call ``to_sql``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from engine.operations import ops
from engine.operations.ops_enum import AlterEnumTypeOp

__all__ = ["AlterEnumWithDefaultsOp", "ColumnDefault", "with_defaults"]


@dataclass(frozen=True)
class ColumnDefault:
    """A column's default (SQL text, None for none) before and after the step."""

    schema: str | None
    table: str
    column: str
    before: str | None
    after: str | None

    def reversed(self) -> ColumnDefault:
        return replace(self, before=self.after, after=self.before)


def _pg_dialect(dialect: Any) -> Any:
    if dialect is not None:
        return dialect
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()


class AlterEnumWithDefaultsOp(AlterEnumTypeOp):
    """``AlterEnumTypeOp`` that drops the ``defaults`` of its columns before
    recreating the type and sets them again afterwards."""

    def __init__(
        self,
        type_name: str,
        values: Sequence[str],
        *,
        existing_values: Sequence[str],
        schema: str | None = None,
        columns: Sequence[tuple[Any, ...]] = (),
        defaults: Sequence[ColumnDefault] = (),
    ) -> None:
        super().__init__(
            type_name, values, existing_values=existing_values, schema=schema, columns=columns
        )
        self.defaults = list(defaults)

    def _alter(self, dialect: Any, item: ColumnDefault, sql: str | None) -> str:
        prep = dialect.identifier_preparer
        table = prep.quote(item.table)
        if item.schema:
            table = f"{prep.quote_schema(item.schema)}.{table}"
        action = "DROP DEFAULT" if sql is None else f"SET DEFAULT {sql}"
        return f"ALTER TABLE {table} ALTER COLUMN {prep.quote(item.column)} {action}"

    @property
    def only_adds_values(self) -> bool:
        """As ``AlterEnumTypeOp``, but a default that changes recreates the type: a
        label added by ``ADD VALUE`` cannot be used (not even in a default) in the
        transaction that added it, while a new type's labels can."""
        if any(d.before != d.after for d in self.defaults):
            return False
        return super().only_adds_values

    def to_sql(self, dialect: Any = None) -> list[str]:
        dialect = _pg_dialect(dialect)
        statements = super().to_sql(dialect)
        if self.only_adds_values:
            return statements  # the defaults stay as they are, and stay valid
        before = [self._alter(dialect, d, None) for d in self.defaults if d.before is not None]
        after = [self._alter(dialect, d, d.after) for d in self.defaults if d.after is not None]
        return before + statements + after

    def reverse(self) -> AlterEnumWithDefaultsOp:
        return AlterEnumWithDefaultsOp(
            self.type_name,
            self.existing_values,
            existing_values=self.values,
            schema=self.schema,
            columns=self.columns,
            defaults=[d.reversed() for d in self.defaults],
        )

    def to_diff_tuple(self) -> Any:
        diffs: list[Any] = [super().to_diff_tuple()]
        for d in self.defaults:
            if d.before != d.after:
                info = {"existing_nullable": None, "existing_type": None, "existing_comment": None}
                diffs.append(
                    ("modify_default", d.schema, d.table, d.column, info, d.before, d.after)
                )
        return diffs if len(diffs) > 1 else diffs[0]


def _default_sql(value: Any, dialect: Any) -> str | None:
    if value is None or value is False:
        return None
    if isinstance(value, sa.DefaultClause):
        # (imported here: importing a comparison module registers its comparisons)
        from engine.autogenerate.compare_defaults import render_metadata_default

        return render_metadata_default(value, dialect)
    text = getattr(value, "text", None)
    return text if isinstance(text, str) else str(value)


def _take_default_change(
    upgrade_ops: ops.UpgradeOps, schema: str | None, table: str, column: str, norm: Any
) -> tuple[bool, Any]:
    """Remove the table comparison's server default change of one column (and the
    ``alter_column`` if nothing else is left of it); (found, new default)."""
    for container in upgrade_ops.ops:
        if not isinstance(container, ops.ModifyTableOps):
            continue
        if container.table_name != table or norm(container.schema) != norm(schema):
            continue
        for op in list(container.ops):
            if (
                isinstance(op, ops.AlterColumnOp)
                and op.column_name == column
                and op.modify_server_default is not False
            ):
                new = op.modify_server_default
                op.modify_server_default = False
                op.existing_server_default = new if new is not None else False
                if not op.has_changes():
                    container.ops.remove(op)
                if container.is_empty():
                    upgrade_ops.ops.remove(container)
                return True, new
    return False, None


ColumnKey = tuple[str | None, str, str]


def with_defaults(
    op: AlterEnumTypeOp,
    upgrade_ops: ops.UpgradeOps,
    reflected_defaults: dict[ColumnKey, str | None],
    model_defaults: dict[ColumnKey, Any],
    dialect: Any,
    norm: Any,
) -> AlterEnumTypeOp:
    """``op`` itself, or when it recreates the type and some of its columns have a
    default, an ``AlterEnumWithDefaultsOp`` that takes care of them.

    The default restored is the table comparison's new one (that change is taken
    over), else the model's, else the database's own (keys: (schema as
    normalised, table, column))."""
    if op.only_adds_values:
        return op
    defaults: list[ColumnDefault] = []
    for schema, table, column, *_ in op.columns:
        key = (norm(schema), table, column)
        before = reflected_defaults.get(key)
        if before is None:
            continue
        found, new = _take_default_change(upgrade_ops, schema, table, column, norm)
        if not found:
            new = model_defaults.get(key)
        after = _default_sql(new, dialect) if found or new is not None else before
        defaults.append(ColumnDefault(schema, table, column, before, after))
    if not defaults:
        return op
    return AlterEnumWithDefaultsOp(
        op.type_name,
        op.values,
        existing_values=op.existing_values,
        schema=op.schema,
        columns=op.columns,
        defaults=defaults,
    )
