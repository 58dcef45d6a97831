"""Compare the tables of the target metadata with the database's.

Which schemas, which tables (after ``include_name`` / ``include_object`` and
without the version table), one bulk reflection per schema, then per table: a
``CreateTableOp`` for a new one, a ``DropTableOp`` for a vanished one, and a
``ModifyTableOps`` filled by the ``"table"`` comparators for the others.

Order of the upgrade operations: new tables (the metadata's dependency order),
changed tables (by schema and name), dropped tables (dependents first), so that a
foreign key to a new table is added after it exists and one to a dropped table is
removed before it goes. Within a table, see ``_PHASES``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from engine.autogenerate.compare_registry import comparators
from engine.autogenerate.reflect import REFLECTED, ReflectedTable, TableKey, reflect_tables
from engine.operations import ops

__all__ = [
    "REFLECTED",
    "CompareState",
    "ExistingTables",
    "compare_state",
    "compare_tables",
    "order_table_ops",
    "parent_names",
    "schemas_to_compare",
]

#: schemas no application owns (skipped with include_schemas=True)
_SYSTEM_SCHEMAS = {"information_schema", "performance_schema", "mysql", "sys", "pg_catalog"}


class ExistingTables(MutableMapping[TableKey, tuple[sa.Table, sa.Table]]):
    """Tables on both sides: key -> (reflected ``Table``, model ``Table``). A table
    the quick check found unchanged is stored with its ``ReflectedTable``; its
    ``Table`` is built when read."""

    def __init__(self) -> None:
        self._items: dict[TableKey, tuple[sa.Table | ReflectedTable, sa.Table]] = {}

    def __getitem__(self, key: TableKey) -> tuple[sa.Table, sa.Table]:
        conn, meta = self._items[key]
        if isinstance(conn, ReflectedTable):
            conn = conn.to_table()
            self._items[key] = (conn, meta)
        return conn, meta

    def __setitem__(self, key: TableKey, value: tuple[sa.Table, sa.Table]) -> None:
        self._items[key] = value

    def set_unbuilt(self, key: TableKey, info: ReflectedTable, meta: sa.Table) -> None:
        self._items[key] = (info, meta)

    def __delitem__(self, key: TableKey) -> None:
        del self._items[key]

    def __iter__(self) -> Iterator[TableKey]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class CompareState:
    """What the table comparison found, for later comparisons (enum types)."""

    default_schema: str | None
    created: dict[TableKey, sa.Table] = field(default_factory=dict)
    existing: ExistingTables = field(default_factory=ExistingTables)
    dropped: dict[TableKey, sa.Table] = field(default_factory=dict)
    reflected: dict[TableKey, ReflectedTable] = field(default_factory=dict)
    #: reflected column names ``include_name`` kept, by (schema, table) as passed to
    #: the table comparators: asked once by the quick check, reused by the comparison
    kept_columns: dict[TableKey, list[str]] = field(default_factory=dict)

    def norm(self, schema: str | None) -> str | None:
        return None if schema is None or schema == self.default_schema else schema


def schemas_to_compare(autogen_context: Any) -> list[str | None]:
    """``[None]`` (the default schema), or with ``include_schemas`` every schema the
    database lists that ``include_name(name, "schema", {})`` accepts."""
    if not autogen_context.opts.get("include_schemas"):
        return [None]
    inspector = autogen_context.inspector
    default = inspector.default_schema_name
    out: list[str | None] = []
    for name in inspector.get_schema_names():
        if name in _SYSTEM_SCHEMAS or name.startswith("pg_"):
            continue
        schema = None if name == default else name
        if autogen_context.run_name_filters(schema, "schema", {}):
            out.append(schema)
    if None not in out and autogen_context.run_name_filters(None, "schema", {}):
        out.insert(0, None)
    return out


def compare_state(autogen_context: Any) -> CompareState:
    state = getattr(autogen_context, "_compare_state", None)
    if state is None:
        state = CompareState(autogen_context.inspector.default_schema_name)
        autogen_context._compare_state = state
    return state


# ------------------------------------------------------------------ ordering

_DROP_FK, _DROP_INDEX, _DROP_PK, _ADD_COL, _ALTER_COL, _DROP_COL = range(6)
_ADD_PK, _ADD_INDEX, _ADD_FK, _COMMENT, _OTHER = range(6, 11)


def _phase(op: Any) -> int:
    """Where an operation goes within its table: constraints that depend on columns
    go before the columns change and come back after, so every step (and its
    reverse in the downgrade) is valid."""
    if isinstance(op, ops.DropConstraintOp):
        return {"foreignkey": _DROP_FK, "primary": _DROP_PK}.get(
            op.constraint_type or "", _DROP_INDEX
        )
    if isinstance(op, ops.DropIndexOp):
        return _DROP_INDEX
    if isinstance(op, ops.AddColumnOp):
        return _ADD_COL
    if isinstance(op, ops.AlterColumnOp):
        return _ALTER_COL
    if isinstance(op, ops.DropColumnOp):
        return _DROP_COL
    if isinstance(op, ops.CreatePrimaryKeyOp):
        return _ADD_PK
    if isinstance(op, ops.CreateForeignKeyOp):
        return _ADD_FK
    if isinstance(op, (ops.CreateIndexOp, ops.AddConstraintOp)):
        return _ADD_INDEX
    if isinstance(op, (ops.CreateTableCommentOp, ops.DropTableCommentOp)):
        return _COMMENT
    return _OTHER


def order_table_ops(modify_ops: ops.ModifyTableOps) -> None:
    modify_ops.ops.sort(key=_phase)  # stable: each comparator's order is kept


def _drop_order(keys: list[TableKey], state: CompareState) -> list[TableKey]:
    """``keys`` with every table before the tables it references (safe to drop)."""
    wanted = set(keys)
    remaining = list(keys)
    out: list[TableKey] = []
    while remaining:
        progressed = False
        for key in list(remaining):
            referrers = [
                other for other in remaining if other != key and key in _referenced(state, other)
            ]
            if not referrers:
                out.append(key)
                remaining.remove(key)
                progressed = True
        if not progressed:  # a cycle: keep the listed order for the rest
            out.extend(remaining)
            break
    return [k for k in out if k in wanted]


def _referenced(state: CompareState, key: TableKey) -> set[TableKey]:
    info = state.reflected.get(key)
    if info is None:
        return set()
    out = set()
    for fk in info.foreign_keys:
        ref_schema = fk.get("referred_schema")
        # unqualified: the default schema, or on some dialects the table's own
        out.add((state.norm(ref_schema), fk["referred_table"]))
        if ref_schema is None:
            out.add((key[0], fk["referred_table"]))
    return out


# ------------------------------------------------------------------ comparison


def _reflect(
    autogen_context: Any, state: CompareState, keys: Iterable[TableKey], quick: bool
) -> dict[TableKey, ReflectedTable]:
    """The reflection of ``keys``, one bulk reflection per schema; each table's
    ``Table`` is built on first use (``ReflectedTable.to_table()``). CHECK
    constraints matter only to a built ``Table`` unless they are compared: with the
    quick check they are reflected when the first ``Table`` is built."""
    by_schema: dict[str | None, list[str]] = {}
    for schema, name in keys:
        by_schema.setdefault(schema, []).append(name)
    checks_now = not quick or bool(autogen_context.opts.get("compare_check_constraints"))
    out: dict[TableKey, ReflectedTable] = {}
    for schema, names in by_schema.items():
        infos = reflect_tables(
            autogen_context.inspector, schema, names, build=False, checks_now=checks_now
        )
        for name, info in infos.items():
            state.reflected[(schema, name)] = info
            out[(schema, name)] = info
    return out


def _version_table_key(autogen_context: Any, state: CompareState) -> TableKey:
    ctx = autogen_context.migration_context
    name = getattr(ctx, "version_table", None) or ctx.opts.get("version_table", "alembic_version")
    schema = getattr(ctx, "version_table_schema", None) or ctx.opts.get("version_table_schema")
    return (state.norm(schema), name)


def _table_ops(
    autogen_context: Any,
    schema: str | None,
    name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> ops.ModifyTableOps:
    modify_ops = ops.ModifyTableOps(name, [], schema=schema)
    comparators.run("table", autogen_context, modify_ops, schema, name, conn_table, metadata_table)
    order_table_ops(modify_ops)
    return modify_ops


@comparators.dispatch_for("schema")
def compare_tables(
    autogen_context: Any, upgrade_ops: ops.UpgradeOps, schemas: list[str | None]
) -> None:
    # compare_quick uses the comparison modules, which import this one
    from engine.autogenerate.compare_quick import quick_check_applies, table_unchanged

    inspector = autogen_context.inspector
    state = compare_state(autogen_context)
    wanted_schemas = {state.norm(s) for s in schemas}
    version_key = _version_table_key(autogen_context, state)

    conn_keys: list[TableKey] = []
    for schema in schemas:
        for name in inspector.get_table_names(schema=schema):
            key = (state.norm(schema), name)
            if key == version_key:
                continue
            if autogen_context.run_name_filters(name, "table", {"schema_name": schema}):
                conn_keys.append(key)
    conn_set = set(conn_keys)

    metadata_tables: dict[TableKey, sa.Table] = {}
    for table in autogen_context.sorted_tables:
        key = (state.norm(table.schema), table.name)
        if key[0] in wanted_schemas:
            metadata_tables[key] = table

    quick = quick_check_applies(autogen_context)
    conn_tables = _reflect(autogen_context, state, conn_keys, quick)

    for key, table in metadata_tables.items():
        if key in conn_set:
            continue
        if not autogen_context.run_object_filters(table, table.name, "table", False, None):
            continue
        state.created[key] = table
        upgrade_ops.ops.append(ops.CreateTableOp.from_table(table))
        modify_ops = _table_ops(autogen_context, table.schema, table.name, None, table)
        if not modify_ops.is_empty():
            upgrade_ops.ops.append(modify_ops)

    existing = sorted(
        (k for k in metadata_tables if k in conn_tables), key=lambda k: (k[0] or "", k[1])
    )
    for key in existing:
        metadata_table, info = metadata_tables[key], conn_tables[key]
        if quick and table_unchanged(autogen_context, state, info, metadata_table):
            state.kept_columns.pop((metadata_table.schema, metadata_table.name), None)
            state.existing.set_unbuilt(key, info, metadata_table)
            continue
        conn_table = info.to_table()
        if not autogen_context.run_object_filters(
            metadata_table, metadata_table.name, "table", False, conn_table
        ):
            continue
        state.existing[key] = (conn_table, metadata_table)
        modify_ops = _table_ops(
            autogen_context, metadata_table.schema, metadata_table.name, conn_table, metadata_table
        )
        if not modify_ops.is_empty():
            upgrade_ops.ops.append(modify_ops)

    gone = [k for k in conn_keys if k not in metadata_tables and k in conn_tables]
    for key in _drop_order(gone, state):
        conn_table = conn_tables[key].to_table()
        if not autogen_context.run_object_filters(conn_table, conn_table.name, "table", True, None):
            continue
        state.dropped[key] = conn_table
        modify_ops = _table_ops(autogen_context, key[0], key[1], conn_table, None)
        if not modify_ops.is_empty():
            upgrade_ops.ops.append(modify_ops)
        upgrade_ops.ops.append(ops.DropTableOp.from_table(conn_table))


def parent_names(schema: str | None, table_name: str) -> dict[str, Any]:
    return {"schema_name": schema, "table_name": table_name}
