"""A cheap first check, from the raw reflection, that a table is unchanged.

The comparison functions work on ``Table`` objects, and building one from the
reflected dictionaries costs more than everything else done per table (SQLAlchemy
sets up each column, constraint and index with its events). Most tables of a big
schema are unchanged, so ``compare_tables`` first asks ``table_unchanged``: it
looks at the reflected dictionaries and the model's ``Table`` with the same rules
as the comparison functions, and answers True only when they would find nothing
(no operation, no warning). Then the table needs no ``Table`` and no comparison.
Whatever it is not sure about (a generated column, a database index the model
does not match, a name with a dot in a foreign key) answers False, and the table
goes the full way.

It applies only when the comparison is the built-in one (``quick_check_applies``):
no ``include_object`` hook (it is handed the reflected objects), no
``compare_type`` / ``compare_server_default`` callable (handed reflected columns),
and no comparison function for tables or columns besides the built-in ones.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import types as sqltypes

from engine.autogenerate.reflect import ReflectedTable, _is_serial_default

#: switch for tests that compare the quick path with the full one
ENABLED = True


def _builtin_functions() -> dict[str, set[Any]]:
    from engine.autogenerate import compare_checks as checks
    from engine.autogenerate import compare_columns as cols
    from engine.autogenerate import compare_constraints as cons
    from engine.autogenerate import compare_defaults, compare_types

    return {
        "table": {
            cols.compare_columns,
            cols.compare_table_comment,
            cons.compare_primary_key,
            cons.compare_indexes_and_uniques,
            cons.compare_foreign_keys,
            checks.compare_check_constraints,
        },
        "column": {
            cols.compare_nullable,
            cols.compare_column_comment,
            compare_types.compare_type,
            compare_defaults.compare_server_default,
        },
    }


def quick_check_applies(autogen_context: Any) -> bool:
    """May ``table_unchanged`` stand in for the comparison functions in this run?"""
    if not ENABLED or getattr(autogen_context, "_object_filters", True):
        return False  # (no such attribute: not our AutogenContext, stay on the safe side)
    opts = autogen_context.opts
    if callable(opts.get("compare_type", True)):
        return False
    if callable(opts.get("compare_server_default", False)):
        return False
    from engine.autogenerate.compare_registry import comparators

    builtins = _builtin_functions()
    dialect_name = autogen_context.dialect.name
    return all(
        fn in builtins[target]
        for target in ("table", "column")
        for fn in comparators.functions(target, dialect_name)
    )


def table_unchanged(
    autogen_context: Any, state: Any, info: ReflectedTable, table: sa.Table
) -> bool:
    """True when the built-in comparisons would find no difference between the
    reflected ``info`` and the model's ``table`` (``state``: the run's
    ``CompareState``)."""
    dialect = autogen_context.dialect
    columns = _kept_columns(autogen_context, state, info, table)
    return (
        _comment_unchanged(dialect, info.comment, table.comment)
        and _columns_unchanged(autogen_context, info, columns, table)
        and _primary_key_unchanged(info, table)
        and _indexes_unchanged(dialect, info, table)
        and _foreign_keys_unchanged(dialect, state.norm, info, table)
        and _checks_unchanged(autogen_context, info, table)
    )


def _comment_unchanged(dialect: Any, conn: str | None, meta: str | None) -> bool:
    return not dialect.supports_comments or (conn or None) == (meta or None)


# ------------------------------------------------------------------ columns


def _kept_columns(
    autogen_context: Any, state: Any, info: ReflectedTable, table: sa.Table
) -> dict[str, dict[str, Any]]:
    """The reflected columns ``include_name`` keeps. The answers are kept for the
    full comparison, should the table need it, so that no hook is asked twice."""
    if not getattr(autogen_context, "_name_filters", True):
        return {col["name"]: col for col in info.columns}
    parents = {"schema_name": table.schema, "table_name": table.name}
    columns = {
        col["name"]: col
        for col in info.columns
        if autogen_context.run_name_filters(col["name"], "column", parents)
    }
    state.kept_columns[(table.schema, table.name)] = list(columns)
    return columns


def _columns_unchanged(
    autogen_context: Any,
    info: ReflectedTable,
    conn_cols: dict[str, dict[str, Any]],
    metadata_table: sa.Table,
) -> bool:
    """Nullability, comment, type and (when compared) server default of every
    column, as ``compare_columns`` and the column comparators see them."""
    from engine.autogenerate.compare_types import types_differ

    meta_cols = metadata_table.c
    if conn_cols.keys() != {c.name for c in meta_cols}:
        return False  # a column added or dropped
    opts = autogen_context.opts
    compare_type = opts.get("compare_type", True)
    compare_type = compare_type is not False and compare_type is not None
    compare_default = bool(opts.get("compare_server_default", False))
    dialect = autogen_context.dialect
    comments = dialect.supports_comments
    null_type = sqltypes.NullType
    for meta_col in meta_cols:
        col = conn_cols[meta_col.name]
        if col.get("computed") or meta_col.computed is not None:
            return False  # generated columns: left to the full comparison
        if bool(col.get("nullable", True)) != bool(meta_col.nullable):
            return False
        if comments and (col.get("comment") or None) != (meta_col.comment or None):
            return False
        if compare_type:
            conn_type, meta_type = col["type"], meta_col.type
            if (
                not isinstance(meta_type, null_type)
                and not isinstance(conn_type, null_type)
                and types_differ(dialect, conn_type, meta_type)
            ):
                return False
        if compare_default and not _default_unchanged(dialect, info, col, meta_col):
            return False
    return True


def _default_unchanged(
    dialect: Any, info: ReflectedTable, col: dict[str, Any], meta_col: sa.Column[Any]
) -> bool:
    from engine.autogenerate.compare_defaults import (
        defaults_differ,
        identity_differs,
        render_metadata_default,
    )

    conn_identity = col.get("identity")
    if meta_col.identity is not None or conn_identity:
        conn = sa.Identity(**conn_identity) if conn_identity else None
        return not identity_differs(conn, meta_col.identity)
    meta_default = meta_col.server_default
    if meta_default is not None and not isinstance(meta_default, sa.DefaultClause):
        return True  # FetchedValue: nothing to compare
    default = col.get("default")
    if default is not None and _is_serial_default(default, info.name, col["name"], dialect):
        default = None  # part of the autoincrement
    rendered = render_metadata_default(meta_default, dialect)
    if meta_default is not None and rendered is None:
        return True
    return not defaults_differ(dialect, default, rendered)


# ------------------------------------------------------------------ constraints


def _primary_key_unchanged(info: ReflectedTable, metadata_table: sa.Table) -> bool:
    meta_cols = [c.name for c in metadata_table.primary_key.columns]
    return not meta_cols or meta_cols == list(info.pk.get("constrained_columns") or [])


def _indexes_unchanged(dialect: Any, info: ReflectedTable, metadata_table: sa.Table) -> bool:
    from engine.autogenerate.compare_constraints import (
        _is_mysql,
        match_items,
        model_items,
        reflected_items,
    )

    # every database item counts as droppable: unsure means "changed"
    unsure: list[Any] = []
    drops, adds = match_items(
        model_items(metadata_table, dialect),
        reflected_items(info, dialect),
        _is_mysql(dialect),
        lambda item: True,
        dialect.name,
        lambda meta, conn: unsure.append(conn),
    )
    return not drops and not adds and not unsure


def _foreign_keys_unchanged(
    dialect: Any, norm: Any, info: ReflectedTable, metadata_table: sa.Table
) -> bool:
    from engine.autogenerate.compare_constraints import _fk_sig, reflected_fk_sig

    conn = set()
    for fk in info.foreign_keys:
        sig = reflected_fk_sig(fk, norm, dialect)
        if sig is None:
            return False
        conn.add(sig)
    meta = {_fk_sig(fk, norm, dialect) for fk in metadata_table.foreign_key_constraints}
    return conn == meta


def _checks_unchanged(autogen_context: Any, info: ReflectedTable, metadata_table: sa.Table) -> bool:
    if not autogen_context.opts.get("compare_check_constraints"):
        return True
    from engine.autogenerate.compare_checks import check_differs, model_checks, reflected_checks

    meta = model_checks(metadata_table)
    conn = reflected_checks(info.checks, {col["name"] for col in info.columns})
    if meta.keys() != conn.keys():
        return False
    dialect = autogen_context.dialect
    # changed, or unsure (the full comparison warns): not unchanged
    return all(check_differs(conn[name], check, dialect) is False for name, check in meta.items())
