"""How each built-in op runs: op data -> calls on the Impl (``operations.impl``).

In batch mode ``operations.impl`` is a ``BatchOperationsImpl`` with the same method
names, which records the calls and applies them on flush.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import schema as sa_schema
from sqlalchemy.types import to_instance

from engine.operations import ops, ops_enum
from engine.operations.base import Operations


def _flags(**flags: Any) -> dict[str, Any]:
    """Only the flags that were given: the Impl keeps its own defaults otherwise."""
    return {k: v for k, v in flags.items() if v is not None}


def _creates_for_dialect(constraint: sa_schema.Constraint, dialect: Any) -> bool:
    """False for constraints a type adds only on some databases (the CHECK of a
    non-native Boolean / Enum) when this dialect does not need it."""
    rule = getattr(constraint, "_create_rule", None)
    if rule is None:
        return True
    return bool(rule(dialect.ddl_compiler(dialect, None)))


def _type_constraints(operations: Any, table: sa_schema.Table) -> list[sa_schema.Constraint]:
    dialect = operations.impl.dialect
    found = [
        c
        for c in table.constraints
        if not isinstance(c, sa_schema.PrimaryKeyConstraint) and _creates_for_dialect(c, dialect)
    ]
    # Table.constraints is a set: order by creation for repeatable output
    return sorted(found, key=lambda c: getattr(c, "_creation_order", 0))


@Operations.implementation_for(ops.CreateTableOp)
def create_table(operations: Any, operation: ops.CreateTableOp) -> sa_schema.Table:
    table = operation.to_table(operations.migration_context)
    operations.impl.create_table(table, **_flags(if_not_exists=operation.if_not_exists))
    return table


@Operations.implementation_for(ops.DropTableOp)
def drop_table(operations: Any, operation: ops.DropTableOp) -> None:
    table = operation.to_table(operations.migration_context)
    operations.impl.drop_table(table, **_flags(if_exists=operation.if_exists))


@Operations.implementation_for(ops.RenameTableOp)
def rename_table(operations: Any, operation: ops.RenameTableOp) -> None:
    operations.impl.rename_table(
        operation.table_name, operation.new_table_name, schema=operation.schema
    )


@Operations.implementation_for(ops.CreateTableCommentOp)
def create_table_comment(operations: Any, operation: ops.CreateTableCommentOp) -> None:
    operations.impl.create_table_comment(operation.to_table(operations.migration_context))


@Operations.implementation_for(ops.DropTableCommentOp)
def drop_table_comment(operations: Any, operation: ops.DropTableCommentOp) -> None:
    operations.impl.drop_table_comment(operation.to_table(operations.migration_context))


def _plain_ddl(operations: Any) -> Any:
    """The Impl's plain-DDL renderer when it may be used now (never in batch mode)."""
    return getattr(operations.impl, "plain_ddl", None)


def _add_plain_column(operations: Any, operation: ops.AddColumnOp) -> bool:
    renderer = _plain_ddl(operations)
    if renderer is None or operation.kw or operation.if_not_exists:
        return False
    if operation.inline_references or operation.inline_primary_key:
        return False
    sql = renderer.add_column(operation.table_name, operation.column, operation.schema)
    if sql is None:
        return False
    operations.impl.run_plain(sql)
    return True


@Operations.implementation_for(ops.AddColumnOp)
def add_column(operations: Any, operation: ops.AddColumnOp) -> None:
    if _add_plain_column(operations, operation):
        return
    column = operation.column
    if column.table is not None:
        column = column._copy()
    # attaching the column to a table gives its type's and its own table-level
    # constraints and indexes (ForeignKey, unique=, index=, Boolean CHECK...)
    table = operations.schema_obj.table(operation.table_name, column, schema=operation.schema)
    operations.impl.add_column(
        operation.table_name,
        column,
        schema=operation.schema,
        **_flags(
            if_not_exists=operation.if_not_exists,
            inline_references=operation.inline_references or None,
            inline_primary_key=operation.inline_primary_key or None,
        ),
        **operation.kw,
    )
    for constraint in _type_constraints(operations, table):
        if operation.inline_references and isinstance(constraint, sa_schema.ForeignKeyConstraint):
            continue
        operations.impl.add_constraint(constraint)
    for index in table.indexes:
        operations.impl.create_index(index)
    dialect = operations.impl.dialect
    if column.comment and dialect.supports_comments and not dialect.inline_comments:
        operations.impl.create_column_comment(column)


@Operations.implementation_for(ops.DropColumnOp)
def drop_column(operations: Any, operation: ops.DropColumnOp) -> None:
    column = operation.to_column(operations.migration_context)
    operations.impl.drop_column(
        operation.table_name,
        column,
        schema=operation.schema,
        **_flags(if_exists=operation.if_exists),
        **operation.kw,
    )


@Operations.implementation_for(ops.AlterColumnOp)
def alter_column(operations: Any, operation: ops.AlterColumnOp) -> None:
    schema_obj = operations.schema_obj
    type_ = to_instance(operation.modify_type) if operation.modify_type is not None else None
    existing_type = (
        to_instance(operation.existing_type) if operation.existing_type is not None else None
    )
    table_name, column_name, schema = operation.table_name, operation.column_name, operation.schema

    # a type change also swaps the constraints the types carry (e.g. Enum's CHECK)
    if existing_type is not None and type_ is not None:
        old = schema_obj.table(
            table_name, sa_schema.Column(column_name, existing_type), schema=schema
        )
        for constraint in _type_constraints(operations, old):
            operations.impl.drop_constraint(constraint)

    operations.impl.alter_column(
        table_name,
        column_name,
        nullable=operation.modify_nullable,
        server_default=operation.modify_server_default,
        name=operation.modify_name,
        type_=type_,
        schema=schema,
        existing_type=existing_type,
        existing_server_default=operation.existing_server_default,
        existing_nullable=operation.existing_nullable,
        comment=operation.modify_comment,
        existing_comment=operation.existing_comment,
        **operation.kw,
    )

    if type_ is not None:
        new_name = operation.modify_name or column_name
        new = schema_obj.table(table_name, schema_obj.column(new_name, type_), schema=schema)
        for constraint in _type_constraints(operations, new):
            operations.impl.add_constraint(constraint)


@Operations.implementation_for(ops.CreateIndexOp)
def create_index(operations: Any, operation: ops.CreateIndexOp) -> None:
    renderer = _plain_ddl(operations)
    if renderer is not None and not operation.kw:
        sql = renderer.create_index(
            operation.index_name,
            operation.table_name,
            operation.columns,
            operation.schema,
            bool(operation.unique),
            bool(operation.if_not_exists),
            operations.schema_obj.naming_convention(),
        )
        if sql is not None:
            operations.impl.run_plain(sql)
            return
    index = operation.to_index(operations.migration_context)
    operations.impl.create_index(index, **_flags(if_not_exists=operation.if_not_exists))


@Operations.implementation_for(ops.DropIndexOp)
def drop_index(operations: Any, operation: ops.DropIndexOp) -> None:
    index = operation.to_index(operations.migration_context)
    operations.impl.drop_index(index, **_flags(if_exists=operation.if_exists))


@Operations.implementation_for(ops.AddConstraintOp)
def add_constraint(operations: Any, operation: ops.AddConstraintOp) -> None:
    operations.impl.add_constraint(operation.to_constraint(operations.migration_context))


@Operations.implementation_for(ops.DropConstraintOp)
def drop_constraint(operations: Any, operation: ops.DropConstraintOp) -> None:
    constraint = operations.schema_obj.generic_constraint(
        operation.constraint_name,
        operation.table_name,
        operation.constraint_type,
        schema=operation.schema,
    )
    operations.impl.drop_constraint(constraint, **_flags(if_exists=operation.if_exists))


@Operations.implementation_for(ops.BulkInsertOp)
def bulk_insert(operations: Any, operation: ops.BulkInsertOp) -> None:
    operations.impl.bulk_insert(operation.table, operation.rows, multiinsert=operation.multiinsert)


@Operations.implementation_for(ops.ExecuteSQLOp)
def execute_sql(operations: Any, operation: ops.ExecuteSQLOp) -> None:
    # immediate even in batch mode: SQL runs where the directive stands
    operations.migration_context.impl.execute(
        operation.sqltext, execution_options=operation.execution_options
    )


# --- PostgreSQL ENUM types (engine.operations.ops_enum): directives and running --------

for _name, _op_cls in (
    ("create_enum_type", ops_enum.CreateEnumTypeOp),
    ("drop_enum_type", ops_enum.DropEnumTypeOp),
    ("alter_enum_type", ops_enum.AlterEnumTypeOp),
):
    Operations.register_operation(_name)(_op_cls)


@Operations.implementation_for(ops_enum.CreateEnumTypeOp)
@Operations.implementation_for(ops_enum.DropEnumTypeOp)
@Operations.implementation_for(ops_enum.AlterEnumTypeOp)
def enum_type_statements(operations: Any, operation: Any) -> None:
    impl = operations.impl
    for statement in operation.to_sql(impl.dialect):
        # DDL() formats with %: escape it so labels may contain one
        impl._exec(sa.DDL(statement.replace("%", "%%")))
