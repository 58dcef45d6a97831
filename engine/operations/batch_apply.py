"""Move-and-copy, part one: the recorded batch changes applied to a plan of the table.

``TableRebuild`` starts from the current structure of a table (reflected, or the
``copy_from`` Table) and takes the same Impl-style calls a batch block records
(``add_column``, ``alter_column``, ``drop_constraint`` ...). Columns, constraints
and indexes are kept as small plans that point at column plans rather than at
names, so a rename or a drop reaches every constraint and index using the
column. Nothing here touches a database: ``batch.move_and_copy`` turns the
finished plan into DDL and runs it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ClauseElement, TextClause

from engine.operations.batch_plans import (
    TEMP_PREFIX,
    BatchError,
    ColumnPlan,
    ConstraintPlan,
    IndexPlan,
    copy_column,
    fk_tokens,
    mentions,
    schema_type_constraint_name,
    server_default_clause,
)


class TableRebuild:
    """The new version of one table, built up call by call, then run once."""

    def __init__(
        self,
        table: sa.Table,
        *,
        table_args: Sequence[Any] = (),
        table_kwargs: dict[str, Any] | None = None,
        reflected: bool = False,
        partial_reordering: Sequence[Sequence[str]] | None = None,
    ) -> None:
        self.table = table
        self.table_args = tuple(table_args)
        self.table_kwargs = dict(table_kwargs or {})
        self.reflected = reflected
        self.partial_reordering = [tuple(t) for t in (partial_reordering or ())]
        self.schema = table.schema
        self.new_name = table.name
        self.comment = table.comment
        self.columns: list[ColumnPlan] = []
        self.constraints: list[ConstraintPlan] = []
        self.indexes: list[IndexPlan] = []
        self.unnamed_checks_dropped: list[str] = []
        # What reflection can't describe (SQLite expression indexes, triggers): SQL
        # to run again once the new table has the old name.
        self.raw_objects: dict[str, str] = {}
        self._renamed_or_dropped: set[str] = set()
        self._read_table()

    # -- reading the old table -------------------------------------------

    def _read_table(self) -> None:
        by_source: dict[str, ColumnPlan] = {}
        column_level: set[sa.Constraint] = set()
        for col in self.table.columns:
            plan = ColumnPlan(copy_column(col), col.name)
            self.columns.append(plan)
            by_source[col.name] = plan
            column_level.update(col.constraints)

        def plans(cols: Iterable[sa.Column[Any]]) -> list[ColumnPlan]:
            return [by_source[c.name] for c in cols]

        pk = self.table.primary_key
        if pk is not None and len(pk.columns):
            self.constraints.append(ConstraintPlan("pk", pk.name, plans(pk.columns), pk))
        for const in self.table._sorted_constraints:
            if const is pk or const in column_level:
                continue
            if isinstance(const, sa.CheckConstraint):
                if const._type_bound:
                    continue  # comes back with the copied Boolean/Enum type
                self.constraints.append(ConstraintPlan("check", const.name, [], const))
            elif isinstance(const, sa.UniqueConstraint):
                self.constraints.append(
                    ConstraintPlan("unique", const.name, plans(const.columns), const)
                )
            elif isinstance(const, sa.ForeignKeyConstraint):
                self.constraints.append(
                    self._fk_plan(const, plans(const.columns), const.elements, by_source)
                )
        for idx in sorted(self.table.indexes, key=lambda i: i.name or ""):
            elements: list[ColumnPlan | ClauseElement] = []
            for expr in idx.expressions:
                if isinstance(expr, sa.Column) and expr.table is self.table:
                    elements.append(by_source[expr.name])
                elif isinstance(expr, str):
                    elements.append(by_source[expr])
                else:
                    elements.append(expr)
            self.indexes.append(
                IndexPlan(idx.name, elements, bool(idx.unique), dict(idx.dialect_kwargs))
            )

    def override_columns(self, items: Iterable[Any]) -> None:
        """Columns given as ``reflect_args`` replace the copied ones of that name."""
        for item in items:
            if isinstance(item, sa.Column):
                plan = self._column(item.name)
                plan.column = copy_column(item)
            else:
                self.table_args += (item,)

    # -- column lookups --------------------------------------------------

    def _column(self, name: str) -> ColumnPlan:
        for plan in self.columns:
            if plan.name == name:
                return plan
        raise BatchError(
            f"No column named {name!r} in table {self.table.name!r}",
            hint="Check the column name; earlier renames in the same batch count.",
        )

    def _columns_by_name(self, names: Iterable[str]) -> list[ColumnPlan]:
        return [self._column(n) for n in names]

    # -- the Impl-style calls --------------------------------------------

    def add_column(
        self,
        table_name: str,
        column: sa.Column[Any],
        insert_before: str | None = None,
        insert_after: str | None = None,
        **kw: Any,
    ) -> None:
        if any(p.name == column.name for p in self.columns):
            raise BatchError(f"Column {column.name!r} already exists in table {self.table.name!r}")
        plan = ColumnPlan(copy_column(column), None)
        plan.column.primary_key = False
        self._place(plan, insert_before, insert_after, new=True)
        if column.primary_key:
            pk = self._primary_key()
            if pk is None:
                self.constraints.insert(
                    0, ConstraintPlan("pk", None, [plan], sa.PrimaryKeyConstraint())
                )
            else:
                pk.columns.append(plan)
        # The column's ForeignKey / unique / index arrive as add_constraint and
        # create_index calls of their own (as for a plain op.add_column).

    def _fk_plan(
        self,
        const: sa.ForeignKeyConstraint | sa.ForeignKey,
        local: list[ColumnPlan],
        fks: Sequence[sa.ForeignKey],
        by_name: dict[str, ColumnPlan],
    ) -> ConstraintPlan:
        tokens = [fk_tokens(fk) for fk in fks]
        schema, table_name = tokens[0][0], tokens[0][1]
        remote = [t[2] for t in tokens]
        plan = ConstraintPlan("fk", const.name, local, const, (schema, table_name, remote))
        same_schema = (schema or None) == (self.schema or None)
        if (
            same_schema
            and table_name in (self.table.name, self.new_name)
            and all(r in by_name for r in remote)
        ):
            # Self-referencing: follows renames of its columns and of the table.
            plan.self_ref = [by_name[r] for r in remote]
        return plan

    def _place(
        self,
        plan: ColumnPlan,
        insert_before: str | None,
        insert_after: str | None,
        *,
        new: bool,
    ) -> None:
        if not new:
            self.columns.remove(plan)
        if insert_before is not None:
            self.columns.insert(self.columns.index(self._column(insert_before)), plan)
        elif insert_after is not None:
            self.columns.insert(self.columns.index(self._column(insert_after)) + 1, plan)
        else:
            self.columns.append(plan)

    def drop_column(self, table_name: str, column: sa.Column[Any] | str, **kw: Any) -> None:
        name = column if isinstance(column, str) else column.name
        plan = self._column(name)
        self.columns.remove(plan)
        if plan.source is not None:
            self._renamed_or_dropped.add(plan.source)
        # A Boolean/Enum given as existing_type names the CHECK it created.
        ck_name = None if isinstance(column, str) else schema_type_constraint_name(column.type)
        if ck_name:
            self._forget_named_check(ck_name)
        self._drop_dependents()

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        nullable: bool | None = None,
        server_default: Any = False,
        name: str | None = None,
        type_: Any = None,
        autoincrement: Any = None,
        comment: Any = False,
        insert_before: str | None = None,
        insert_after: str | None = None,
        existing_type: Any = None,
        **kw: Any,
    ) -> None:
        plan = self._column(column_name)
        col = plan.column
        if name is not None and name != col.name:
            if any(p.name == name for p in self.columns):
                raise BatchError(f"Column {name!r} already exists in table {self.table.name!r}")
            if plan.source is not None:
                self._renamed_or_dropped.add(plan.source)
            col.name = name
            col.key = name
        if type_ is not None:
            type_ = sa.types.to_instance(type_)
            old_ck = (
                schema_type_constraint_name(existing_type) if existing_type is not None else None
            )
            if old_ck:
                self._forget_named_check(old_ck)
            if isinstance(type_, sa.types.SchemaType):
                type_ = type_.copy()
            col.type = type_
            # The copy asks the dialect whether old -> new needs a CAST.
            plan.cast = plan.source is not None
        if nullable is not None:
            col.nullable = nullable
        if server_default is not False:
            col.server_default = server_default_clause(server_default)
        if autoincrement is not None:
            col.autoincrement = autoincrement
        if comment is not False:
            col.comment = comment
        if insert_before is not None or insert_after is not None:
            self._place(plan, insert_before, insert_after, new=False)

    def add_constraint(self, const: sa.Constraint, **kw: Any) -> None:
        if isinstance(const, sa.CheckConstraint) and const._type_bound:
            return  # the column's Boolean/Enum type creates it again on the new table
        names = [c.name for c in getattr(const, "columns", ())]
        if isinstance(const, sa.PrimaryKeyConstraint):
            old = self._primary_key()
            if old is not None:
                self.constraints.remove(old)
            self.constraints.insert(
                0, ConstraintPlan("pk", const.name, self._columns_by_name(names), const)
            )
        elif isinstance(const, sa.ForeignKeyConstraint):
            by_name = {p.name: p for p in self.columns}
            local = self._columns_by_name(names)
            self.constraints.append(self._fk_plan(const, local, const.elements, by_name))
        elif isinstance(const, sa.UniqueConstraint):
            self.constraints.append(
                ConstraintPlan("unique", const.name, self._columns_by_name(names), const)
            )
        elif isinstance(const, sa.CheckConstraint):
            self.constraints.append(ConstraintPlan("check", const.name, [], const))
        else:
            raise BatchError(f"Can't add a {type(const).__name__} in batch mode")

    def drop_constraint(self, const: sa.Constraint, **kw: Any) -> None:
        name = const.name
        for plan in self.constraints:
            if name is not None and plan.name == name:
                self.constraints.remove(plan)
                return
        if name is not None and self._forget_named_check(name):
            return
        if kw.get("if_exists") or (isinstance(const, sa.CheckConstraint) and const._type_bound):
            # A type's own CHECK (a Boolean/Enum given as existing_type) may not
            # exist on this database: nothing to drop then.
            return
        raise BatchError(
            f"No such constraint: {name!r}",
            hint="Unnamed constraints (common on SQLite) can be named for the batch "
            "with batch_alter_table(naming_convention=...).",
        )

    def create_index(self, idx: sa.Index, **kw: Any) -> None:
        elements: list[ColumnPlan | ClauseElement] = []
        for expr in idx.expressions:
            if isinstance(expr, str):
                elements.append(self._column(expr))
            elif isinstance(expr, sa.ColumnClause) and not isinstance(expr, TextClause):
                elements.append(self._column(expr.name))
            else:
                elements.append(expr)
        self.indexes.append(
            IndexPlan(idx.name, elements, bool(idx.unique), dict(idx.dialect_kwargs), dict(kw))
        )

    def drop_index(self, idx: sa.Index, **kw: Any) -> None:
        for plan in self.indexes:
            if plan.name == idx.name:
                self.indexes.remove(plan)
                return
        if self.raw_objects.pop(str(idx.name), None) is not None or kw.get("if_exists"):
            return
        raise BatchError(f"No such index: {idx.name!r} on table {self.table.name!r}")

    def rename_table(self, old_table_name: str, new_table_name: str, **kw: Any) -> None:
        self.new_name = new_table_name

    def create_table_comment(self, table: sa.Table) -> None:
        self.comment = table.comment

    def drop_table_comment(self, table: sa.Table) -> None:
        self.comment = None

    def create_column_comment(self, column: sa.Column[Any]) -> None:
        self._column(column.name).column.comment = column.comment

    # -- bookkeeping -------------------------------------------------------

    @property
    def named_constraints(self) -> dict[str, ConstraintPlan]:
        """Named constraints the new table will carry (for ``prep_table_for_batch``:
        PostgreSQL must free these names on the old table first)."""
        return {p.name: p for p in self.constraints if p.name is not None}

    def _primary_key(self) -> ConstraintPlan | None:
        return next((p for p in self.constraints if p.kind == "pk"), None)

    def _forget_named_check(self, name: str) -> bool:
        """Drop a CHECK by name: a table-level one, or one a Boolean/Enum creates."""
        for plan in self.constraints:
            if plan.kind == "check" and plan.name == name:
                self.constraints.remove(plan)
                return True
        for col in self.columns:
            if schema_type_constraint_name(col.column.type) == name:
                col.column.type.create_constraint = False  # type: ignore[attr-defined]
                return True
            for ck in list(col.column.constraints):
                if ck.name == name:
                    col.column.constraints.discard(ck)
                    return True
        return False

    def _drop_dependents(self) -> None:
        """Constraints and indexes lose what used a dropped column (PK: only it)."""
        live = set(map(id, self.columns))
        kept: list[ConstraintPlan] = []
        for plan in self.constraints:
            if plan.kind == "pk":
                plan.columns = [c for c in plan.columns if id(c) in live]
                if plan.columns:
                    kept.append(plan)
            elif all(id(c) in live for c in plan.columns) and all(
                id(c) in live for c in plan.self_ref or ()
            ):
                kept.append(plan)
        self.constraints = kept
        self.indexes = [
            i
            for i in self.indexes
            if all(id(e) in live for e in i.elements if isinstance(e, ColumnPlan))
        ]

    # -- building ---------------------------------------------------------

    def ordered_columns(self) -> list[ColumnPlan]:
        order = list(self.columns)
        if not self.partial_reordering:
            return order
        names = {p.name: p for p in order}
        after: dict[str, set[str]] = {p.name: set() for p in order}
        for group in self.partial_reordering:
            for name in group:
                if name not in names:
                    raise BatchError(
                        f"partial_reordering names {name!r}, which is not a column of "
                        f"{self.table.name!r}"
                    )
            for first, second in zip(group, group[1:]):
                after[second].add(first)
        # Walk the columns in their current order; before placing one, place
        # (recursively) every column that must come before it.
        result: list[ColumnPlan] = []
        state: dict[str, str] = {}

        def place(name: str) -> None:
            if state.get(name) == "done":
                return
            if state.get(name) == "visiting":
                raise BatchError(
                    f"partial_reordering is circular around column {name!r}",
                    hint="Each pair of columns may be ordered one way only.",
                )
            state[name] = "visiting"
            for first in sorted(after[name], key=[p.name for p in order].index):
                place(first)
            state[name] = "done"
            result.append(names[name])

        for plan in order:
            place(plan.name)
        return result

    def temp_name(self) -> str:
        return TEMP_PREFIX + self.table.name

    def finalise(self) -> list[ColumnPlan]:
        """Settle what the recorded calls imply (may run more than once); the new
        table's columns, in order."""
        columns = self.ordered_columns()
        self._drop_dependents()
        self._check_unnamed_checks()
        self._check_raw_objects()
        for plan in columns:
            plan.column.primary_key = False  # the primary key plan decides
        pk = self._primary_key()
        for plan in pk.columns if pk is not None else ():
            plan.column.nullable = False  # as a primary key column is
        return columns

    def _check_raw_objects(self) -> None:
        """Raw SQL names the table and columns as they were: keep it only where
        that still holds."""
        for name, sql in list(self.raw_objects.items()):
            renamed = self.new_name != self.table.name
            if renamed or mentions(sql.split(" ON ", 1)[-1], self._renamed_or_dropped):
                del self.raw_objects[name]
                warnings.warn(
                    f"{name!r} ({sql}) can't follow the renamed or dropped table or "
                    "column and is left out of the new table; create it again yourself",
                    stacklevel=4,
                )

    def _check_unnamed_checks(self) -> None:
        """Reflected unnamed CHECKs on a renamed/dropped column can't be kept."""
        if not self._renamed_or_dropped:
            return
        kept = []
        for plan in self.constraints:
            if plan.kind == "check" and plan.name is None and self.reflected:
                sql = str(plan.original.sqltext)
                if mentions(sql, self._renamed_or_dropped):
                    self.unnamed_checks_dropped.append(sql)
                    warnings.warn(
                        f"Unnamed CHECK constraint ({sql}) on table {self.table.name!r} uses "
                        "a dropped or renamed column and is left out of the new table; pass "
                        "it in batch_alter_table(table_args=...) to keep it",
                        stacklevel=3,
                    )
                    continue
            kept.append(plan)
        self.constraints = kept
