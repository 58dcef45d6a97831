"""Table-level operations: create, drop, rename, table comments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Table

from engine.operations.ops_base import AlterTableOp, IrreversibleOperationError, MigrateOperation
from engine.operations.schemaobj import SchemaObjects

if TYPE_CHECKING:
    from sqlalchemy.schema import SchemaItem


class CreateTableOp(MigrateOperation):
    """``op.create_table(name, *columns, **kw)``."""

    def __init__(
        self,
        table_name: str,
        columns: Sequence[SchemaItem],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        _namespace_metadata: MetaData | None = None,
        _constraints_included: bool = False,
        **kw: Any,
    ) -> None:
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.if_not_exists = if_not_exists
        self.info = kw.pop("info", None) or {}
        self.comment = kw.pop("comment", None)
        self.prefixes = list(kw.pop("prefixes", None) or [])
        self.kw = kw
        self._namespace_metadata = _namespace_metadata
        self._constraints_included = _constraints_included

    @classmethod
    def create_table(
        cls,
        operations: Any,
        table_name: str,
        *columns: SchemaItem,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> Table:
        return operations.invoke(cls(table_name, columns, if_not_exists=if_not_exists, **kw))

    @classmethod
    def from_table(
        cls, table: Table, *, _namespace_metadata: MetaData | None = None
    ) -> CreateTableOp:
        return cls(
            table.name,
            list(table.c) + list(table.constraints),
            schema=table.schema,
            _namespace_metadata=table.metadata
            if _namespace_metadata is None
            else _namespace_metadata,
            _constraints_included=True,
            comment=table.comment,
            info=dict(table.info),
            prefixes=list(table._prefixes),
            **table.kwargs,
        )

    def to_table(self, migration_context: Any = None) -> Table:
        return SchemaObjects(migration_context).table(
            self.table_name,
            *self.columns,
            schema=self.schema,
            prefixes=list(self.prefixes),
            comment=self.comment,
            info=dict(self.info),
            constraints_included=self._constraints_included,
            **self.kw,
        )

    def reverse(self) -> DropTableOp:
        drop = DropTableOp.from_table(self.to_table(), _namespace_metadata=self._namespace_metadata)
        drop.if_exists = self.if_not_exists
        return drop

    def to_diff_tuple(self) -> tuple[str, Table]:
        return ("add_table", self.to_table())


class DropTableOp(MigrateOperation):
    """``op.drop_table(name)``; reversible only when built from a Table (``from_table``)."""

    def __init__(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        table_kw: dict[Any, Any] | None = None,
        _reverse: CreateTableOp | None = None,
    ) -> None:
        self.table_name = table_name
        self.schema = schema
        self.if_exists = if_exists
        self.table_kw = dict(table_kw or {})
        self.comment = self.table_kw.pop("comment", None)
        self.info = self.table_kw.pop("info", None) or {}
        self.prefixes = list(self.table_kw.pop("prefixes", None) or [])
        self._reverse = _reverse

    @classmethod
    def drop_table(
        cls,
        operations: Any,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        return operations.invoke(cls(table_name, schema=schema, if_exists=if_exists, table_kw=kw))

    @classmethod
    def from_table(
        cls, table: Table, *, _namespace_metadata: MetaData | None = None
    ) -> DropTableOp:
        return cls(
            table.name,
            schema=table.schema,
            table_kw={
                "comment": table.comment,
                "info": dict(table.info),
                "prefixes": list(table._prefixes),
                **table.kwargs,
            },
            _reverse=CreateTableOp.from_table(table, _namespace_metadata=_namespace_metadata),
        )

    def to_table(self, migration_context: Any = None) -> Table:
        items = self._reverse.columns if self._reverse is not None else []
        return SchemaObjects(migration_context).table(
            self.table_name,
            *items,
            schema=self.schema,
            comment=self.comment,
            info=dict(self.info),
            prefixes=list(self.prefixes),
            constraints_included=bool(self._reverse and self._reverse._constraints_included),
            **self.table_kw,
        )

    def reverse(self) -> CreateTableOp:
        if self._reverse is None:
            raise IrreversibleOperationError(
                f"drop_table({self.table_name!r}) cannot be reversed: its columns are unknown",
                hint="Write the matching op.create_table(...) in downgrade() by hand.",
            )
        create = CreateTableOp.from_table(
            self.to_table(), _namespace_metadata=self._reverse._namespace_metadata
        )
        create.if_not_exists = self.if_exists
        return create

    def to_diff_tuple(self) -> tuple[str, Table]:
        return ("remove_table", self.to_table())


class RenameTableOp(AlterTableOp):
    """``op.rename_table(old, new)``."""

    def __init__(
        self, old_table_name: str, new_table_name: str, *, schema: str | None = None
    ) -> None:
        super().__init__(old_table_name, schema=schema)
        self.new_table_name = new_table_name

    @classmethod
    def rename_table(
        cls,
        operations: Any,
        old_table_name: str,
        new_table_name: str,
        *,
        schema: str | None = None,
    ) -> None:
        return operations.invoke(cls(old_table_name, new_table_name, schema=schema))

    def reverse(self) -> RenameTableOp:
        return RenameTableOp(self.new_table_name, self.table_name, schema=self.schema)


class CreateTableCommentOp(AlterTableOp):
    """``op.create_table_comment(table, comment)``: set (or replace) a table comment."""

    def __init__(
        self,
        table_name: str,
        comment: str | None,
        *,
        schema: str | None = None,
        existing_comment: str | None = None,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.comment = comment
        self.existing_comment = existing_comment

    @classmethod
    def create_table_comment(
        cls,
        operations: Any,
        table_name: str,
        comment: str | None,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        op = cls(table_name, comment, existing_comment=existing_comment, schema=schema)
        return operations.invoke(op)

    @classmethod
    def batch_create_table_comment(
        cls, operations: Any, comment: str | None, *, existing_comment: str | None = None
    ) -> None:
        impl = operations.impl
        op = cls(impl.table_name, comment, existing_comment=existing_comment, schema=impl.schema)
        return operations.invoke(op)

    def reverse(self) -> CreateTableCommentOp | DropTableCommentOp:
        if self.existing_comment is None:
            return DropTableCommentOp(
                self.table_name, existing_comment=self.comment, schema=self.schema
            )
        return CreateTableCommentOp(
            self.table_name,
            self.existing_comment,
            existing_comment=self.comment,
            schema=self.schema,
        )

    def to_table(self, migration_context: Any = None) -> Table:
        return SchemaObjects(migration_context).table(
            self.table_name, schema=self.schema, comment=self.comment
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("add_table_comment", self.to_table(), self.existing_comment)


class DropTableCommentOp(AlterTableOp):
    """``op.drop_table_comment(table)``."""

    def __init__(
        self, table_name: str, *, schema: str | None = None, existing_comment: str | None = None
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.existing_comment = existing_comment

    @classmethod
    def drop_table_comment(
        cls,
        operations: Any,
        table_name: str,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        return operations.invoke(cls(table_name, existing_comment=existing_comment, schema=schema))

    @classmethod
    def batch_drop_table_comment(
        cls, operations: Any, *, existing_comment: str | None = None
    ) -> None:
        impl = operations.impl
        op = cls(impl.table_name, existing_comment=existing_comment, schema=impl.schema)
        return operations.invoke(op)

    def reverse(self) -> CreateTableCommentOp:
        if self.existing_comment is None:
            raise IrreversibleOperationError(
                f"drop_table_comment({self.table_name!r}) cannot be reversed: "
                "the old comment is unknown",
                hint="Pass existing_comment= to make it reversible.",
            )
        return CreateTableCommentOp(self.table_name, self.existing_comment, schema=self.schema)

    def to_table(self, migration_context: Any = None) -> Table:
        return SchemaObjects(migration_context).table(self.table_name, schema=self.schema)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("remove_table_comment", self.to_table())
