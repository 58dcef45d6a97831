"""PostgreSQL ENUM types: created, given new values, dropped (beyond Alembic).

Runs after the table comparison and uses what it found:

* a named ``sa.Enum`` of the models that the database lacks gets a
  ``CreateEnumTypeOp`` at the start of the upgrade;
* a type whose labels differ gets an ``AlterEnumTypeOp`` at the start (before
  columns start using new labels), listing the columns that use it; when the
  type must be recreated and some of them have a server default, an
  ``AlterEnumWithDefaultsOp`` that drops and restores those (``enum_defaults``);
* a type of the compared schemas that no model uses any more gets a
  ``DropEnumTypeOp`` at the end (after the tables and columns using it are gone).

SQLAlchemy's CREATE TABLE creates a missing type but DROP TABLE never drops one,
so a downgrade that drops a table would leave its type behind (Alembic's famous
"type already exists" on the next upgrade). Here the type's life is explicit
instead: the columns of tables created or dropped in the same migration get a
``postgresql.ENUM(..., create_type=False)`` so the table does not create the type
a second time (rendered as such, that also runs under Alembic).

Enum types pass through ``include_object(type, name, "enum", reflected, compare_to)``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeDecorator

from engine.autogenerate.compare_registry import comparators
from engine.autogenerate.compare_tables import CompareState, compare_state
from engine.autogenerate.enum_defaults import with_defaults
from engine.autogenerate.reflect import TableKey
from engine.operations import ops
from engine.operations.ops_enum import AlterEnumTypeOp, CreateEnumTypeOp, DropEnumTypeOp

EnumKey = tuple[str | None, str]


@dataclass
class _Usage:
    values: list[str]
    type_: Any
    schema: str | None
    # (table, column name, schema, ARRAY dimensions around the ENUM)
    columns: list[tuple[TableKey, str, str | None, int]] = field(default_factory=list)


def native_enum(type_: Any, dialect: Any) -> sa.Enum | None:
    """The named native ENUM behind a column type (variants, decorators, arrays)."""
    return _enum_and_dimensions(type_, dialect)[0]


def enum_array_dimensions(type_: Any, dialect: Any) -> int:
    """How many ARRAY levels wrap the native ENUM of a column type (0: a plain ENUM)."""
    return _enum_and_dimensions(type_, dialect)[1]


def _enum_and_dimensions(type_: Any, dialect: Any) -> tuple[sa.Enum | None, int]:
    dimensions = 0
    seen = 0
    while seen < 5:
        seen += 1
        variants = getattr(type_, "_variant_mapping", None) or {}
        if dialect.name in variants:
            type_ = variants[dialect.name]
            continue
        if isinstance(type_, TypeDecorator):
            type_ = type_.load_dialect_impl(dialect)
            continue
        if isinstance(type_, sa.ARRAY):
            dimensions += type_.dimensions or 1
            type_ = type_.item_type
            continue
        break
    if isinstance(type_, sa.Enum) and type_.native_enum and type_.name:
        return type_, dimensions
    return None, 0


def _metadata_enums(autogen_context: Any, state: CompareState, schemas: set[Any]) -> dict:
    out: dict[EnumKey, _Usage] = {}
    dialect = autogen_context.dialect
    for table in autogen_context.sorted_tables:
        table_key = (state.norm(table.schema), table.name)
        for col in table.c:
            enum = native_enum(col.type, dialect)
            if enum is None:
                continue
            key = (state.norm(enum.schema), str(enum.name))
            if key[0] not in schemas:
                continue
            usage = out.setdefault(key, _Usage(list(enum.enums), enum, enum.schema))
            dims = enum_array_dimensions(col.type, dialect)
            usage.columns.append((table_key, col.name, table.schema, dims))
    return out


def _database_enums(autogen_context: Any, state: CompareState, schemas: list[Any]) -> dict:
    out: dict[EnumKey, _Usage] = {}
    inspector = autogen_context.inspector
    for schema in schemas:
        for enum in inspector.get_enums(schema=schema):
            key = (state.norm(enum.get("schema")), enum["name"])
            if key[0] in {state.norm(s) for s in schemas}:
                out[key] = _Usage(list(enum["labels"]), None, enum.get("schema"))
    if not out:
        return out  # no type to find the columns of
    for table_key, info in state.reflected.items():
        for col in info.columns:
            enum = native_enum(col["type"], autogen_context.dialect)
            if enum is None:
                continue
            usage = out.get((state.norm(enum.schema), str(enum.name)))
            if usage is not None:
                dims = enum_array_dimensions(col["type"], autogen_context.dialect)
                usage.columns.append((table_key, col["name"], info.schema, dims))
                usage.type_ = usage.type_ if usage.type_ is not None else enum
    return out


@comparators.dispatch_for("schema", "postgresql")
def compare_enum_types(
    autogen_context: Any, upgrade_ops: ops.UpgradeOps, schemas: list[str | None]
) -> None:
    state = compare_state(autogen_context)
    wanted = {state.norm(s) for s in schemas}
    in_models = _metadata_enums(autogen_context, state, wanted)
    in_db = _database_enums(autogen_context, state, schemas)
    first: list[Any] = []
    last: list[Any] = []
    for key in sorted(in_models, key=lambda k: (k[0] or "", k[1])):
        usage = in_models[key]
        current = in_db.get(key)
        if not autogen_context.run_object_filters(
            usage.type_, key[1], "enum", False, current.type_ if current else None
        ):
            continue
        if current is None:
            first.append(CreateEnumTypeOp(key[1], usage.values, schema=usage.schema))
        elif current.values != usage.values:
            columns = [
                (schema, table_key[1], column, dims) if dims else (schema, table_key[1], column)
                for table_key, column, schema, dims in current.columns
                if table_key not in state.dropped
            ]
            alter = AlterEnumTypeOp(
                key[1],
                usage.values,
                existing_values=current.values,
                schema=current.schema if key[0] is not None else None,
                columns=columns,
            )
            if not alter.only_adds_values:
                alter = with_defaults(
                    alter,
                    upgrade_ops,
                    _reflected_defaults(state),
                    _model_defaults(autogen_context, state),
                    autogen_context.dialect,
                    state.norm,
                )
            first.append(alter)
    for key in sorted(in_db, key=lambda k: (k[0] or "", k[1])):
        if key in in_models:
            continue
        current = in_db[key]
        if not autogen_context.run_object_filters(current.type_, key[1], "enum", True, None):
            continue
        last.append(
            DropEnumTypeOp(
                key[1], values=current.values, schema=current.schema if key[0] is not None else None
            )
        )
    _types_made_explicitly(upgrade_ops, autogen_context.dialect)
    upgrade_ops.ops[:0] = first
    upgrade_ops.ops.extend(last)


def _reflected_defaults(state: CompareState) -> dict[tuple[str | None, str, str], str | None]:
    return {
        (table_key[0], table_key[1], col["name"]): col.get("default")
        for table_key, info in state.reflected.items()
        for col in info.columns
    }


def _model_defaults(autogen_context: Any, state: CompareState) -> dict[Any, Any]:
    return {
        (state.norm(table.schema), table.name, col.name): col.server_default
        for table in autogen_context.sorted_tables
        for col in table.c
        if isinstance(col.server_default, sa.DefaultClause)
    }


def _no_create(enum: sa.Enum) -> postgresql.ENUM:
    return postgresql.ENUM(*enum.enums, name=enum.name, schema=enum.schema, create_type=False)


def _with_no_create(type_: Any, enum: Any) -> Any:
    """``type_`` with its ENUM made ``create_type=False``; an ARRAY stays an ARRAY."""
    if isinstance(type_, sa.ARRAY):
        array = copy.copy(type_)
        array.item_type = _with_no_create(type_.item_type, enum)
        return array
    return _no_create(enum)


def _types_made_explicitly(upgrade_ops: ops.UpgradeOps, dialect: Any) -> None:
    """Tables created or dropped here must not create their ENUM types themselves."""
    for op in upgrade_ops.ops:
        if isinstance(op, ops.CreateTableOp):
            for pos, item in enumerate(op.columns):
                if isinstance(item, sa.Column) and native_enum(item.type, dialect) is not None:
                    column = item._copy()
                    column.type = _with_no_create(item.type, native_enum(item.type, dialect))
                    op.columns[pos] = column
        elif isinstance(op, ops.DropTableOp) and op._reverse is not None:
            for item in op._reverse.columns:
                if isinstance(item, sa.Column):
                    enum = native_enum(item.type, dialect)
                    if isinstance(enum, postgresql.ENUM):
                        enum.create_type = False
