"""Move-and-copy: the pieces a table rebuild is planned with.

Column, constraint and index plans (a constraint or index points at column plans,
not names, so a rename reaches everything that uses the column), and the helpers
that copy a column or read a type's constraint. ``batch_apply.TableRebuild`` builds
its plan from these; ``batch.move_and_copy`` turns the plan into DDL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ClauseElement

from engine.errors import CommandError

TEMP_PREFIX = "_alembic_tmp_"


class BatchError(CommandError):
    """A batch block asks for something the table does not have."""


@dataclass(eq=False)
class ColumnPlan:
    """One column of the new table; ``source`` is its name in the old table."""

    column: sa.Column[Any]
    source: str | None
    cast: bool = False  # type altered: the copy may need a CAST

    @property
    def name(self) -> str:
        return self.column.name


@dataclass(eq=False)
class ConstraintPlan:
    """A constraint of the new table. ``kind``: pk, unique, check, fk."""

    kind: str
    name: str | None
    columns: list[ColumnPlan]
    original: sa.Constraint
    # foreign keys: (schema, table, column names); self-referencing ones point
    # back at column plans of this table instead.
    referent: tuple[str | None, str, list[str]] | None = None
    self_ref: list[ColumnPlan] | None = None


@dataclass(eq=False)
class IndexPlan:
    name: str | None
    elements: list[ColumnPlan | ClauseElement]
    unique: bool
    dialect_kwargs: dict[str, Any] = field(default_factory=dict)
    create_kw: dict[str, Any] = field(default_factory=dict)


def copy_column(col: sa.Column[Any], *, keep_checks: bool = True) -> sa.Column[Any]:
    """A fresh, unattached copy of ``col`` without its FK/unique/index flags.

    Foreign keys, UNIQUE and INDEX become table-level plans; column-level CHECK
    constraints stay with the column (and go when the column goes).
    """
    args: list[Any] = []
    if keep_checks:
        args = [
            c._copy()
            for c in col.constraints
            if isinstance(c, sa.CheckConstraint) and not c._type_bound
        ]
    server_default = col.server_default
    server_onupdate = col.server_onupdate
    if isinstance(server_default, (sa.Computed, sa.Identity)):
        args.append(server_default._copy())
        server_default = server_onupdate = None
    else:
        server_default = server_default._copy() if server_default is not None else None
        server_onupdate = server_onupdate._copy() if server_onupdate is not None else None
    type_ = col.type
    if isinstance(type_, sa.types.SchemaType):
        type_ = type_.copy()
    dialect_kw = {
        f"{dialect}_{key}": value
        for dialect, options in col.dialect_options.items()
        for key, value in options._non_defaults.items()
    }
    new = sa.Column(
        col.name,
        type_,
        *args,
        key=col.key if col.key != col.name else None,
        primary_key=False,
        nullable=col.nullable,
        autoincrement=col.autoincrement,
        server_default=server_default,
        server_onupdate=server_onupdate,
        default=col.default._copy() if col.default is not None else None,
        onupdate=col.onupdate._copy() if col.onupdate is not None else None,
        comment=col.comment,
        info=dict(col.info),
        **dialect_kw,
    )
    new.nullable = col.nullable
    return new


def server_default_clause(value: Any) -> Any:
    """What ``alter_column(server_default=...)`` means for a Column argument."""
    if value is None or isinstance(value, (sa.DefaultClause, sa.Computed, sa.Identity)):
        return value
    if isinstance(value, (str, ClauseElement)):
        return sa.DefaultClause(value)
    return value


def schema_type_constraint_name(type_: Any) -> str | None:
    """The CHECK constraint name a Boolean/Enum type would create, if any."""
    if isinstance(type_, sa.types.SchemaType) and getattr(type_, "create_constraint", False):
        name = getattr(type_, "name", None)
        return name if isinstance(name, str) else None
    return None


def mentions(sql: str, names: Iterable[str]) -> bool:
    return any(re.search(rf"(?<![\w$]){re.escape(n)}(?![\w$])", sql) for n in names)


def fk_tokens(fk: sa.ForeignKey) -> tuple[str | None, str, str]:
    tokens = getattr(fk, "target_tokens", None)
    if tokens is None:
        tokens = fk._column_tokens
    schema, table, column = tokens
    return schema, table, column
