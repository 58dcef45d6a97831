"""Flags for the guided rollback: destructive and irreversible steps.

Two sources, both read-only:

* the offline SQL of a step (``DROP TABLE``, ``ALTER TABLE .. DROP COLUMN``,
  ``DROP CONSTRAINT``, column type changes), when it could be produced;
* the source of the revision's ``downgrade()`` (``op.drop_table``,
  ``batch_op.drop_column``, ``op.drop_constraint``, ``alter_column(type_=...)``
  that is not a provable widening; an empty body, or a ``raise``), which works
  even where offline SQL cannot (SQLite batch mode needs a live database).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

_SQL_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([\w.\"`\[\]]+)", re.I), "drops table {}"),
    (re.compile(r"\bDROP\s+COLUMN\s+(?:IF\s+EXISTS\s+)?([\w\"`\[\]]+)", re.I), "drops column {}"),
    (
        re.compile(
            r"\bDROP\s+(?:CONSTRAINT|FOREIGN\s+KEY|CHECK)\s+(?:IF\s+EXISTS\s+)?([\w\"`\[\]]+)", re.I
        ),
        "drops constraint {}",
    ),
    (
        re.compile(r"\bALTER\s+COLUMN\s+([\w\"`\[\]]+)\s+(?:SET\s+DATA\s+)?TYPE\b", re.I),
        "changes the type of column {} (may narrow)",
    ),
    (
        re.compile(r"\bMODIFY\s+(?:COLUMN\s+)?([\w\"`\[\]]+)\s+\w+", re.I),
        "changes the type of column {} (may narrow)",
    ),
)

_DROP_CALLS = {
    "drop_table": ("drops table", 0),
    "drop_column": ("drops column", 1),
    "drop_constraint": ("drops constraint", 0),
}


@dataclass(frozen=True)
class Risk:
    """One flag on a step: ``kind`` is "destructive" or "irreversible"."""

    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


def sql_risks(sql: str) -> list[Risk]:
    """Destructive statements found in offline SQL (comments skipped)."""
    out: list[Risk] = []
    for line in _statements(sql):
        for pattern, text in _SQL_RULES:
            for match in pattern.finditer(line):
                out.append(Risk("destructive", text.format(_unquote(match.group(1)))))
    return _unique(out)


def _statements(sql: str) -> list[str]:
    kept = [ln for ln in sql.splitlines() if not ln.lstrip().startswith("--")]
    return [s for s in " ".join(kept).split(";") if s.strip()]


def _unquote(name: str) -> str:
    return name.strip('"`[]')


def source_risks(source: str, function: str = "downgrade") -> list[Risk]:
    """Flags read from ``function`` in a revision's source (no code is run)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    func = funcs.get(function)
    if func is None:
        return []
    out: list[Risk] = []
    other = funcs.get("upgrade" if function == "downgrade" else "downgrade")
    if _is_empty(func) and not (other is not None and _is_empty(other)):
        out.append(Risk("irreversible", f"{function}() is empty: nothing is undone"))
    for node in ast.walk(func):
        if isinstance(node, ast.Raise):
            out.append(Risk("irreversible", f"{function}() raises"))
        elif isinstance(node, ast.Call):
            out.extend(_call_risks(node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.extend(sql_risks(node.value))
    return _unique(out)


def _is_empty(func: ast.FunctionDef) -> bool:
    body = list(func.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # docstring
    return all(
        isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in body
    )


def _call_risks(call: ast.Call) -> list[Risk]:
    name = call.func.attr if isinstance(call.func, ast.Attribute) else None
    if name is None:
        return []
    if name in _DROP_CALLS:
        text, index = _DROP_CALLS[name]
        is_batch = not _is_op(call.func)
        if is_batch and name == "drop_column":
            index = 0
        what = _literal_arg(call, index)
        return [Risk("destructive", f"{text} {what}" if what else text)]
    if name == "alter_column":
        new = _keyword(call, "type_")
        if new is not None and not _widens(_keyword(call, "existing_type"), new):
            column = _literal_arg(call, 1) or _literal_arg(call, 0) or "?"
            return [Risk("destructive", f"changes the type of column {column} (may narrow)")]
    return []


def _is_op(func: ast.Attribute) -> bool:
    return isinstance(func.value, ast.Name) and func.value.id == "op"


def _literal_arg(call: ast.Call, index: int) -> str | None:
    if index < len(call.args):
        arg = call.args[index]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _widens(old: ast.expr | None, new: ast.expr) -> bool:
    """True only when both are ``X(n)`` of the same type and ``new`` is not shorter."""
    old_len = _type_length(old)
    new_len = _type_length(new)
    if old_len is None or new_len is None:
        return False
    return old_len[0] == new_len[0] and new_len[1] >= old_len[1]


def _type_length(node: ast.expr | None) -> tuple[str, int] | None:
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    first = node.args[0]
    if name and isinstance(first, ast.Constant) and isinstance(first.value, int):
        return name, first.value
    return None


def _unique(risks: list[Risk]) -> list[Risk]:
    return list(dict.fromkeys(risks))


def merge_risks(*groups: list[Risk]) -> list[Risk]:
    return _unique([r for g in groups for r in g])


def is_destructive(risks: list[Risk]) -> bool:
    return any(r.kind == "destructive" for r in risks)
