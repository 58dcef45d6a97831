"""Index operations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Index

from engine.operations.ops_base import IrreversibleOperationError, MigrateOperation
from engine.operations.schemaobj import SchemaObjects


class CreateIndexOp(MigrateOperation):
    """``op.create_index(name, table, columns)``: columns are names, ``text()``
    or SQL expressions."""

    def __init__(
        self,
        index_name: str | None,
        table_name: str,
        columns: Sequence[Any],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.unique = unique
        self.if_not_exists = if_not_exists
        self.kw = kw

    @classmethod
    def create_index(
        cls,
        operations: Any,
        index_name: str | None,
        table_name: str,
        columns: Sequence[Any],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        op = cls(
            index_name,
            table_name,
            columns,
            schema=schema,
            unique=unique,
            if_not_exists=if_not_exists,
            **kw,
        )
        return operations.invoke(op)

    @classmethod
    def batch_create_index(
        cls, operations: Any, index_name: str, columns: Sequence[Any], **kw: Any
    ) -> None:
        impl = operations.impl
        return operations.invoke(
            cls(index_name, impl.table_name, columns, schema=impl.schema, **kw)
        )

    @classmethod
    def from_index(cls, index: Index) -> CreateIndexOp:
        table = index.table
        if table is None:
            raise IrreversibleOperationError(f"Index {index.name!r} is not attached to a table")
        return cls(
            index.name,
            table.name,
            list(index.expressions),
            schema=table.schema,
            unique=bool(index.unique),
            **index.kwargs,
        )

    def to_index(self, migration_context: Any = None) -> Index:
        return SchemaObjects(migration_context).index(
            self.index_name,
            self.table_name,
            self.columns,
            schema=self.schema,
            unique=self.unique,
            **self.kw,
        )

    def reverse(self) -> DropIndexOp:
        drop = DropIndexOp.from_index(self.to_index())
        drop.if_exists = self.if_not_exists
        return drop

    def to_diff_tuple(self) -> tuple[str, Index]:
        return ("add_index", self.to_index())


class DropIndexOp(MigrateOperation):
    """``op.drop_index(name, table)``; reversible when it knows the index."""

    def __init__(
        self,
        index_name: str,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: CreateIndexOp | None = None,
        **kw: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self.kw = kw
        self._reverse = _reverse

    @classmethod
    def drop_index(
        cls,
        operations: Any,
        index_name: str,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        op = cls(index_name, table_name, schema=schema, if_exists=if_exists, **kw)
        return operations.invoke(op)

    @classmethod
    def batch_drop_index(cls, operations: Any, index_name: str, **kw: Any) -> None:
        impl = operations.impl
        return operations.invoke(
            cls(index_name, table_name=impl.table_name, schema=impl.schema, **kw)
        )

    @classmethod
    def from_index(cls, index: Index) -> DropIndexOp:
        create = CreateIndexOp.from_index(index)
        return cls(
            index.name,
            table_name=create.table_name,
            schema=create.schema,
            _reverse=create,
            **index.kwargs,
        )

    def to_index(self, migration_context: Any = None) -> Index:
        reverse = self._reverse
        return SchemaObjects(migration_context).index(
            self.index_name,
            self.table_name,
            reverse.columns if reverse is not None else ["x"],
            schema=self.schema,
            unique=reverse.unique if reverse is not None else False,
            **self.kw,
        )

    def reverse(self) -> CreateIndexOp:
        if self._reverse is None:
            raise IrreversibleOperationError(
                f"drop_index({self.index_name!r}) cannot be reversed: its columns are unknown",
                hint="Write the matching op.create_index(...) in downgrade() by hand.",
            )
        create = CreateIndexOp.from_index(self.to_index())
        create.if_not_exists = self.if_exists
        return create

    def to_diff_tuple(self) -> tuple[str, Index]:
        return ("remove_index", self.to_index())
