"""Column-level operations: add, drop, alter."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import Column
from sqlalchemy.types import NULLTYPE

from engine.operations.ops_base import (
    AlterTableOp,
    IrreversibleOperationError,
    swap_existing_and_modify,
)
from engine.operations.schemaobj import SchemaObjects


def _batch_position(insert_before: str | None, insert_after: str | None) -> dict[str, str]:
    kw = {}
    if insert_before:
        kw["insert_before"] = insert_before
    if insert_after:
        kw["insert_after"] = insert_after
    return kw


class AddColumnOp(AlterTableOp):
    """``op.add_column(table, Column(...))``."""

    def __init__(
        self,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column = column
        self.if_not_exists = if_not_exists
        self.inline_references = inline_references
        self.inline_primary_key = inline_primary_key
        self.kw = kw

    @classmethod
    def add_column(
        cls,
        operations: Any,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        op = cls(
            table_name,
            column,
            schema=schema,
            if_not_exists=if_not_exists,
            inline_references=inline_references,
            inline_primary_key=inline_primary_key,
        )
        return operations.invoke(op)

    @classmethod
    def batch_add_column(
        cls,
        operations: Any,
        column: Column[Any],
        *,
        insert_before: str | None = None,
        insert_after: str | None = None,
        if_not_exists: bool | None = None,
        inline_references: bool | None = None,
        inline_primary_key: bool | None = None,
    ) -> None:
        op = cls(
            operations.impl.table_name,
            column,
            schema=operations.impl.schema,
            if_not_exists=if_not_exists,
            inline_references=inline_references,
            inline_primary_key=inline_primary_key,
            **_batch_position(insert_before, insert_after),
        )
        return operations.invoke(op)

    @classmethod
    def from_column(cls, col: Column[Any]) -> AddColumnOp:
        return cls(col.table.name, col, schema=col.table.schema)

    @classmethod
    def from_column_and_tablename(
        cls, schema: str | None, tname: str, col: Column[Any]
    ) -> AddColumnOp:
        return cls(tname, col, schema=schema)

    def to_column(self) -> Column[Any]:
        return self.column

    def reverse(self) -> DropColumnOp:
        drop = DropColumnOp.from_column_and_tablename(self.schema, self.table_name, self.column)
        drop.if_exists = self.if_not_exists
        return drop

    def to_diff_tuple(self) -> tuple[str, str | None, str, Column[Any]]:
        return ("add_column", self.schema, self.table_name, self.column)


class DropColumnOp(AlterTableOp):
    """``op.drop_column(table, name)``; reversible when it knows the Column."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: AddColumnOp | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.if_exists = if_exists
        self.kw = kw
        self._reverse = _reverse

    @classmethod
    def drop_column(
        cls,
        operations: Any,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        return operations.invoke(cls(table_name, column_name, schema=schema, **kw))

    @classmethod
    def batch_drop_column(cls, operations: Any, column_name: str, **kw: Any) -> None:
        impl = operations.impl
        return operations.invoke(cls(impl.table_name, column_name, schema=impl.schema, **kw))

    @classmethod
    def from_column_and_tablename(
        cls, schema: str | None, tname: str, col: Column[Any]
    ) -> DropColumnOp:
        return cls(
            tname,
            col.name,
            schema=schema,
            _reverse=AddColumnOp.from_column_and_tablename(schema, tname, col),
        )

    def to_column(self, migration_context: Any = None) -> Column[Any]:
        if self._reverse is not None:
            return self._reverse.column
        return SchemaObjects(migration_context).column(self.column_name, NULLTYPE)

    def reverse(self) -> AddColumnOp:
        if self._reverse is None:
            raise IrreversibleOperationError(
                f"drop_column({self.table_name!r}, {self.column_name!r}) cannot be reversed: "
                "the column's definition is unknown",
                hint="Write the matching op.add_column(...) in downgrade() by hand.",
            )
        add = AddColumnOp.from_column_and_tablename(
            self.schema, self.table_name, self._reverse.column
        )
        add.if_not_exists = self.if_exists
        return add

    def to_diff_tuple(self) -> tuple[str, str | None, str, Column[Any]]:
        return ("remove_column", self.schema, self.table_name, self.to_column())


class AlterColumnOp(AlterTableOp):
    """``op.alter_column(...)``: ``modify_*`` are the new values (``False``/``None``
    meaning "unchanged"), ``existing_*`` describe the column as it is."""

    def __init__(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        existing_type: Any | None = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        modify_nullable: bool | None = None,
        modify_comment: str | Literal[False] | None = False,
        modify_server_default: Any = False,
        modify_name: str | None = None,
        modify_type: Any | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(table_name, schema=schema)
        self.column_name = column_name
        self.existing_type = existing_type
        self.existing_server_default = existing_server_default
        self.existing_nullable = existing_nullable
        self.existing_comment = existing_comment
        self.modify_nullable = modify_nullable
        self.modify_comment = modify_comment
        self.modify_server_default = modify_server_default
        self.modify_name = modify_name
        self.modify_type = modify_type
        self.kw = kw

    @classmethod
    def alter_column(
        cls,
        operations: Any,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | Literal[False] | None = False,
        server_default: Any = False,
        new_column_name: str | None = None,
        type_: Any = None,
        existing_type: Any = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        op = cls(
            table_name,
            column_name,
            schema=schema,
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_comment=existing_comment,
            modify_name=new_column_name,
            modify_type=type_,
            modify_server_default=server_default,
            modify_nullable=nullable,
            modify_comment=comment,
            **kw,
        )
        return operations.invoke(op)

    @classmethod
    def batch_alter_column(
        cls,
        operations: Any,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | Literal[False] | None = False,
        server_default: Any = False,
        new_column_name: str | None = None,
        type_: Any = None,
        existing_type: Any = None,
        existing_server_default: Any = False,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        op = cls(
            operations.impl.table_name,
            column_name,
            schema=operations.impl.schema,
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_comment=existing_comment,
            modify_name=new_column_name,
            modify_type=type_,
            modify_server_default=server_default,
            modify_nullable=nullable,
            modify_comment=comment,
            **_batch_position(insert_before, insert_after),
            **kw,
        )
        return operations.invoke(op)

    def has_changes(self) -> bool:
        return (
            self.modify_nullable is not None
            or self.modify_type is not None
            or self.modify_name is not None
            or self.modify_server_default is not False
            or self.modify_comment is not False
            or any(k.startswith("modify_") for k in self.kw)
        )

    def _state(self) -> dict[str, Any]:
        kw = dict(self.kw)
        kw.update(
            existing_type=self.existing_type,
            existing_nullable=self.existing_nullable,
            existing_server_default=self.existing_server_default,
            existing_comment=self.existing_comment,
        )
        if self.modify_type is not None:
            kw["modify_type"] = self.modify_type
        if self.modify_nullable is not None:
            kw["modify_nullable"] = self.modify_nullable
        if self.modify_server_default is not False:
            kw["modify_server_default"] = self.modify_server_default
        if self.modify_comment is not False:
            kw["modify_comment"] = self.modify_comment
        return kw

    def reverse(self) -> AlterColumnOp:
        kw = swap_existing_and_modify(self._state())
        column_name = self.column_name
        if self.modify_name is not None:
            column_name, kw["modify_name"] = self.modify_name, self.column_name
        for position in ("insert_before", "insert_after"):
            kw.pop(position, None)
        return AlterColumnOp(self.table_name, column_name, schema=self.schema, **kw)

    def to_diff_tuple(self) -> list[tuple[Any, ...]]:
        where = (self.schema, self.table_name, self.column_name)
        diffs: list[tuple[Any, ...]] = []
        if self.modify_type is not None:
            extra = {
                "existing_nullable": self.existing_nullable,
                "existing_server_default": self.existing_server_default,
                "existing_comment": self.existing_comment,
            }
            diffs.append(("modify_type", *where, extra, self.existing_type, self.modify_type))
        if self.modify_nullable is not None:
            extra = {
                "existing_type": self.existing_type,
                "existing_server_default": self.existing_server_default,
                "existing_comment": self.existing_comment,
            }
            diffs.append(
                ("modify_nullable", *where, extra, self.existing_nullable, self.modify_nullable)
            )
        if self.modify_server_default is not False:
            extra = {
                "existing_nullable": self.existing_nullable,
                "existing_type": self.existing_type,
                "existing_comment": self.existing_comment,
            }
            diffs.append(
                (
                    "modify_default",
                    *where,
                    extra,
                    self.existing_server_default,
                    self.modify_server_default,
                )
            )
        if self.modify_comment is not False:
            extra = {
                "existing_nullable": self.existing_nullable,
                "existing_type": self.existing_type,
                "existing_server_default": self.existing_server_default,
            }
            diffs.append(
                ("modify_comment", *where, extra, self.existing_comment, self.modify_comment)
            )
        return diffs
