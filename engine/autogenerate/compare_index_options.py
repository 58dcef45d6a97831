"""The dialect options of an index that change what the index is (beyond Alembic,
which compares neither):

* the predicate of a partial index (``postgresql_where``, ``sqlite_where``);
* PostgreSQL's access method (``postgresql_using``: btree, hash, gin, gist...),
  covering columns (``postgresql_include``), storage parameters
  (``postgresql_with``) and ``postgresql_nulls_not_distinct``.

Operator classes (``postgresql_ops``) are not compared: PostgreSQL reports only
those that are not the column type's default, so a model naming a default class
explicitly would look changed on every run.

An index of the same name and columns whose options changed is dropped and
created again. The predicate comes back from the database in its own words
(PostgreSQL: ``(deleted_at IS NULL)``, ``((name)::text = ANY (...))``), so it is
compared as ``engine.autogenerate.sql_text`` normalises it; a predicate that
cannot be understood is not claimed as changed (the caller warns).
"""

from __future__ import annotations

from typing import Any

from engine.autogenerate.sql_text import compiled_text, texts_differ

__all__ = ["model_index_options", "options_differ", "reflected_index_options"]

#: dialects whose partial index predicate is reflected, as ``<name>_where``
_WHERE_DIALECTS = ("postgresql", "sqlite")


def _text(value: Any, dialect: Any) -> str:
    text = compiled_text(value, dialect)
    return text if text is not None else str(value)


def model_index_options(index: Any, dialect: Any) -> dict[str, str]:
    """``where`` (SQL text) and ``using`` (PostgreSQL, lowercase) of a model index."""
    name = getattr(dialect, "name", None)
    out: dict[str, str] = {}
    if name not in _WHERE_DIALECTS:
        return out
    kwargs = index.dialect_kwargs
    where = kwargs.get(f"{name}_where")
    if where is not None:
        out["where"] = _text(where, dialect)
    if name == "postgresql":
        out["using"] = str(kwargs.get("postgresql_using") or "btree").lower()
        out.update(_pg_extras(kwargs))
    return out


def _pg_extras(options: Any) -> dict[str, str]:
    """``include``, ``with`` and ``nulls_not_distinct`` as comparable text, the same
    for a model's keyword arguments and a reflected index's dialect options."""
    out: dict[str, str] = {}
    include = [getattr(c, "name", c) for c in options.get("postgresql_include") or ()]
    if include:
        out["include"] = ",".join(str(c) for c in include)
    storage = options.get("postgresql_with") or {}
    if storage:
        out["with"] = ",".join(f"{str(k).lower()}={v}" for k, v in sorted(storage.items()))
    if options.get("postgresql_nulls_not_distinct"):
        out["nulls_not_distinct"] = "true"
    return out


def reflected_index_options(ix: dict[str, Any], dialect: Any) -> dict[str, str]:
    """The same for a reflected index (``Inspector.get_indexes`` dictionary)."""
    name = getattr(dialect, "name", None)
    out: dict[str, str] = {}
    if name not in _WHERE_DIALECTS:
        return out
    options = ix.get("dialect_options") or {}
    where = options.get(f"{name}_where")
    if where is not None:
        out["where"] = _text(where, dialect)
    if name == "postgresql":
        out["using"] = str(options.get("postgresql_using") or "btree").lower()
        out.update(_pg_extras(options))
    return out


def options_differ(meta: dict[str, str], conn: dict[str, str], dialect_name: str) -> bool | None:
    """True when the options differ, False when not, None when the predicates
    could not be compared (treat as unchanged, and say so)."""
    for key in (meta.keys() | conn.keys()) - {"where"}:
        if meta.get(key) != conn.get(key):
            return True
    meta_where, conn_where = meta.get("where"), conn.get("where")
    if meta_where is None or conn_where is None:
        return (meta_where is None) != (conn_where is None)
    return texts_differ(conn_where, meta_where, dialect_name)
