"""Columns added, dropped and changed (nullability, comments; types and server
defaults are in ``compare_types`` / ``compare_defaults``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from engine.autogenerate.compare_registry import comparators
from engine.autogenerate.compare_tables import parent_names
from engine.operations import ops


@comparators.dispatch_for("table")
def compare_columns(
    autogen_context: Any,
    modify_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> None:
    if conn_table is None or metadata_table is None:
        return
    parents = parent_names(schema, table_name)
    state = getattr(autogen_context, "_compare_state", None)
    kept = state.kept_columns.pop((schema, table_name), None) if state is not None else None
    if kept is not None:  # the quick check asked include_name already
        conn_cols = {name: conn_table.c[name] for name in kept}
    else:
        conn_cols = {
            c.name: c
            for c in conn_table.c
            if autogen_context.run_name_filters(c.name, "column", parents)
        }
    meta_cols = {c.name: c for c in metadata_table.c}

    for name, col in meta_cols.items():
        if name in conn_cols:
            continue
        if autogen_context.run_object_filters(col, name, "column", False, None):
            modify_ops.ops.append(
                ops.AddColumnOp.from_column_and_tablename(schema, table_name, col)
            )

    for name, col in meta_cols.items():
        conn_col = conn_cols.get(name)
        if conn_col is None:
            continue
        if not autogen_context.run_object_filters(col, name, "column", False, conn_col):
            continue
        alter = ops.AlterColumnOp(
            table_name,
            name,
            schema=schema,
            existing_type=conn_col.type,
            existing_nullable=conn_col.nullable,
            existing_server_default=(
                conn_col.server_default if conn_col.server_default is not None else False
            ),
            existing_comment=conn_col.comment,
        )
        comparators.run("column", autogen_context, alter, schema, table_name, name, conn_col, col)
        if alter.has_changes():
            modify_ops.ops.append(alter)

    for name, conn_col in conn_cols.items():
        if name in meta_cols:
            continue
        if autogen_context.run_object_filters(conn_col, name, "column", True, None):
            modify_ops.ops.append(
                ops.DropColumnOp.from_column_and_tablename(schema, table_name, conn_col)
            )


@comparators.dispatch_for("column")
def compare_nullable(
    autogen_context: Any,
    alter: ops.AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn_col: sa.Column[Any],
    metadata_col: sa.Column[Any],
) -> None:
    if metadata_col.computed is not None or conn_col.computed is not None:
        return  # a generated column's nullability follows its expression
    if bool(conn_col.nullable) != bool(metadata_col.nullable):
        alter.modify_nullable = bool(metadata_col.nullable)


@comparators.dispatch_for("column")
def compare_column_comment(
    autogen_context: Any,
    alter: ops.AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn_col: sa.Column[Any],
    metadata_col: sa.Column[Any],
) -> None:
    if not autogen_context.dialect.supports_comments:
        return
    if (conn_col.comment or None) != (metadata_col.comment or None):
        alter.existing_comment = conn_col.comment
        alter.modify_comment = metadata_col.comment


@comparators.dispatch_for("table")
def compare_table_comment(
    autogen_context: Any,
    modify_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> None:
    if conn_table is None or metadata_table is None:
        return
    if not autogen_context.dialect.supports_comments:
        return
    old, new = conn_table.comment or None, metadata_table.comment or None
    if old == new:
        return
    if new is None:
        modify_ops.ops.append(
            ops.DropTableCommentOp(table_name, existing_comment=old, schema=schema)
        )
    else:
        modify_ops.ops.append(
            ops.CreateTableCommentOp(table_name, new, existing_comment=old, schema=schema)
        )
