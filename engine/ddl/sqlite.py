"""SQLite: what its ALTER TABLE can do, and when batch mode must move-and-copy.

SQLite's ALTER TABLE can rename a table, add a column (with a constant default
only), rename a column and drop a column; indexes are separate statements. It
cannot add or drop constraints or change a column's type, nullability or default:
those need batch mode's "move and copy" (``requires_recreate_in_batch``).
"""

from __future__ import annotations

import warnings
from typing import Any

from sqlalchemy.schema import Column, Constraint, DefaultClause
from sqlalchemy.types import TypeEngine

from engine.ddl.impl import DefaultImpl, iter_batch_entries, type_bound_rule
from engine.errors import CommandError

_BATCH_HINT = "Use op.batch_alter_table(...), which recreates the table (move and copy) on SQLite."
#: batch operations SQLite runs as plain statements
_PLAIN_IN_BATCH = frozenset({"create_index", "drop_index"})


class SQLiteAlterError(CommandError, NotImplementedError):
    """An ALTER SQLite cannot do (a NotImplementedError too, as Alembic raises)."""


class SQLiteImpl(DefaultImpl):
    __dialect__ = "sqlite"
    transactional_ddl = False

    def requires_recreate_in_batch(self, batch_op: Any) -> bool:
        for name, args, kw in iter_batch_entries(batch_op):
            if name == "add_column":
                column = _column_argument(args, kw)
                if column is not None and _has_expression_default(column):
                    return True
            elif name not in _PLAIN_IN_BATCH:
                return True
        return False

    def add_constraint(self, const: Any, **kw: Any) -> None:
        create_rule = type_bound_rule(const)
        if create_rule is None:
            raise SQLiteAlterError(
                "No support for ALTER of constraints in SQLite dialect.", hint=_BATCH_HINT
            )
        if create_rule(self):
            warnings.warn(
                "Skipping unsupported ALTER for creation of implicit constraint "
                f"{const.name or ''} on SQLite; batch mode can recreate the table with it",
                UserWarning,
                stacklevel=2,
            )

    def drop_constraint(self, const: Constraint, **kw: Any) -> None:
        if type_bound_rule(const) is None:
            raise SQLiteAlterError(
                "No support for ALTER of constraints in SQLite dialect.", hint=_BATCH_HINT
            )

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: TypeEngine | None = None,
        schema: str | None = None,
        autoincrement: bool | None = None,
        comment: str | None | bool = False,
        existing_comment: str | None = None,
        existing_type: TypeEngine | None = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_autoincrement: bool | None = None,
        **kw: Any,
    ) -> None:
        if comment is not False:
            raise SQLiteAlterError(
                f"SQLite has no column comments; cannot change the comment of {column_name!r}",
                hint="Leave comment= out of alter_column when running on SQLite.",
            )
        if not self.as_sql and (
            nullable is not None or type_ is not None or server_default is not False
        ):
            # Offline we write the statements as Alembic does; online SQLite would only
            # answer with a syntax error, so say what to do instead.
            raise SQLiteAlterError(
                f"SQLite cannot change the type, nullability or default of column "
                f"{column_name!r} with ALTER TABLE",
                hint=_BATCH_HINT,
            )
        super().alter_column(
            table_name,
            column_name,
            nullable=nullable,
            server_default=server_default,
            name=name,
            type_=type_,
            schema=schema,
            autoincrement=autoincrement,
            comment=comment,
            existing_comment=existing_comment,
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_autoincrement=existing_autoincrement,
            **kw,
        )


def _column_argument(args: tuple, kw: dict[str, Any]) -> Column[Any] | None:
    for value in (*args, *kw.values()):
        if isinstance(value, Column):
            return value
    return None


def _has_expression_default(column: Column[Any]) -> bool:
    """SQLite's ADD COLUMN takes only a constant default: a SQL expression
    (``text(..)``, ``func.now()``) as server default needs the table recreated."""
    default = column.server_default
    return isinstance(default, DefaultClause) and not isinstance(default.arg, str)
