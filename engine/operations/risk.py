"""What an operation can destroy: findings for previews and the guided rollback.

Pure: looks only at operation data objects (``engine.operations.ops``).
``destructive`` findings lose data or structure that the reverse step cannot
bring back (a dropped table, column or constraint, a narrowing type change);
``caution`` findings may fail on existing rows or need a human to read them
(a column made NOT NULL, hand-written SQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from engine.operations import ops

Severity = Literal["destructive", "caution"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    message: str


def _table(op: Any) -> str:
    schema = getattr(op, "schema", None)
    name = getattr(op, "table_name", None) or getattr(op, "source_table", None) or "?"
    return f"{schema}.{name}" if schema else str(name)


def findings_for(op: Any) -> list[Finding]:
    """The findings of one operation (recursing into containers)."""
    if isinstance(op, ops.OpContainer):
        out: list[Finding] = []
        for child in op.ops:
            out.extend(findings_for(child))
        return out
    if isinstance(op, ops.DropTableOp):
        return [Finding("destructive", f"drops table {_table(op)} and all its rows")]
    if isinstance(op, ops.DropColumnOp):
        return [Finding("destructive", f"drops column {_table(op)}.{op.column_name} and its data")]
    if isinstance(op, ops.DropConstraintOp):
        kind = op.constraint_type or "constraint"
        return [
            Finding("destructive", f"drops {kind} constraint {op.constraint_name} on {_table(op)}")
        ]
    if isinstance(op, ops.AlterColumnOp):
        return _alter_findings(op)
    if isinstance(op, ops.ExecuteSQLOp):
        return [Finding("caution", "runs hand-written SQL: read it before confirming")]
    return []


def _alter_findings(op: Any) -> list[Finding]:
    out: list[Finding] = []
    where = f"{_table(op)}.{op.column_name}"
    if op.modify_type is not None:
        narrowing = is_narrowing(op.existing_type, op.modify_type)
        if narrowing is None:
            out.append(
                Finding(
                    "caution",
                    f"changes the type of {where} to {_type_name(op.modify_type)} "
                    "(the old type is not given: cannot tell whether values fit)",
                )
            )
        elif narrowing:
            out.append(
                Finding(
                    "destructive",
                    f"narrows {where} from {_type_name(op.existing_type)} to "
                    f"{_type_name(op.modify_type)}: values may be cut or rejected",
                )
            )
    if op.modify_nullable is False and op.existing_nullable is not False:
        out.append(Finding("caution", f"makes {where} NOT NULL: fails if it holds NULLs"))
    return out


def _type_name(type_: Any) -> str:
    try:
        return str(type_() if isinstance(type_, type) else type_)
    except Exception:  # noqa: BLE001 - a type that cannot render still has a name
        return getattr(type_, "__name__", type(type_).__name__)


_INT_RANK = {sa.SmallInteger: 1, sa.Integer: 2, sa.BigInteger: 3}


def is_narrowing(old: Any, new: Any) -> bool | None:
    """True when ``new`` cannot hold every value of ``old``; None when unknown."""
    if old is None:
        return None
    old = old() if isinstance(old, type) else old
    new = new() if isinstance(new, type) else new
    if isinstance(old, sa.String) and isinstance(new, sa.String):
        if old.length is None:
            return new.length is not None
        return new.length is not None and new.length < old.length
    if isinstance(old, sa.Numeric) and isinstance(new, sa.Numeric):
        if old.precision is None or new.precision is None:
            return old.precision is None and new.precision is not None
        return new.precision < old.precision or (new.scale or 0) < (old.scale or 0)
    if isinstance(old, sa.Integer) and isinstance(new, sa.Integer):
        return _rank(new) < _rank(old)
    if isinstance(old, (sa.Float, sa.Numeric)) and isinstance(new, sa.Integer):
        return True
    if isinstance(old, sa.String) and not isinstance(new, sa.String):
        return True  # text into numbers, dates...: values may not convert
    if isinstance(old, sa.DateTime) and isinstance(new, sa.Date):
        return True
    if type(old) is type(new):
        return False
    return None


def _rank(type_: Any) -> int:
    for cls in type(type_).__mro__:
        if cls in _INT_RANK:
            return _INT_RANK[cls]
    return 2
