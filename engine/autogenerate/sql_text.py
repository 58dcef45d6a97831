"""Comparing two SQL expressions that each database rewrites its own way.

A CHECK constraint or a partial index predicate comes back from the database in
the database's words, not the model's:

* PostgreSQL deparses it: ``status IN ('a', 'b')`` becomes
  ``status::text = ANY (ARRAY['a'::character varying, ...]::text[])``,
  ``qty BETWEEN 1 AND 10`` becomes ``qty >= 1 AND qty <= 10``, ``-1`` becomes
  ``'-1'::integer``, parentheses come and go;
* MariaDB lowercases and backquotes: ``lower(name)`` becomes ``lcase(`name`)``,
  ``NOT (qty = 5)`` becomes ```qty` <> 5``, ``true`` becomes ``1``;
* SQLite keeps the text as written.

``expressions_differ`` parses both texts into a small tree in which those
rewrites come out the same (casts dropped, IN / ANY, BETWEEN, NOT over a
comparison, operator and function synonyms, numbers by value, grouping by the
tree rather than by parentheses) and compares the trees. It answers None when
it cannot parse one of the texts: the caller must then not claim a change.
"""

from __future__ import annotations

import re
from typing import Any

from engine.autogenerate.sql_nodes import Node, Unparsable, temporal

__all__ = ["canonical_expression", "compiled_text", "expressions_differ", "texts_differ"]


def texts_differ(conn_text: str, meta_text: str, dialect_name: str) -> bool | None:
    """``expressions_differ``, and where that cannot tell, False when the texts are
    the same apart from case, spacing, quoting, parentheses and casts; None
    (unsure: claim no change, but say so) only when even that differs."""
    differ = expressions_differ(conn_text, meta_text, dialect_name)
    if differ is None and _crude(conn_text) == _crude(meta_text):
        return False
    return differ


_CAST = re.compile(r"::\s*\"?[a-z_][\w ]*\"?(\(\s*\d+(\s*,\s*\d+)?\s*\))?(\[\])*", re.I)


def _crude(text: str) -> str:
    text = _CAST.sub("", text)
    return "".join(ch for ch in text.lower() if ch not in ' \t\n\r"`()')


def expressions_differ(conn_text: str, meta_text: str, dialect_name: str) -> bool | None:
    """True when the two expressions really differ, False when they are the same
    after normalisation, None when one of them could not be understood."""
    conn = canonical_expression(conn_text, dialect_name)
    meta = canonical_expression(meta_text, dialect_name)
    if conn is None or meta is None:
        return None
    return not _match(conn, meta)


_LITERALS = {"str", "num", "temporal", "anylit"}


def _match(a: Any, b: Any) -> bool:
    """Tree equality, where a literal the database reformatted matches loosely:
    ``("anylit",)`` any literal, ``("temporal", value)`` a date/time literal of the
    same value (or any, when either value could not be read)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        kinds = {a[0], b[0]} if a and b else set()
        if kinds and kinds <= _LITERALS and kinds & {"anylit", "temporal"}:
            return _literals_match(a, b)
        return len(a) == len(b) and all(_match(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _literals_match(a: Node, b: Node) -> bool:
    if "anylit" in (a[0], b[0]):
        return True
    values = [x[1] if x[0] == "temporal" else temporal(x[1]) if x[0] == "str" else None
              for x in (a, b)]  # fmt: skip
    if values[0] is None or values[1] is None:
        return True  # a date the database reformatted, and a value not read as one
    return values[0] == values[1]


def canonical_expression(text: str, dialect_name: str) -> Node | None:
    """The normalised tree of ``text`` (None: not understood)."""
    from engine.autogenerate.sql_parse import parse

    try:
        return parse(text, dialect_name)
    except Unparsable:
        return None


def compiled_text(element: Any, dialect: Any) -> str | None:
    """The SQL text a model's expression (``CheckConstraint.sqltext``, an index's
    ``postgresql_where``) puts in the DDL; None if it cannot be compiled."""
    if element is None:
        return None
    if isinstance(element, str):
        return element
    text = getattr(element, "text", None)
    if isinstance(text, str) and type(element).__name__ == "TextClause":
        return text
    try:
        compiled = element.compile(
            dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False}
        )
    except Exception:
        return None
    out = str(compiled)
    if getattr(getattr(dialect, "identifier_preparer", None), "_double_percents", False):
        out = out.replace("%%", "%")  # escaped for a pyformat driver, not in the DDL
    return out
