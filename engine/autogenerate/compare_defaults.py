"""Server defaults, computed (generated) columns and identity columns.

Server defaults are compared only when ``compare_server_default`` is set (True,
or a callable ``fn(context, inspected_column, metadata_column, inspected_default,
metadata_default, rendered_metadata_default)`` returning True/False/None). The
model's default is rendered as SQL for the dialect and both texts are normalised
the way each database rewrites what it was given: PostgreSQL's ``::type`` casts,
redundant parentheses, quoted numbers (``'0'`` / ``0`` / ``0.00``), the spellings of
the current time, ``true``/``1``.

A computed column's expression cannot be altered: a difference is a warning, not
an operation. Identity options (also under ``compare_server_default``) are compared
as stated in the model.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ClauseElement, TextClause

from engine.autogenerate.compare_registry import comparators
from engine.operations import ops

_CAST = re.compile(
    r"::\s*(?:\"[^\"]+\"|[a-z_][\w.]*(?:\s+(?:varying|precision|without|with|time|zone)\b)*)"
    r"(?:\s*\([\d\s,]*\))?(?:\[\])*",
    re.I,
)
_NOW = {
    "now()",
    "current_timestamp",
    "current_timestamp()",
    "localtimestamp",
    "localtimestamp()",
    "transaction_timestamp()",
}
_TRUE_FALSE = {"true": "1", "false": "0"}


def render_metadata_default(default: Any, dialect: Any) -> str | None:
    """The SQL text a model's ``server_default`` puts in the DDL (None if unknown)."""
    if not isinstance(default, sa.DefaultClause):
        return None
    arg = default.arg
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    if isinstance(arg, TextClause):
        return arg.text
    if isinstance(arg, ClauseElement):
        try:
            return str(arg.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        except Exception:
            return None
    return str(arg)


def _split_quoted(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is_quoted_literal, piece) parts."""
    parts: list[tuple[bool, str]] = []
    i, start = 0, 0
    while i < len(text):
        if text[i] == "'":
            if start < i:
                parts.append((False, text[start:i]))
            j = i + 1
            while j < len(text):
                if text[j] == "'" and j + 1 < len(text) and text[j + 1] == "'":
                    j += 2
                    continue
                if text[j] == "'":
                    break
                j += 1
            parts.append((True, text[i : j + 1]))
            i = start = j + 1
            continue
        i += 1
    if start < len(text):
        parts.append((False, text[start:]))
    return parts


def _strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for quoted, piece in _split_quoted(text):
        if quoted:
            continue
        for ch in piece:
            depth += ch == "("
            depth -= ch == ")"
            if depth < 0:
                return False
    return depth == 0


def _number(text: str) -> str | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return str(value.normalize()) if value == value else None


def normalize_default(text: str | None, dialect_name: str) -> str | None:
    """A comparable form of a server default's SQL text."""
    if text is None:
        return None
    text = _strip_parens(text)
    if dialect_name == "postgresql":
        pieces = [(q, p if q else _CAST.sub("", p)) for q, p in _split_quoted(text)]
        text = _strip_parens("".join(p for _, p in pieces))
    parts = _split_quoted(text)
    if len(parts) == 1 and parts[0][0]:
        inner = parts[0][1][1:-1]
        number = _number(inner)
        return number if number is not None else parts[0][1]
    out = "".join(p if q else "".join(p.split()).lower() for q, p in parts)
    if out in _NOW:
        return "current_timestamp"
    if out in _TRUE_FALSE:
        return _TRUE_FALSE[out]
    number = _number(out)
    return number if number is not None else out


def defaults_differ(dialect: Any, conn_text: str | None, metadata_text: str | None) -> bool:
    name = "mysql" if dialect.name == "mariadb" else dialect.name
    return normalize_default(conn_text, name) != normalize_default(metadata_text, name)


def _normalize_sql(text: str) -> str:
    return "".join(_strip_parens(str(text)).replace("`", "").replace('"', "").split()).lower()


_IDENTITY_ATTRS = ("start", "increment", "minvalue", "maxvalue", "cycle", "cache", "order")


def identity_differs(conn: Any, meta: Any) -> bool:
    if conn is None or meta is None:
        return (conn is None) != (meta is None)
    if bool(conn.always) != bool(meta.always):
        return True
    for attr in _IDENTITY_ATTRS:
        wanted = getattr(meta, attr, None)
        if wanted is not None and getattr(conn, attr, None) != wanted:
            return True
    return False


@comparators.dispatch_for("column")
def compare_server_default(
    autogen_context: Any,
    alter: ops.AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn_col: sa.Column[Any],
    metadata_col: sa.Column[Any],
) -> None:
    where = (
        f"{table_name}.{column_name}" if schema is None else f"{schema}.{table_name}.{column_name}"
    )
    if metadata_col.computed is not None or conn_col.computed is not None:
        meta, conn = metadata_col.computed, conn_col.computed
        if (meta is None) != (conn is None) or (
            meta is not None
            and conn is not None
            and _normalize_sql(meta.sqltext) != _normalize_sql(conn.sqltext)
        ):
            autogen_context.warn(
                f"Computed default on {where} cannot be modified; drop and re-add the "
                "column by hand"
            )
        return
    setting = autogen_context.opts.get("compare_server_default", False)
    if not setting:
        return
    if metadata_col.identity is not None or conn_col.identity is not None:
        if identity_differs(conn_col.identity, metadata_col.identity):
            alter.existing_server_default = conn_col.identity
            alter.modify_server_default = metadata_col.identity
        return
    meta_default = metadata_col.server_default
    if meta_default is not None and not isinstance(meta_default, sa.DefaultClause):
        return  # FetchedValue: the database decides, nothing to compare
    conn_default = conn_col.server_default
    conn_text = conn_default.arg.text if isinstance(conn_default, sa.DefaultClause) else None
    rendered = render_metadata_default(meta_default, autogen_context.dialect)
    if callable(setting):
        verdict = setting(
            autogen_context.migration_context,
            conn_col,
            metadata_col,
            conn_text,
            meta_default,
            rendered,
        )
        if verdict is not None:
            if verdict:
                alter.existing_server_default = conn_default
                alter.modify_server_default = meta_default
            return
    if meta_default is not None and rendered is None:
        return
    if defaults_differ(autogen_context.dialect, conn_text, rendered):
        alter.existing_server_default = conn_default
        alter.modify_server_default = meta_default
