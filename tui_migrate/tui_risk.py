"""Reading a step's flags from its source: the fallback of the guided rollback.

The engine's plan preview (``engine.preview``) runs a plan offline and judges
every operation it invokes (``engine.operations.risk``). Some steps cannot run
offline (SQLite batch mode without ``copy_from`` needs a live table to reflect),
so for those the TUI reads the revision's ``upgrade()``/``downgrade()`` source
instead, without running it: each ``op``/``batch_op`` directive it recognises
becomes the same operation data object the engine would have built, and the
engine's own rules judge it. Only literal arguments are read; SQLAlchemy type
expressions such as ``sa.String(50)`` are rebuilt from the ``sqlalchemy``
namespace with literal arguments, nothing else is evaluated.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.operations.risk import Finding

# SQLAlchemy and the op layer are imported by the functions that read a source,
# so opening the app does not pay for them before the first plan.

NOTHING_UNDONE = "downgrade() does nothing: what the upgrade did stays"


@dataclass
class SourceReading:
    """What the source of one migration function says about its risks."""

    findings: list[Finding] = field(default_factory=list)
    irreversible: str | None = None  # only for downgrade()
    empty: bool = False  # the function does nothing (a docstring and ``pass`` at most)


def read_function(source: str, function: str) -> SourceReading:
    """Findings for ``function`` ("upgrade" or "downgrade") in a revision's source."""
    from engine.operations.risk import findings_for

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return SourceReading()
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    func = funcs.get(function)
    if func is None:
        return SourceReading()
    reading = SourceReading(empty=_is_empty(func))
    tables = _batch_tables(func)
    in_order = sorted(
        (n for n in ast.walk(func) if isinstance(n, (ast.Call, ast.Raise))),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for node in in_order:
        if isinstance(node, ast.Call):
            op = _operation(node, tables)
            if op is not None:
                reading.findings.extend(findings_for(op))
        elif isinstance(node, ast.Raise) and function == "downgrade" and not reading.irreversible:
            reading.irreversible = "raises: " + _raised(node)
    if function == "downgrade" and reading.empty and not reading.irreversible:
        reading.irreversible = NOTHING_UNDONE
    reading.findings = list(dict.fromkeys(reading.findings))
    return reading


def _is_empty(func: ast.FunctionDef) -> bool:
    return all(
        isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in func.body
    )


def _raised(node: ast.Raise) -> str:
    exc = node.exc
    if isinstance(exc, ast.Call):
        name = ast.unparse(exc.func)
        message = _literal(exc.args[0]) if exc.args else None
        return f"{name}: {message}" if message else name
    return ast.unparse(exc) if exc is not None else "re-raises"


def _batch_tables(func: ast.FunctionDef) -> dict[str, str]:
    """``with op.batch_alter_table("users") as batch_op`` -> {"batch_op": "users"}."""
    out: dict[str, str] = {}
    for node in ast.walk(func):
        if not isinstance(node, ast.With):
            continue
        for item in node.items:
            call = item.context_expr
            if (
                isinstance(call, ast.Call)
                and _method(call) == "batch_alter_table"
                and isinstance(item.optional_vars, ast.Name)
            ):
                out[item.optional_vars.id] = _arg(call, 0, "table_name") or "?"
    return out


def _method(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _operation(call: ast.Call, tables: dict[str, str]) -> Any | None:
    """The op data object a directive call builds, for the directives that carry risk."""
    from engine.operations import ops

    name = _method(call)
    if name is None:
        return None
    owner = call.func.value if isinstance(call.func, ast.Attribute) else None
    batch_table = tables.get(owner.id) if isinstance(owner, ast.Name) else None
    # Batch directives drop the table argument: every positional shifts left by one.
    shift = 0 if batch_table is None else -1
    table = batch_table or _arg(call, 0 if name != "drop_constraint" else 1, "table_name") or "?"
    schema = _arg(call, None, "schema")
    if name == "drop_table" and batch_table is None:
        return ops.DropTableOp(table, schema=schema)
    if name == "drop_column":
        column = _arg(call, 1 + shift, "column_name") or "?"
        return ops.DropColumnOp(table, column, schema=schema)
    if name == "drop_constraint":
        constraint = _arg(call, 0, "constraint_name") or "?"
        type_ = _arg(call, 2 + shift, "type_")
        return ops.DropConstraintOp(constraint, table, type_, schema=schema)
    if name == "alter_column":
        column = _arg(call, 1 + shift, "column_name") or "?"
        nullable = _keyword(call, "nullable")
        existing_nullable = _keyword(call, "existing_nullable")
        return ops.AlterColumnOp(
            table,
            column,
            schema=schema,
            modify_type=_sa_type(_keyword(call, "type_")),
            existing_type=_sa_type(_keyword(call, "existing_type")),
            modify_nullable=_bool(nullable),
            existing_nullable=_bool(existing_nullable),
        )
    if name == "execute" and batch_table is None:
        return ops.ExecuteSQLOp(_arg(call, 0, "sqltext") or "")
    return None


def _arg(call: ast.Call, index: int | None, keyword: str) -> str | None:
    """A literal string argument, by position or keyword."""
    if index is not None and 0 <= index < len(call.args):
        return _literal(call.args[index])
    node = _keyword(call, keyword)
    return _literal(node) if node is not None else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _bool(node: ast.expr | None) -> bool | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    return None


def _sa_type(node: ast.expr | None) -> Any | None:
    """``sa.String(50)`` / ``String(50)`` / ``sa.Integer`` as a SQLAlchemy type; else None."""
    import sqlalchemy as sa

    if node is None:
        return None
    call = node if isinstance(node, ast.Call) else None
    target = call.func if call is not None else node
    if isinstance(target, ast.Attribute):
        name = target.attr
    elif isinstance(target, ast.Name):
        name = target.id
    else:
        return None
    type_cls = getattr(sa, name, None)
    if not (isinstance(type_cls, type) and issubclass(type_cls, sa.types.TypeEngine)):
        return None
    if call is None:
        return type_cls
    args = [a.value for a in call.args if isinstance(a, ast.Constant)]
    kwargs = {k.arg: k.value.value for k in call.keywords if isinstance(k.value, ast.Constant)}
    if len(args) != len(call.args) or len(kwargs) != len(call.keywords) or None in kwargs:
        return None
    try:
        return type_cls(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a type we cannot rebuild is simply unknown
        return None
