"""PostgreSQL-only operations: ``EXCLUDE`` constraints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import schema as sa_schema

from engine.operations.ops_constraint import AddConstraintOp, deferral_kw
from engine.operations.schemaobj import SchemaObjects


@AddConstraintOp.register_add_constraint("exclude_constraint")
class CreateExcludeConstraintOp(AddConstraintOp):
    """PostgreSQL ``EXCLUDE USING ...`` (``sqlalchemy.dialects.postgresql.ExcludeConstraint``).

    ``elements`` are ``(column name or expression, operator)`` pairs.
    """

    constraint_type = "exclude"

    def __init__(
        self,
        constraint_name: Any,
        table_name: str,
        elements: Sequence[tuple[Any, str]],
        where: Any = None,
        schema: str | None = None,
        _orig_constraint: Any = None,
        **kw: Any,
    ) -> None:
        self.constraint_name = constraint_name
        self.table_name = table_name
        self.elements = list(elements)
        self.where = where
        self.schema = schema
        self._orig_constraint = _orig_constraint
        self.kw = kw

    @classmethod
    def from_constraint(cls, constraint: sa_schema.Constraint) -> CreateExcludeConstraintOp:
        table = constraint.table
        elements = [(expr, operator) for expr, _name, operator in constraint._render_exprs]
        kw = deferral_kw(constraint)
        if getattr(constraint, "using", None):
            kw["using"] = constraint.using
        return cls(
            constraint.name,
            table.name,
            elements,
            where=constraint.where,
            schema=table.schema,
            _orig_constraint=constraint,
            **kw,
        )

    def to_constraint(self, migration_context: Any = None) -> Any:
        if self._orig_constraint is not None:
            return self._orig_constraint
        return SchemaObjects(migration_context).exclude_constraint(
            self.constraint_name,
            self.table_name,
            self.elements,
            schema=self.schema,
            where=self.where,
            **self.kw,
        )

    @classmethod
    def create_exclude_constraint(
        cls, operations: Any, constraint_name: str, table_name: str, *elements: Any, **kw: Any
    ) -> Any:
        return operations.invoke(cls(constraint_name, table_name, elements, **kw))

    @classmethod
    def batch_create_exclude_constraint(
        cls, operations: Any, constraint_name: str, *elements: Any, **kw: Any
    ) -> Any:
        kw["schema"] = operations.impl.schema
        return operations.invoke(cls(constraint_name, operations.impl.table_name, elements, **kw))
