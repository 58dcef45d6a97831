"""The tree ``sql_parse`` builds of a SQL expression, and the rewrites that make
two databases' spellings of one expression the same tree.

Nodes are tuples: ``("col", name)``, ``("num", value)``, ``("str", value)``,
``("temporal", value)`` (a date/time literal), ``("anylit",)`` (a literal the
database writes in its own format), ``("fn", name, args)``, ``("op", op, left,
right)``, ``("cmp", op, left, right...)`` (comparisons, LIKE, IN, IS ...),
``("and", items)`` / ``("or", items)``, ``("not", node)``, ``("list", items)``,
``("array", items)``, ``("case", operand, branches, else)``...

The rewrites: casts dropped (a quoted number cast to a number is that number);
``= ANY (ARRAY[...])`` is IN and a one-item IN a comparison; NOT over a
comparison is the opposite comparison; BETWEEN is two comparisons; AND / OR
chains are flat; function synonyms (``lcase`` / ``lower``, ``mod(a, b)`` / ``a %
b`` ...); numbers by value.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

Node = tuple[Any, ...]


class Unparsable(Exception):
    """The text is not an expression this module understands."""


def number(text: str) -> Node:
    try:
        value = Decimal(text).normalize()
    except InvalidOperation as exc:
        raise Unparsable(text) from exc
    if value == 0:
        value = Decimal(0)
    return ("num", str(value))


NEGATE = {
    "=": "<>",
    "<>": "=",
    "<": ">=",
    ">=": "<",
    ">": "<=",
    "<=": ">",
    "like": "not like",
    "not like": "like",
    "ilike": "not ilike",
    "not ilike": "ilike",
    "in": "not in",
    "not in": "in",
    "is null": "is not null",
    "is not null": "is null",
    "is true": "is not true",
    "is not true": "is true",
    "is false": "is not false",
    "is not false": "is false",
}

COMPARE = {"=", "<>", "<", ">", "<=", ">="}

_FUNCTION_SYNONYMS = {
    "lcase": "lower",
    "ucase": "upper",
    "octet_length": "length",
    "character_length": "char_length",
    "substring": "substr",
    "now": "current_timestamp",
    "btrim": "trim",
}

#: words that stand for a function call without parentheses
NILADIC = {"current_timestamp", "current_date", "current_time", "localtimestamp", "localtime"}


def logical(kind: str, left: Node, right: Node) -> Node:
    items: list[Node] = []
    for side in (left, right):
        items.extend(side[1] if side[0] == kind else (side,))
    return (kind, tuple(items))


def comparison(op: str, left: Node, right: Node) -> Node:
    """A binary comparison, with PostgreSQL's ``= ANY (ARRAY[...])`` read as IN."""
    if right[0] == "fn" and right[1] in ("any", "some", "all") and len(right[2]) == 1:
        array = right[2][0]
        if array[0] == "array":
            if op == "=" and right[1] != "all":
                return in_list(left, array[1], negated=False)
            if op == "<>" and right[1] == "all":
                return in_list(left, array[1], negated=True)
    return ("cmp", op, left, right)


def in_list(left: Node, items: tuple[Node, ...], negated: bool) -> Node:
    if len(items) == 1:  # PostgreSQL writes a one-item IN as a comparison
        return ("cmp", "<>" if negated else "=", left, items[0])
    return ("cmp", "not in" if negated else "in", left, ("list", items))


def negation(node: Node) -> Node:
    if node[0] == "cmp" and node[1] in NEGATE:
        return ("cmp", NEGATE[node[1]], *node[2:])
    if node[0] == "not":
        return node[1]  # type: ignore[no-any-return]
    return ("not", node)


def between(value: Node, low: Node, high: Node, negated: bool) -> Node:
    if negated:
        return logical("or", ("cmp", "<", value, low), ("cmp", ">", value, high))
    return logical("and", ("cmp", ">=", value, low), ("cmp", "<=", value, high))


_NUMERIC_TYPES = {
    "int", "integer", "int2", "int4", "int8", "smallint", "bigint", "numeric", "decimal",
    "real", "float", "float4", "float8", "double", "signed", "unsigned",
}  # fmt: skip


_TEMPORAL_TYPES = {"date", "time", "timetz", "timestamp", "timestamptz"}

#: types whose literals the database writes back in its own format (intervals,
#: uuids, json...): such a literal is compared loosely (``anylit``)
_REFORMATTED_TYPES = {
    "interval", "json", "jsonb", "uuid", "inet", "cidr", "macaddr", "macaddr8", "bytea",
    "boolean", "bool", "bit", "varbit", "money", "xml", "tsvector", "tsquery", "point",
    "line", "lseg", "box", "path", "polygon", "circle", "regclass", "regtype", "oid",
}  # fmt: skip


def cast(value: Node, type_words: list[str]) -> Node:
    """A cast is dropped. A quoted literal cast to a number is that number; cast to
    a date/time type, a ``temporal`` value; cast to a type whose literals the
    database rewrites, a literal matching any other (``anylit``)."""
    if value[0] != "str" or not type_words:
        return value
    type_name = type_words[0]
    if type_name in _NUMERIC_TYPES:
        try:
            return number(value[1].strip())
        except Unparsable:
            return value
    if type_name in _TEMPORAL_TYPES:
        return ("temporal", temporal(value[1]))
    if type_name in _REFORMATTED_TYPES:
        return ("anylit",)
    return value


def function(name: str, args: tuple[Node, ...]) -> Node:
    name = _FUNCTION_SYNONYMS.get(name, name)
    if name == "mod" and len(args) == 2:
        return ("op", "%", args[0], args[1])
    return ("fn", name, args)


_DATE_TIME = re.compile(
    r"^(?:(\d{4}-\d{2}-\d{2}))?[ T]?(?:(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?"
    r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.I,
)


def temporal(text: str) -> str | None:
    """A date / time / timestamp literal as ``YYYY-MM-DD HH:MM:SS.f`` (the zone
    offset left out: the database shows it in its session's zone); None if it
    is not one."""
    match = _DATE_TIME.match(text.strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    day, hour, minute, second, fraction = match.groups()
    out = day or ""
    if hour is not None or day:
        frac = (fraction or "").rstrip("0").rstrip(".")
        out += f" {int(hour or 0):02d}:{minute or '00'}:{second or '00'}{frac}"
    return out.strip()
