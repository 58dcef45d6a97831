"""Rendering the PostgreSQL ENUM type operations (engine.operations.ops_enum).

Real Alembic has no directives for these, so a script that uses them would
not run there. They are rendered as the plain statements they stand for, one
``op.execute(...)`` each, which both tools run online and offline.
"""

from __future__ import annotations

from typing import Any

from engine.autogenerate.render_registry import renderers
from engine.operations.ops_enum import AlterEnumTypeOp, CreateEnumTypeOp, DropEnumTypeOp


def _dialect(autogen_context: Any) -> Any:
    dialect = getattr(autogen_context, "dialect", None)
    return dialect if getattr(dialect, "name", None) == "postgresql" else None


def _prefix(autogen_context: Any) -> str:
    opts = getattr(autogen_context, "opts", None) or {}
    return opts.get("alembic_module_prefix", "op.")


@renderers.dispatch_for(CreateEnumTypeOp)
@renderers.dispatch_for(DropEnumTypeOp)
@renderers.dispatch_for(AlterEnumTypeOp)
def _render_enum_op(autogen_context: Any, op: Any) -> list[str]:
    prefix = _prefix(autogen_context)
    return [f"{prefix}execute({sql!r})" for sql in op.to_sql(_dialect(autogen_context))]
