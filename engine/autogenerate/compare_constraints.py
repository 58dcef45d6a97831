"""Primary keys, unique constraints, indexes and foreign keys (CHECK constraints:
``compare_checks``).

Matching: objects with a name are matched by name (a same-named object whose
definition changed is dropped and created again); unnamed model objects are
matched by definition. Unnamed database objects (SQLite) are never dropped: there
is no name to drop them by.

Dialect quirks handled here:

* PostgreSQL reports the index behind each unique constraint: it is skipped.
* MySQL/MariaDB have no unique constraints apart from unique indexes, and report
  each one both ways: a model ``UniqueConstraint`` and a unique ``Index`` both
  match the database's unique index; MySQL also creates an index for a foreign key
  that has none, which is not the model's business and is never dropped.
* An index's partial predicate and access method (PostgreSQL ``postgresql_where``
  / ``postgresql_using``, SQLite ``sqlite_where``) count as its definition
  (``compare_index_options``).
* Foreign key actions are compared with ``NO ACTION`` (and on MySQL ``RESTRICT``)
  equal to none; ``DEFERRABLE`` / ``INITIALLY`` only where reflected (PostgreSQL).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from engine.autogenerate.compare_index_options import (
    model_index_options,
    options_differ,
    reflected_index_options,
)
from engine.autogenerate.compare_registry import comparators
from engine.autogenerate.compare_tables import REFLECTED, compare_state, parent_names
from engine.operations import ops


def _is_mysql(dialect: Any) -> bool:
    return dialect.name in ("mysql", "mariadb")


def _name(obj: Any) -> str | None:
    name = getattr(obj, "name", None)
    if name is None or type(name).__name__ == "_NoneName":
        return None
    return str(name)


# ------------------------------------------------------------------ primary keys


@comparators.dispatch_for("table")
def compare_primary_key(
    autogen_context: Any,
    modify_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> None:
    if conn_table is None or metadata_table is None:
        return
    meta_cols = [c.name for c in metadata_table.primary_key.columns]
    conn_cols = [c.name for c in conn_table.primary_key.columns]
    if meta_cols == conn_cols or not meta_cols:
        return
    dialect = autogen_context.dialect
    if conn_cols:
        conn_pk = conn_table.primary_key
        if _name(conn_pk) is None and _is_mysql(dialect):
            conn_pk.name = "PRIMARY"  # MySQL's fixed name; DROP PRIMARY KEY needs none
        if _name(conn_pk) is None:
            autogen_context.warn(
                f"The primary key of {table_name} changed from ({', '.join(conn_cols)}) to "
                f"({', '.join(meta_cols)}), but the database's primary key has no name to "
                "drop it by; change it by hand (batch mode on SQLite)"
            )
            return
        modify_ops.ops.append(ops.DropConstraintOp.from_constraint(conn_pk))
    create = ops.CreatePrimaryKeyOp.from_constraint(metadata_table.primary_key)
    if create.constraint_name is None:
        # the name the database will give it, so the downgrade can drop it again
        create.constraint_name = _default_pk_name(dialect, table_name)
    modify_ops.ops.append(create)


def _default_pk_name(dialect: Any, table_name: str) -> str | None:
    if dialect.name == "postgresql":
        return f"{table_name}_pkey"[:63]
    if _is_mysql(dialect):
        return "PRIMARY"
    return None


# ------------------------------------------------------------ uniques and indexes


def _normalize_expr(text: str) -> str:
    text = re.sub(r"::\s*[a-z_][\w ]*?(?=[),]|$)", "", text, flags=re.I)
    return "".join(ch for ch in text.lower() if ch not in ' "`()')


@dataclass
class _Item:
    kind: str  # "uq" or "ix"
    name: str | None
    unique: bool
    sig: tuple[str, ...]
    obj: Any  # UniqueConstraint / Index (for the ops)
    #: an index's predicate and access method (``compare_index_options``)
    options: dict[str, str] = field(default_factory=dict)


def _meta_index_sig(index: sa.Index, dialect: Any) -> tuple[str, ...]:
    out = []
    for expr in index.expressions:
        if isinstance(expr, sa.Column):
            out.append(expr.name.lower())
        elif isinstance(expr, str):
            out.append(expr.lower())
        else:
            try:
                text = str(expr.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
            except Exception:
                text = str(expr)
            out.append(_normalize_expr(text))
    return tuple(out)


def _conn_index_sig(ix: dict[str, Any]) -> tuple[str, ...]:
    exprs = ix.get("expressions") or []
    out = []
    for pos, name in enumerate(ix.get("column_names") or []):
        if name is not None:
            out.append(name.lower())
        elif pos < len(exprs):
            out.append(_normalize_expr(exprs[pos]))
    return tuple(out)


def _compatible(meta: _Item, conn: _Item, mysql: bool) -> bool:
    if meta.kind == conn.kind:
        return meta.kind == "uq" or meta.unique == conn.unique
    # MySQL: a unique constraint *is* a unique index
    return mysql and meta.unique and conn.unique


def _find(conn_table: sa.Table, cls: type, name: str | None, cols: list[str]) -> Any:
    for obj in list(conn_table.constraints) + list(conn_table.indexes):
        same_name = isinstance(obj, cls) and _name(obj) == name
        if same_name and (name is not None or [c.name for c in obj.columns] == cols):
            return obj
    return None


def _conn_items(conn_table: sa.Table, dialect: Any) -> list[_Item]:
    return reflected_items(conn_table.info[REFLECTED], dialect, conn_table)


def reflected_items(info: Any, dialect: Any, conn_table: sa.Table | None = None) -> list[_Item]:
    """The database's unique constraints and indexes of one reflected table, as
    compared; each item's ``obj`` is the object of ``conn_table`` (None without it)."""
    mysql = _is_mysql(dialect)
    items: list[_Item] = []
    index_names = {ix.get("name") for ix in info.indexes}
    for uq in info.uniques:
        if mysql or (uq.get("duplicates_index") and uq["duplicates_index"] in index_names):
            continue  # reported again as a unique index
        obj = None
        if conn_table is not None:
            obj = _find(conn_table, sa.UniqueConstraint, uq.get("name"), uq["column_names"])
        sig = tuple(c.lower() for c in uq["column_names"])
        items.append(_Item("uq", uq.get("name"), True, sig, obj))
    fk_cols = [tuple(c.lower() for c in fk["constrained_columns"]) for fk in info.foreign_keys]
    fk_names = {fk.get("name") for fk in info.foreign_keys}
    for ix in info.indexes:
        if ix.get("duplicates_constraint"):
            continue
        sig = _conn_index_sig(ix)
        if mysql and not ix.get("unique") and (ix.get("name") in fk_names or sig in fk_cols):
            continue  # MySQL's own index for a foreign key
        obj = None
        if conn_table is not None:
            obj = next((i for i in conn_table.indexes if i.name == ix.get("name")), None)
        options = reflected_index_options(ix, dialect)
        items.append(_Item("ix", ix.get("name"), bool(ix.get("unique")), sig, obj, options))
    return items


def model_items(metadata_table: sa.Table, dialect: Any) -> list[_Item]:
    """The model's unique constraints and indexes of one table, as compared."""
    items = []
    for const in metadata_table.constraints:
        if isinstance(const, sa.UniqueConstraint):
            sig = tuple(c.name.lower() for c in const.columns)
            items.append(_Item("uq", _name(const), True, sig, const))
    for index in metadata_table.indexes:
        sig = _meta_index_sig(index, dialect)
        options = model_index_options(index, dialect)
        items.append(_Item("ix", _name(index), bool(index.unique), sig, index, options))
    return items


def _type_name(item: _Item) -> str:
    return "unique_constraint" if item.kind == "uq" else "index"


def _add_op(item: _Item) -> Any:
    if item.kind == "uq":
        return ops.AddConstraintOp.from_constraint(item.obj)
    return ops.CreateIndexOp.from_index(item.obj)


def _drop_op(item: _Item) -> Any:
    if item.kind == "uq":
        return ops.DropConstraintOp.from_constraint(item.obj)
    return ops.DropIndexOp.from_index(item.obj)


@comparators.dispatch_for("table")
def compare_indexes_and_uniques(
    autogen_context: Any,
    modify_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> None:
    dialect = autogen_context.dialect
    parents = parent_names(schema, table_name)

    def keep_meta(item: _Item) -> bool:
        return autogen_context.run_object_filters(
            item.obj, item.name, _type_name(item), False, None
        )

    def keep_conn(item: _Item) -> bool:
        return (
            item.obj is not None
            and item.name is not None
            and autogen_context.run_name_filters(item.name, _type_name(item), parents)
            and autogen_context.run_object_filters(
                item.obj, item.name, _type_name(item), True, None
            )
        )

    if conn_table is None:
        if metadata_table is None:
            return
        # a new table: its unique constraints are part of CREATE TABLE
        for item in model_items(metadata_table, dialect):
            if item.kind == "ix" and keep_meta(item):
                modify_ops.ops.append(_add_op(item))
        return
    if metadata_table is None:
        # a dropped table: drop its indexes first, so the downgrade recreates them
        for item in _conn_items(conn_table, dialect):
            if item.kind == "ix" and keep_conn(item):
                modify_ops.ops.append(_drop_op(item))
        return

    def unsure(meta: _Item, conn: _Item) -> None:
        autogen_context.warn(
            f"Could not compare the predicate of index {conn.name!r} on {table_name}: the "
            f"database has {conn.options.get('where')!r}; if the model's changed, drop and "
            "re-create the index by hand"
        )

    conn_items = _conn_items(conn_table, dialect)
    meta_items = [i for i in model_items(metadata_table, dialect) if keep_meta(i)]
    drops, adds = match_items(
        meta_items, conn_items, _is_mysql(dialect), keep_conn, dialect.name, unsure
    )
    modify_ops.ops.extend(_drop_op(i) for i in sorted(drops, key=lambda i: i.name or ""))
    modify_ops.ops.extend(_add_op(i) for i in sorted(adds, key=lambda i: i.name or ""))


def _same(
    meta: _Item,
    conn: _Item,
    mysql: bool,
    dialect_name: str,
    on_unsure: Callable[[_Item, _Item], None] | None,
) -> bool:
    if not (_compatible(meta, conn, mysql) and meta.sig == conn.sig):
        return False
    differs = options_differ(meta.options, conn.options, dialect_name)
    if differs is None and on_unsure is not None:
        on_unsure(meta, conn)
    return not differs


def match_items(
    meta_items: list[_Item],
    conn_items: list[_Item],
    mysql: bool,
    keep_conn: Callable[[_Item], bool],
    dialect_name: str = "",
    on_unsure: Callable[[_Item, _Item], None] | None = None,
) -> tuple[list[_Item], list[_Item]]:
    """(database items to drop, model items to add): same-named items must have the
    same definition, unnamed ones are matched by definition; a database item is
    only dropped when ``keep_conn`` allows. Index options that cannot be compared
    count as the same, after ``on_unsure(meta, conn)``."""
    by_name = {i.name: i for i in conn_items if i.name is not None}
    used: set[int] = set()
    drops: list[_Item] = []
    adds: list[_Item] = []
    unmatched: list[_Item] = []
    for meta in meta_items:
        conn = by_name.get(meta.name) if meta.name is not None else None
        if conn is not None:
            used.add(id(conn))
            if not _same(meta, conn, mysql, dialect_name, on_unsure):
                if keep_conn(conn):
                    drops.append(conn)
                adds.append(meta)
            continue
        unmatched.append(meta)
    for meta in unmatched:
        twin = next(
            (
                c
                for c in conn_items
                if id(c) not in used
                and (meta.name is None or c.name is None)
                and _same(meta, c, mysql, dialect_name, on_unsure)
            ),
            None,
        )
        if twin is not None:
            used.add(id(twin))
        else:
            adds.append(meta)
    for conn in conn_items:
        if id(conn) not in used and keep_conn(conn):
            drops.append(conn)
    return drops, adds


# ------------------------------------------------------------------ foreign keys

_NO_ACTION = {None, "", "NO ACTION"}


def _action(value: Any, mysql: bool) -> str | None:
    text = str(value).upper() if value else None
    if text in _NO_ACTION or (mysql and text == "RESTRICT"):
        return None
    return text


def _fk_sig(
    fk: sa.ForeignKeyConstraint, norm: Callable[[Any], Any], dialect: Any
) -> tuple[Any, ...]:
    tokens = [e._column_tokens for e in fk.elements]
    mysql = _is_mysql(dialect)
    sig: tuple[Any, ...] = (
        tuple(c.name.lower() for c in fk.columns) or tuple(e.parent.name for e in fk.elements),
        norm(tokens[0][0]),
        tokens[0][1],
        tuple(t[2] for t in tokens),
        _action(fk.ondelete, mysql),
        _action(fk.onupdate, mysql),
    )
    if dialect.name == "postgresql":
        initially = (fk.initially or "").upper() or None
        sig += (bool(fk.deferrable), None if initially == "IMMEDIATE" else initially)
    return sig


def reflected_fk_sig(
    fk: dict[str, Any], norm: Callable[[Any], Any], dialect: Any
) -> tuple[Any, ...] | None:
    """``_fk_sig`` of the constraint ``build_table`` makes of a reflected foreign key,
    from the reflected dictionary; None where that is not certain (a name with a dot
    in it, column lists of different lengths)."""
    schema = fk.get("referred_schema") or None
    table = fk["referred_table"]
    local, remote = list(fk["constrained_columns"]), list(fk["referred_columns"])
    names = [schema or "", table, *local, *remote]
    if not local or len(local) != len(remote) or any("." in n for n in names):
        return None
    options = fk.get("options") or {}
    mysql = _is_mysql(dialect)
    sig: tuple[Any, ...] = (
        tuple(c.lower() for c in local),
        norm(schema),
        table,
        tuple(remote),
        _action(options.get("ondelete"), mysql),
        _action(options.get("onupdate"), mysql),
    )
    if dialect.name == "postgresql":
        initially = (options.get("initially") or "").upper() or None
        sig += (bool(options.get("deferrable")), None if initially == "IMMEDIATE" else initially)
    return sig


@comparators.dispatch_for("table")
def compare_foreign_keys(
    autogen_context: Any,
    modify_ops: ops.ModifyTableOps,
    schema: str | None,
    table_name: str,
    conn_table: sa.Table | None,
    metadata_table: sa.Table | None,
) -> None:
    if conn_table is None or metadata_table is None:
        return  # created with CREATE TABLE / gone with DROP TABLE
    state = compare_state(autogen_context)
    dialect = autogen_context.dialect
    parents = parent_names(schema, table_name)
    norm = state.norm  # an unqualified referent is in the default schema
    meta_fks = {}
    for fk in metadata_table.foreign_key_constraints:
        if autogen_context.run_object_filters(fk, _name(fk), "foreign_key_constraint", False, None):
            meta_fks.setdefault(_fk_sig(fk, norm, dialect), fk)
    conn_fks = {}
    for fk in conn_table.foreign_key_constraints:
        conn_fks.setdefault(_fk_sig(fk, norm, dialect), fk)

    mysql = _is_mysql(dialect)
    info = conn_table.info[REFLECTED]
    for sig, fk in conn_fks.items():
        if sig in meta_fks:
            continue
        name = _name(fk)
        # an unnamed one (SQLite) is still reported, as Alembic does: batch mode
        # recreates the table without it
        if autogen_context.run_name_filters(
            name, "foreign_key_constraint", parents
        ) and autogen_context.run_object_filters(fk, name, "foreign_key_constraint", True, None):
            modify_ops.ops.append(ops.DropConstraintOp.from_constraint(fk))
            if mysql:
                modify_ops.ops.extend(_mysql_drop_fk_index(fk, info, conn_table, metadata_table))
    for sig, fk in meta_fks.items():
        if sig not in conn_fks:
            if mysql:
                modify_ops.ops.extend(_mysql_add_fk_index(fk, info, metadata_table))
            modify_ops.ops.append(ops.CreateForeignKeyOp.from_constraint(fk))


# MySQL/MariaDB create an index for a foreign key that has none, named after the
# constraint, and keep it when the constraint is dropped. So that upgrade and
# downgrade leave nothing behind, autogenerate makes that index explicit: created
# before the foreign key is added, dropped after it is removed.


def _fk_cols(fk: sa.ForeignKeyConstraint) -> tuple[str, ...]:
    return tuple(c.name.lower() for c in fk.columns)


def _mysql_drop_fk_index(
    fk: sa.ForeignKeyConstraint, info: Any, conn_table: sa.Table, metadata_table: sa.Table
) -> list[Any]:
    name = _name(fk)
    if name is None or name in {_name(i) for i in metadata_table.indexes}:
        return []
    cols = _fk_cols(fk)
    if any(_fk_cols(other) == cols for other in metadata_table.foreign_key_constraints):
        return []  # a foreign key on the same columns stays or comes back: it needs it
    for ix in info.indexes:
        if ix.get("name") == name and not ix.get("unique") and _conn_index_sig(ix) == cols:
            index = next((i for i in conn_table.indexes if i.name == name), None)
            return [ops.DropIndexOp.from_index(index)] if index is not None else []
    return []


def _leading(sig: tuple[str, ...], cols: tuple[str, ...]) -> bool:
    return sig[: len(cols)] == cols


def _mysql_add_fk_index(
    fk: sa.ForeignKeyConstraint, info: Any, metadata_table: sa.Table
) -> list[Any]:
    name = _name(fk)
    cols = _fk_cols(fk)
    if name is None:
        return []
    existing = [_conn_index_sig(ix) for ix in info.indexes]
    existing.append(tuple(c.lower() for c in info.pk.get("constrained_columns") or []))
    existing += [
        tuple(c.name.lower() for c in i.expressions if isinstance(c, sa.Column))
        for i in metadata_table.indexes
    ]
    if any(_leading(sig, cols) for sig in existing):
        return []
    columns = [c.name for c in fk.columns]
    return [ops.CreateIndexOp(name, metadata_table.name, columns, schema=metadata_table.schema)]
