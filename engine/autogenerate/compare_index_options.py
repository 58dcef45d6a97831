"""The dialect options of an index that change what the index is (beyond Alembic,
which compares neither):

* the predicate of a partial index (``postgresql_where``, ``sqlite_where``);
* PostgreSQL's access method (``postgresql_using``: btree, hash, gin, gist...).

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
    return out


def options_differ(meta: dict[str, str], conn: dict[str, str], dialect_name: str) -> bool | None:
    """True when the options differ, False when not, None when the predicates
    could not be compared (treat as unchanged, and say so)."""
    if meta.get("using") != conn.get("using"):
        return True
    meta_where, conn_where = meta.get("where"), conn.get("where")
    if meta_where is None or conn_where is None:
        return (meta_where is None) != (conn_where is None)
    return texts_differ(conn_where, meta_where, dialect_name)
