"""Column type comparison, dialect-aware.

Both types are compiled for the database's dialect (so ``String(50)`` and the
reflected ``VARCHAR(length=50)`` both read ``VARCHAR(50)``), split into a name,
arguments and trailing words, and compared after normalising what each dialect
reports differently from what was declared:

* names: synonyms per dialect (``DECIMAL``/``NUMERIC``; MySQL ``BOOL``/``TINYINT``,
  MariaDB ``JSON``/``LONGTEXT``; PostgreSQL ``FLOAT``/``DOUBLE PRECISION``...);
* arguments: compared only when the model states them (``Numeric`` vs the
  reflected ``DECIMAL(10, 0)``), MySQL integer display widths ignored, a
  reflected scale of 0 equal to an omitted one;
* trailing words: ``CHARACTER SET`` / ``COLLATE`` compared only when the model
  states them.

``compare_type`` in the context options may be ``False`` (off), ``True`` (this), or
a callable ``fn(context, inspected_column, metadata_column, inspected_type,
metadata_type)`` returning True (different), False (same) or None (use this).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import types as sqltypes

from engine.autogenerate.compare_registry import comparators
from engine.operations import ops

#: groups of names for one type; the first is the one compared
_COMMON_SYNONYMS: list[tuple[str, ...]] = [
    ("NUMERIC", "DECIMAL"),
    ("INTEGER", "INT", "INT4"),
    ("BIGINT", "INT8"),
    ("SMALLINT", "INT2"),
    ("VARCHAR", "CHARACTER VARYING"),
    ("CHAR", "CHARACTER"),
    ("BOOLEAN", "BOOL"),
]

_DIALECT_SYNONYMS: dict[str, list[tuple[str, ...]]] = {
    "postgresql": [
        ("DOUBLE PRECISION", "FLOAT", "FLOAT8", "DOUBLE"),
        ("REAL", "FLOAT4"),
        ("TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE"),
        ("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"),
        ("TIME", "TIME WITHOUT TIME ZONE"),
        ("TIMETZ", "TIME WITH TIME ZONE"),
    ],
    "mysql": [
        ("BOOLEAN", "BOOL", "TINYINT"),
        ("JSON", "LONGTEXT"),
        ("DOUBLE", "DOUBLE PRECISION"),
    ],
}

#: (canonical) names whose arguments don't matter: MySQL display widths, float bits
_INTEGER_NAMES = {"INTEGER", "BIGINT", "SMALLINT", "TINYINT", "MEDIUMINT", "BOOLEAN"}
_FLOAT_NAMES = {"DOUBLE PRECISION", "REAL", "FLOAT", "DOUBLE"}
#: words that start the trailing part of a type (after the name)
_MODIFIERS = {"CHARSET", "COLLATE", "UNSIGNED", "ZEROFILL", "WITH", "WITHOUT", "ARRAY"}


def _synonyms(dialect_name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for group in _COMMON_SYNONYMS + _DIALECT_SYNONYMS.get(dialect_name, []):
        for name in group:
            out[name] = group[0]
    return out


@dataclass(frozen=True)
class TypeText:
    """A compiled type split as ``NAME(args) rest``."""

    name: str
    args: tuple[str, ...]
    rest: tuple[str, ...]


def _scan_parens(text: str, start: int) -> int:
    """Index of the parenthesis closing the one at ``start`` (quotes respected)."""
    depth, quote = 0, ""
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def _split_args(text: str) -> tuple[str, ...]:
    args, current, quote, depth = [], [], "", 0
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    if current or args:
        args.append("".join(current).strip())
    return tuple(a for a in args if a != "")


_TIME_ZONE = re.compile(r"(WITH(?:OUT)? TIME ZONE)\b\s*(.*)$", re.I)


def parse_type(text: str) -> TypeText:
    text = " ".join(text.split())
    open_at = text.find("(")
    if open_at < 0:
        words = text.split(" ")
        cut = len(words)
        for i, word in enumerate(words):
            upper = word.upper()
            is_charset = (
                upper == "CHARACTER" and i + 1 < len(words) and words[i + 1].upper() == "SET"
            )
            if i and (upper in _MODIFIERS or is_charset or upper.startswith("[")):
                cut = i
                break
        name, args, rest = " ".join(words[:cut]), (), " ".join(words[cut:])
    else:
        close_at = _scan_parens(text, open_at)
        name = text[:open_at]
        args = _split_args(text[open_at + 1 : close_at])
        rest = text[close_at + 1 :]
    # "TIMESTAMP(6) WITH TIME ZONE": the time zone words belong to the name
    name = name.strip().upper()
    rest_words = rest.strip()
    zone = _TIME_ZONE.match(rest_words)
    if zone:
        name, rest_words = f"{name} {zone.group(1).upper()}", zone.group(2)
    return TypeText(name, args, _rest_tokens(rest_words))


def _rest_tokens(rest: str) -> tuple[str, ...]:
    """Trailing words as comparable items: ``CHARACTER SET x`` and ``COLLATE x`` as
    single items, others one per word."""
    words = rest.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i].upper()
        if word == "CHARACTER" and i + 2 < len(words) and words[i + 1].upper() == "SET":
            out.append(f"CHARACTER SET {words[i + 2].lower()}")
            i += 3
        elif word in ("COLLATE", "CHARSET") and i + 1 < len(words):
            key = "CHARACTER SET" if word == "CHARSET" else "COLLATE"
            out.append(f"{key} {words[i + 1].lower()}")
            i += 2
        else:
            out.append(word)
            i += 1
    return tuple(out)


def _compile(type_: Any, dialect: Any) -> str | None:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # types a dialect cannot render (String() on MySQL ...)
        return None


def _pg_float_name(parsed: TypeText) -> str:
    if parsed.name == "FLOAT" and parsed.args:
        try:
            return "REAL" if int(parsed.args[0]) <= 24 else "DOUBLE PRECISION"
        except ValueError:
            return parsed.name
    return parsed.name


def _canonical(parsed: TypeText, dialect_name: str) -> str:
    name = parsed.name
    if dialect_name == "postgresql":
        name = _pg_float_name(parsed)
    return _synonyms(dialect_name).get(name, name)


def _args_equal(name: str, conn: TypeText, meta: TypeText, dialect_name: str) -> bool:
    if not meta.args:
        return True
    if name in _INTEGER_NAMES and dialect_name in ("mysql", "mariadb"):
        return True  # display widths
    if name in _FLOAT_NAMES:
        return True
    conn_args = [a.strip().lower() for a in conn.args]
    meta_args = [a.strip().lower() for a in meta.args]
    if name == "NUMERIC" and len(conn_args) > len(meta_args):
        return conn_args[: len(meta_args)] == meta_args and all(
            a == "0" for a in conn_args[len(meta_args) :]
        )
    if name == "ENUM":
        return conn.args == meta.args  # labels are case-sensitive
    return conn_args == meta_args


def _rest_equal(conn: TypeText, meta: TypeText) -> bool:
    def significant(tokens: tuple[str, ...], keep_charset: set[str]) -> set[str]:
        out = set()
        for t in tokens:
            kind = t.rsplit(" ", 1)[0] if t.startswith(("CHARACTER SET", "COLLATE")) else ""
            if kind and kind not in keep_charset:
                continue
            out.add(t)
        return out

    stated = {t.rsplit(" ", 1)[0] for t in meta.rest if t.startswith(("CHARACTER SET", "COLLATE"))}
    return significant(conn.rest, stated) == significant(meta.rest, stated)


def types_differ(dialect: Any, conn_type: Any, metadata_type: Any) -> bool:
    """True when the reflected ``conn_type`` is not what ``metadata_type`` creates."""
    if isinstance(metadata_type, sqltypes.NullType) or isinstance(conn_type, sqltypes.NullType):
        return False
    meta_text, conn_text = _compile(metadata_type, dialect), _compile(conn_type, dialect)
    if meta_text is None or conn_text is None:
        return False
    if meta_text == conn_text:
        return False
    dialect_name = "mysql" if dialect.name == "mariadb" else dialect.name
    meta, conn = parse_type(meta_text), parse_type(conn_text)
    name = _canonical(meta, dialect_name)
    if name != _canonical(conn, dialect_name):
        return True
    return not (_args_equal(name, conn, meta, dialect_name) and _rest_equal(conn, meta))


@comparators.dispatch_for("column")
def compare_type(
    autogen_context: Any,
    alter: ops.AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    conn_col: sa.Column[Any],
    metadata_col: sa.Column[Any],
) -> None:
    setting = autogen_context.opts.get("compare_type", True)
    if setting is False or setting is None:
        return
    conn_type, meta_type = conn_col.type, metadata_col.type
    if isinstance(meta_type, sqltypes.NullType) or isinstance(conn_type, sqltypes.NullType):
        return
    if callable(setting):
        verdict = setting(
            autogen_context.migration_context, conn_col, metadata_col, conn_type, meta_type
        )
        if verdict is not None:
            if verdict:
                alter.modify_type = meta_type
            return
    if types_differ(autogen_context.dialect, conn_type, meta_type):
        alter.modify_type = meta_type


__all__ = ["TypeText", "compare_type", "parse_type", "types_differ"]
