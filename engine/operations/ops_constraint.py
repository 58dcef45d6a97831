"""Constraint operations: unique, foreign key, check, primary key, PostgreSQL EXCLUDE,
and dropping any of them by name."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from sqlalchemy import schema as sa_schema

from engine.operations.ops_base import (
    InvalidOperationError,
    IrreversibleOperationError,
    MigrateOperation,
)
from engine.operations.schemaobj import SchemaObjects

_AC = TypeVar("_AC", bound="type[AddConstraintOp]")

#: SQLAlchemy constraint ``__visit_name__`` -> ``drop_constraint(type_=...)``.
_DROP_TYPES = {
    "unique_constraint": "unique",
    "foreign_key_constraint": "foreignkey",
    "primary_key_constraint": "primary",
    "check_constraint": "check",
    "column_check_constraint": "check",
    "table_or_column_check_constraint": "check",
}


def deferral_kw(constraint: sa_schema.Constraint) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if constraint.deferrable:
        kw["deferrable"] = constraint.deferrable
    if constraint.initially:
        kw["initially"] = constraint.initially
    return kw


class AddConstraintOp(MigrateOperation):
    """Base of the ``create_*_constraint`` operations."""

    constraint_type: ClassVar[str] = ""
    #: visit name of a SQLAlchemy constraint -> the op class that recreates it
    add_constraint_ops: ClassVar[dict[str, type[AddConstraintOp]]] = {}

    constraint_name: Any
    table_name: str
    schema: str | None

    @classmethod
    def register_add_constraint(cls, type_: str) -> Callable[[_AC], _AC]:
        """Class decorator: ``from_constraint`` of constraints whose SQLAlchemy
        ``__visit_name__`` is ``type_`` is handled by the decorated class."""

        def register(op_cls: _AC) -> _AC:
            AddConstraintOp.add_constraint_ops[type_] = op_cls
            return op_cls

        return register

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> AddConstraintOp:
        visit = constraint.__visit_name__
        op_cls = AddConstraintOp.add_constraint_ops.get(visit)
        if op_cls is None:
            raise InvalidOperationError(f"no operation creates a {visit!r} constraint")
        return op_cls.from_constraint(constraint)

    def to_constraint(self, migration_context: Any = None) -> sa_schema.Constraint:
        raise NotImplementedError

    def reverse(self) -> DropConstraintOp:
        return DropConstraintOp.from_constraint(self.to_constraint())

    def to_diff_tuple(self) -> tuple[str, sa_schema.Constraint]:
        return ("add_constraint", self.to_constraint())


@AddConstraintOp.register_add_constraint("unique_constraint")
class CreateUniqueConstraintOp(AddConstraintOp):
    constraint_type = "unique"

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> CreateUniqueConstraintOp:
        table = constraint.table
        kw = deferral_kw(constraint)
        kw.update(constraint.dialect_kwargs)
        return cls(
            constraint.name,
            table.name,
            [c.name for c in constraint.columns],
            schema=table.schema,
            **kw,
        )

    def to_constraint(self, migration_context: Any = None) -> sa_schema.UniqueConstraint:
        return SchemaObjects(migration_context).unique_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )

    @classmethod
    def create_unique_constraint(
        cls,
        operations: Any,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> Any:
        return operations.invoke(cls(constraint_name, table_name, columns, schema=schema, **kw))

    @classmethod
    def batch_create_unique_constraint(
        cls, operations: Any, constraint_name: str, columns: Sequence[str], **kw: Any
    ) -> Any:
        kw["schema"] = operations.impl.schema
        return operations.invoke(cls(constraint_name, operations.impl.table_name, columns, **kw))


@AddConstraintOp.register_add_constraint("foreign_key_constraint")
class CreateForeignKeyOp(AddConstraintOp):
    constraint_type = "foreignkey"

    def __init__(
        self,
        constraint_name: Any,
        source_table: str,
        referent_table: str,
        local_cols: list[str],
        remote_cols: list[str],
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.source_table = source_table
        self.referent_table = referent_table
        self.local_cols = list(local_cols)
        self.remote_cols = list(remote_cols)
        self.kw = kw

    # the table the constraint lives on, under the name every other op uses
    @property
    def table_name(self) -> str:  # type: ignore[override]
        return self.source_table

    @table_name.setter
    def table_name(self, value: str) -> None:
        self.source_table = value

    @property
    def schema(self) -> str | None:  # type: ignore[override]
        return self.kw.get("source_schema")

    @schema.setter
    def schema(self, value: str | None) -> None:
        self.kw["source_schema"] = value

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> CreateForeignKeyOp:
        assert isinstance(constraint, sa_schema.ForeignKeyConstraint)
        source = constraint.table
        targets = [fk._column_tokens for fk in constraint.elements]
        kw: dict[str, Any] = deferral_kw(constraint)
        for key in ("onupdate", "ondelete", "match"):
            value = getattr(constraint, key)
            if value:
                kw[key] = value
        if constraint.use_alter:
            kw["use_alter"] = True
        kw.update(constraint.dialect_kwargs)
        return cls(
            constraint.name,
            source.name,
            targets[0].table_name,
            [c.name for c in constraint.columns],
            [t.column_name for t in targets],
            source_schema=source.schema,
            referent_schema=targets[0].schema,
            **kw,
        )

    def to_constraint(self, migration_context: Any = None) -> sa_schema.ForeignKeyConstraint:
        return SchemaObjects(migration_context).foreign_key_constraint(
            self.constraint_name,
            self.source_table,
            self.referent_table,
            self.local_cols,
            self.remote_cols,
            **self.kw,
        )

    def to_diff_tuple(self) -> tuple[str, sa_schema.Constraint]:
        return ("add_fk", self.to_constraint())

    @classmethod
    def create_foreign_key(
        cls,
        operations: Any,
        constraint_name: str | None,
        source_table: str,
        referent_table: str,
        local_cols: list[str],
        remote_cols: list[str],
        *,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        op = cls(
            constraint_name,
            source_table,
            referent_table,
            local_cols,
            remote_cols,
            onupdate=onupdate,
            ondelete=ondelete,
            deferrable=deferrable,
            source_schema=source_schema,
            referent_schema=referent_schema,
            initially=initially,
            match=match,
            **dialect_kw,
        )
        return operations.invoke(op)

    @classmethod
    def batch_create_foreign_key(
        cls,
        operations: Any,
        constraint_name: str | None,
        referent_table: str,
        local_cols: list[str],
        remote_cols: list[str],
        *,
        referent_schema: str | None = None,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        **dialect_kw: Any,
    ) -> None:
        op = cls(
            constraint_name,
            operations.impl.table_name,
            referent_table,
            local_cols,
            remote_cols,
            onupdate=onupdate,
            ondelete=ondelete,
            deferrable=deferrable,
            source_schema=operations.impl.schema,
            referent_schema=referent_schema,
            initially=initially,
            match=match,
            **dialect_kw,
        )
        return operations.invoke(op)


@AddConstraintOp.register_add_constraint("check_constraint")
@AddConstraintOp.register_add_constraint("column_check_constraint")
@AddConstraintOp.register_add_constraint("table_or_column_check_constraint")
class CreateCheckConstraintOp(AddConstraintOp):
    constraint_type = "check"

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        condition: Any,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.condition = condition
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> CreateCheckConstraintOp:
        assert isinstance(constraint, sa_schema.CheckConstraint)
        table = constraint.table
        kw = deferral_kw(constraint)
        kw.update(constraint.dialect_kwargs)
        return cls(constraint.name, table.name, constraint.sqltext, schema=table.schema, **kw)

    def to_constraint(self, migration_context: Any = None) -> sa_schema.CheckConstraint:
        return SchemaObjects(migration_context).check_constraint(
            self.constraint_name, self.table_name, self.condition, schema=self.schema, **self.kw
        )

    @classmethod
    def create_check_constraint(
        cls,
        operations: Any,
        constraint_name: str | None,
        table_name: str,
        condition: Any,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        return operations.invoke(cls(constraint_name, table_name, condition, schema=schema, **kw))

    @classmethod
    def batch_create_check_constraint(
        cls, operations: Any, constraint_name: str, condition: Any, **kw: Any
    ) -> None:
        impl = operations.impl
        return operations.invoke(
            cls(constraint_name, impl.table_name, condition, schema=impl.schema, **kw)
        )


@AddConstraintOp.register_add_constraint("primary_key_constraint")
class CreatePrimaryKeyOp(AddConstraintOp):
    constraint_type = "primarykey"

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.columns = list(columns)
        self.schema = schema
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> CreatePrimaryKeyOp:
        table = constraint.table
        return cls(
            constraint.name,
            table.name,
            [c.name for c in constraint.columns],
            schema=table.schema,
            **constraint.dialect_kwargs,
        )

    def to_constraint(self, migration_context: Any = None) -> sa_schema.PrimaryKeyConstraint:
        return SchemaObjects(migration_context).primary_key_constraint(
            self.constraint_name, self.table_name, self.columns, schema=self.schema, **self.kw
        )

    @classmethod
    def create_primary_key(
        cls,
        operations: Any,
        constraint_name: str | None,
        table_name: str,
        columns: list[str],
        *,
        schema: str | None = None,
    ) -> None:
        return operations.invoke(cls(constraint_name, table_name, columns, schema=schema))

    @classmethod
    def batch_create_primary_key(
        cls, operations: Any, constraint_name: str | None, columns: list[str]
    ) -> None:
        impl = operations.impl
        return operations.invoke(cls(constraint_name, impl.table_name, columns, schema=impl.schema))


class DropConstraintOp(MigrateOperation):
    """``op.drop_constraint(name, table, type_=...)``; reversible when it knows the
    constraint (built by ``from_constraint`` or as the reverse of a create)."""

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        _reverse: AddConstraintOp | None = None,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.constraint_type = type_
        self.schema = schema
        self.if_exists = if_exists
        self._reverse = _reverse

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> DropConstraintOp:
        table = constraint.table
        return cls(
            constraint.name,
            table.name,
            type_=_DROP_TYPES.get(constraint.__visit_name__),
            schema=table.schema,
            _reverse=AddConstraintOp.from_constraint(constraint),
        )

    def _known_reverse(self) -> AddConstraintOp:
        if self._reverse is None:
            raise IrreversibleOperationError(
                f"drop_constraint({self.constraint_name!r}, {self.table_name!r}) cannot be "
                "reversed: the constraint's definition is unknown",
                hint="Write the matching op.create_..._constraint(...) in downgrade() by hand.",
            )
        # follow renames made on this op after it was built
        add = copy.copy(self._reverse)
        add.kw = dict(add.kw)  # type: ignore[attr-defined]  # not shared with the original
        add.constraint_name = self.constraint_name
        add.table_name = self.table_name
        add.schema = self.schema
        return add

    def to_constraint(self, migration_context: Any = None) -> sa_schema.Constraint:
        return self._known_reverse().to_constraint(migration_context)

    def reverse(self) -> AddConstraintOp:
        return self._known_reverse()

    def to_diff_tuple(self) -> tuple[str, sa_schema.Constraint]:
        kind = "remove_fk" if self.constraint_type == "foreignkey" else "remove_constraint"
        return (kind, self.to_constraint())

    @classmethod
    def drop_constraint(
        cls,
        operations: Any,
        constraint_name: str,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
    ) -> None:
        op = cls(constraint_name, table_name, type_=type_, schema=schema, if_exists=if_exists)
        return operations.invoke(op)

    @classmethod
    def batch_drop_constraint(
        cls, operations: Any, constraint_name: str, type_: str | None = None
    ) -> None:
        impl = operations.impl
        op = cls(constraint_name, impl.table_name, type_=type_, schema=impl.schema)
        return operations.invoke(op)
