"""Named CHECK constraints (opt-in: ``compare_check_constraints=True`` in
``context.configure``; Alembic has no such comparison).

A named constraint the database lacks is added, one the models lack is dropped,
and one whose SQL changed is dropped and added again. The SQL is compared as
``engine.autogenerate.sql_text`` normalises it, because every database hands it
back in its own words (PostgreSQL deparses ``status IN ('a', 'b')`` into
``status::text = ANY (ARRAY[...])``, MariaDB backquotes and rewrites function
names); when one of the two texts cannot be understood and they differ even
loosely, nothing is claimed and a warning says so.

Unnamed constraints are not compared: there is no name to drop them by. Neither
is MariaDB's own ``CHECK (json_valid(col))`` of a JSON column (named after it).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

# comparisons run in registration order: columns and other constraints first
from engine.autogenerate import compare_columns, compare_constraints  # noqa: F401
from engine.autogenerate.compare_registry import comparators
from engine.autogenerate.compare_tables import parent_names
from engine.autogenerate.sql_text import compiled_text, texts_differ
from engine.operations import ops

__all__ = ["check_differs", "compare_check_constraints", "model_checks", "reflected_checks"]


def _name(obj: Any) -> str | None:
    name = getattr(obj, "name", None)
    if name is None or type(name).__name__ == "_NoneName":
        return None
    return str(name)


def _is_own_json_check(name: str, sqltext: str, column_names: set[str]) -> bool:
    return name in column_names and "json_valid" in sqltext.lower()


def model_checks(metadata_table: sa.Table) -> dict[str, sa.CheckConstraint]:
    """The model's named CHECK constraints by name."""
    out: dict[str, sa.CheckConstraint] = {}
    for const in metadata_table.constraints:
        if isinstance(const, sa.CheckConstraint):
            name = _name(const)
            if name is not None:
                out.setdefault(name, const)
    return out


def reflected_checks(checks: list[dict[str, Any]], column_names: set[str]) -> dict[str, str]:
    """The database's named CHECK constraints, name -> SQL text as reflected."""
    out: dict[str, str] = {}
    for ck in checks:
        name = ck.get("name")
        text = str(ck.get("sqltext") or "")
        if name and not _is_own_json_check(name, text, column_names):
            out.setdefault(name, text)
    return out


def check_differs(conn_text: str, check: sa.CheckConstraint, dialect: Any) -> bool | None:
    """Does the model's ``check`` say something else than the database's text?
    None: cannot tell (see ``sql_text.texts_differ``)."""
    meta_text = compiled_text(check.sqltext, dialect)
    if meta_text is None:
        return None
    return texts_differ(conn_text, meta_text, dialect.name)


def _conn_checks(conn_table: sa.Table) -> dict[str, sa.CheckConstraint]:
    column_names = {c.name for c in conn_table.c}
    out: dict[str, sa.CheckConstraint] = {}
    for const in conn_table.constraints:
        if not isinstance(const, sa.CheckConstraint):
            continue
        name = _name(const)
        text = compiled_text(const.sqltext, None) or ""
        if name is not None and not _is_own_json_check(name, text, column_names):
            out.setdefault(name, const)
    return out


@comparators.dispatch_for("table")
def compare_check_constraints(
    autogen_context: Any,
    modify_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> None:
    if not autogen_context.opts.get("compare_check_constraints"):
        return
    if conn_table is None or metadata_table is None:
        return
    parents = parent_names(schema, table_name)
    dialect = autogen_context.dialect
    meta = model_checks(metadata_table)
    conn = _conn_checks(conn_table)

    def may_drop(name: str, check: sa.CheckConstraint) -> bool:
        return autogen_context.run_name_filters(
            name, "check_constraint", parents
        ) and autogen_context.run_object_filters(check, name, "check_constraint", True, None)

    def may_add(name: str, check: sa.CheckConstraint, compare_to: Any) -> bool:
        return autogen_context.run_object_filters(
            check, name, "check_constraint", False, compare_to
        )

    drops: list[Any] = []
    adds: list[Any] = []
    for name, check in conn.items():
        if name not in meta and may_drop(name, check):
            drops.append(ops.DropConstraintOp.from_constraint(check))
    for name, check in meta.items():
        existing = conn.get(name)
        if existing is None:
            if may_add(name, check, None):
                adds.append(ops.AddConstraintOp.from_constraint(check))
            continue
        conn_text = compiled_text(existing.sqltext, None) or ""
        differs = check_differs(conn_text, check, dialect)
        if differs is None:
            autogen_context.warn(
                f"Could not compare the SQL of CHECK constraint {name!r} on {table_name}: "
                f"the database has {conn_text!r}; if the model's changed, drop and "
                "re-create it by hand"
            )
        elif differs and may_drop(name, existing) and may_add(name, check, existing):
            drops.append(ops.DropConstraintOp.from_constraint(existing))
            adds.append(ops.AddConstraintOp.from_constraint(check))
    modify_ops.ops.extend(drops)
    modify_ops.ops.extend(adds)
