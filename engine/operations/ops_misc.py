"""Data operations: ``bulk_insert`` and ``execute``."""

from __future__ import annotations

from typing import Any

from engine.operations.ops_base import MigrateOperation


class BulkInsertOp(MigrateOperation):
    """``op.bulk_insert(table, rows)``: ``table`` is a Table or ``sa.table()`` construct."""

    def __init__(self, table: Any, rows: list[dict[str, Any]], *, multiinsert: bool = True) -> None:
        self.table = table
        self.rows = rows
        self.multiinsert = multiinsert

    @classmethod
    def bulk_insert(
        cls, operations: Any, table: Any, rows: list[dict[str, Any]], *, multiinsert: bool = True
    ) -> None:
        return operations.invoke(cls(table, rows, multiinsert=multiinsert))


class ExecuteSQLOp(MigrateOperation):
    """``op.execute(sql)``: a string or any SQLAlchemy executable."""

    def __init__(self, sqltext: Any, *, execution_options: dict[str, Any] | None = None) -> None:
        self.sqltext = sqltext
        self.execution_options = execution_options

    @classmethod
    def execute(
        cls, operations: Any, sqltext: Any, *, execution_options: dict[str, Any] | None = None
    ) -> None:
        return operations.invoke(cls(sqltext, execution_options=execution_options))

    @classmethod
    def batch_execute(
        cls, operations: Any, sqltext: Any, *, execution_options: dict[str, Any] | None = None
    ) -> None:
        return cls.execute(operations, sqltext, execution_options=execution_options)

    def to_diff_tuple(self) -> tuple[str, Any]:
        return ("execute", self.sqltext)
