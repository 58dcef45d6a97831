"""One renderer per operation class: an op object in, its ``op.<directive>(...)``
call out (as Alembic writes it, so generated files read the same).

Inside a batch block (``autogen_context._has_batch``) the table name and schema
are left out and the call goes to ``batch_op``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import schema as sa_schema
from sqlalchemy.sql import elements as sa_elements

from engine.autogenerate.render_registry import renderers
from engine.autogenerate.render_schema import (
    compile_sql,
    dialect_kwargs,
    exclude_elements,
    fk_options,
    ident,
    index_columns,
    render_column,
    render_constraint,
    render_kwargs,
    render_name,
    render_server_default,
    render_value,
    should_render,
)
from engine.autogenerate.render_types import alembic_prefix, render_type, sqlalchemy_prefix
from engine.operations import ops


def _in_batch(autogen_context: Any) -> bool:
    return bool(getattr(autogen_context, "_has_batch", False))


def _call(autogen_context: Any, directive: str) -> str:
    if _in_batch(autogen_context):
        return f"batch_op.{directive}"
    return f"{alembic_prefix(autogen_context)}{directive}"


def _join(head: str, args: list[str]) -> str:
    return f"{head}({', '.join(args)})"


def _kw(pairs: list[tuple[str, Any]], autogen_context: Any) -> list[str]:
    return render_kwargs([(k, v) for k, v in pairs if v is not None], autogen_context)


def _sorted_kw(kw: dict[str, Any]) -> list[tuple[str, Any]]:
    return sorted(kw.items())


# ---------------------------------------------------------------------------
# tables


@renderers.dispatch_for(ops.CreateTableOp)
def _create_table(autogen_context: Any, op: ops.CreateTableOp) -> str:
    columns, table_constraints = _table_items(op, autogen_context)
    items = [render_column(c, autogen_context) for c in columns if not c.system]
    constraints: list[str] = []
    for constraint in table_constraints:
        if should_render(constraint):
            text = render_constraint(constraint, autogen_context)
            if text not in constraints:
                constraints.append(text)
    items += sorted(constraints)
    if op.schema is not None:
        items.append(f"schema={ident(op.schema)!r}")
    extra: dict[str, Any] = dict(op.kw)
    if op.comment is not None:
        extra["comment"] = op.comment
    info = {k: v for k, v in (op.info or {}).items() if not str(k).startswith("_autogen")}
    if info:
        extra["info"] = info
    if op.prefixes:
        extra["prefixes"] = op.prefixes
    items += render_kwargs(_sorted_kw(extra), autogen_context)
    if op.if_not_exists is not None:
        items.append(f"if_not_exists={op.if_not_exists!r}")
    body = ",\n".join(items)
    return f"{alembic_prefix(autogen_context)}create_table({ident(op.table_name)!r},\n{body}\n)"


def _table_items(op: ops.CreateTableOp, autogen_context: Any) -> tuple[list[Any], list[Any]]:
    """The columns and table-level constraints ``create_table`` will get.

    An op built from a Table (autogenerate, ``from_table``) already lists every
    constraint: they are rendered as they are. An op built by hand may rely on
    ``unique=True`` / ``index=True`` flags of its columns, so it is materialised
    as the Table ``create_table`` would build."""
    if op._constraints_included:
        columns = [c for c in op.columns if isinstance(c, sa_schema.Column)]
        constraints = [c for c in op.columns if isinstance(c, sa_schema.Constraint)]
        return columns, constraints
    table = op.to_table(getattr(autogen_context, "migration_context", None))
    return list(table.columns), list(table.constraints)


@renderers.dispatch_for(ops.DropTableOp)
def _drop_table(autogen_context: Any, op: ops.DropTableOp) -> str:
    args = [repr(ident(op.table_name))]
    args += _kw([("schema", ident(op.schema)), ("if_exists", op.if_exists)], autogen_context)
    return _join(f"{alembic_prefix(autogen_context)}drop_table", args)


@renderers.dispatch_for(ops.RenameTableOp)
def _rename_table(autogen_context: Any, op: ops.RenameTableOp) -> str:
    # Beyond Alembic (which cannot render it): autogenerate's rename detection needs it
    args = [repr(ident(op.table_name)), repr(ident(op.new_table_name))]
    args += _kw([("schema", ident(op.schema))], autogen_context)
    return _join(f"{alembic_prefix(autogen_context)}rename_table", args)


def _comment_call(autogen_context: Any, directive: str, args: list[str]) -> str:
    if _in_batch(autogen_context):
        head = f"batch_op.{directive}("
    else:
        head = f"{alembic_prefix(autogen_context)}{directive}("
    inner = ",\n".join(f"    {a}" for a in args)
    return f"{head}\n{inner}\n)"


@renderers.dispatch_for(ops.CreateTableCommentOp)
def _create_table_comment(autogen_context: Any, op: ops.CreateTableCommentOp) -> str:
    if _in_batch(autogen_context):
        args = [repr(op.comment), f"existing_comment={op.existing_comment!r}"]
    else:
        args = [
            repr(ident(op.table_name)),
            repr(op.comment),
            f"existing_comment={op.existing_comment!r}",
            f"schema={ident(op.schema)!r}",
        ]
    return _comment_call(autogen_context, "create_table_comment", args)


@renderers.dispatch_for(ops.DropTableCommentOp)
def _drop_table_comment(autogen_context: Any, op: ops.DropTableCommentOp) -> str:
    if _in_batch(autogen_context):
        args = [f"existing_comment={op.existing_comment!r}"]
    else:
        args = [
            repr(ident(op.table_name)),
            f"existing_comment={op.existing_comment!r}",
            f"schema={ident(op.schema)!r}",
        ]
    return _comment_call(autogen_context, "drop_table_comment", args)


# ---------------------------------------------------------------------------
# columns


@renderers.dispatch_for(ops.AddColumnOp)
def _add_column(autogen_context: Any, op: ops.AddColumnOp) -> str:
    column = render_column(op.column, autogen_context)
    extra = [
        ("if_not_exists", op.if_not_exists),
        ("inline_references", op.inline_references),
        ("inline_primary_key", op.inline_primary_key),
    ]
    if _in_batch(autogen_context):
        position = [(k, op.kw.get(k)) for k in ("insert_before", "insert_after")]
        args = [column, *_kw(position + extra, autogen_context)]
        return _join("batch_op.add_column", args)
    args = [repr(ident(op.table_name)), column]
    args += _kw([("schema", ident(op.schema)), *extra], autogen_context)
    return _join(f"{alembic_prefix(autogen_context)}add_column", args)


@renderers.dispatch_for(ops.DropColumnOp)
def _drop_column(autogen_context: Any, op: ops.DropColumnOp) -> str:
    extra = [("if_exists", op.if_exists), *_sorted_kw(op.kw)]
    if _in_batch(autogen_context):
        return _join(
            "batch_op.drop_column", [repr(ident(op.column_name)), *_kw(extra, autogen_context)]
        )
    args = [repr(ident(op.table_name)), repr(ident(op.column_name))]
    args += _kw([("schema", ident(op.schema)), *extra], autogen_context)
    return _join(f"{alembic_prefix(autogen_context)}drop_column", args)


_ALTER_INDENT = " " * 11


def _alter_kwargs(autogen_context: Any, op: ops.AlterColumnOp) -> list[str]:
    out: list[str] = []

    def add(key: str, text: str) -> None:
        out.append(f"{key}={text}")

    if op.existing_type is not None:
        add("existing_type", render_type(op.existing_type, autogen_context))
    if op.modify_server_default is not False:
        add("server_default", render_server_default(op.modify_server_default, autogen_context))
    if op.modify_name is not None:
        add("new_column_name", repr(ident(op.modify_name)))
    if op.modify_type is not None:
        add("type_", render_type(op.modify_type, autogen_context))
    if op.modify_nullable is not None:
        add("nullable", repr(op.modify_nullable))
    if op.modify_comment is not False:
        add("comment", repr(op.modify_comment))
    if op.existing_comment is not None:
        add("existing_comment", repr(op.existing_comment))
    if op.modify_nullable is None and op.existing_nullable is not None:
        add("existing_nullable", repr(op.existing_nullable))
    if op.modify_server_default is False and op.existing_server_default not in (None, False):
        add(
            "existing_server_default",
            render_server_default(op.existing_server_default, autogen_context),
        )
    kw = dict(op.kw)
    if "autoincrement" in kw and kw["autoincrement"] is not None:
        add("autoincrement", repr(kw.pop("autoincrement")))
    kw.pop("autoincrement", None)
    kw.pop("existing_autoincrement", None)  # as Alembic: informational only
    if _in_batch(autogen_context):
        for position in ("insert_before", "insert_after"):
            if kw.get(position):
                add(position, repr(kw[position]))
    kw.pop("insert_before", None)
    kw.pop("insert_after", None)
    # Beyond Alembic: dialect options (postgresql_using=...) are kept, not dropped
    out += _kw(_sorted_kw(kw), autogen_context)
    if op.schema is not None and not _in_batch(autogen_context):
        add("schema", repr(ident(op.schema)))
    return out


@renderers.dispatch_for(ops.AlterColumnOp)
def _alter_column(autogen_context: Any, op: ops.AlterColumnOp) -> str:
    if _in_batch(autogen_context):
        head = f"batch_op.alter_column({ident(op.column_name)!r}"
    else:
        head = (
            f"{alembic_prefix(autogen_context)}alter_column("
            f"{ident(op.table_name)!r}, {ident(op.column_name)!r}"
        )
    kwargs = _alter_kwargs(autogen_context, op)
    if not kwargs:
        return head + ")"
    return head + ",\n" + ",\n".join(_ALTER_INDENT + k for k in kwargs) + ")"


# ---------------------------------------------------------------------------
# indexes


@renderers.dispatch_for(ops.CreateIndexOp)
def _create_index(autogen_context: Any, op: ops.CreateIndexOp) -> str:
    index = op.to_index(getattr(autogen_context, "migration_context", None))
    columns = index_columns(_index_expressions(op, index), autogen_context)
    kw = [f"unique={bool(op.unique)!r}"]
    if not _in_batch(autogen_context) and op.schema is not None:
        kw.append(f"schema={ident(op.schema)!r}")
    kw += render_kwargs(_sorted_kw(op.kw), autogen_context)
    if op.if_not_exists is not None:
        kw.append(f"if_not_exists={op.if_not_exists!r}")
    name = render_name(op.index_name, autogen_context)
    if _in_batch(autogen_context):
        return _join("batch_op.create_index", [name, columns, *kw])
    args = [name, repr(ident(op.table_name)), columns, *kw]
    return _join(f"{alembic_prefix(autogen_context)}create_index", args)


def _index_expressions(op: ops.CreateIndexOp, index: sa_schema.Index) -> list[Any]:
    out = []
    for given, built in zip(op.columns, index.expressions):
        out.append(given if isinstance(given, str) else built)
    return out


@renderers.dispatch_for(ops.DropIndexOp)
def _drop_index(autogen_context: Any, op: ops.DropIndexOp) -> str:
    name = render_name(op.index_name, autogen_context)
    rest = render_kwargs(_sorted_kw(op.kw), autogen_context)
    if op.if_exists is not None:
        rest.append(f"if_exists={op.if_exists!r}")
    if _in_batch(autogen_context):
        return _join("batch_op.drop_index", [name, *rest])
    args = [name, f"table_name={ident(op.table_name)!r}"]
    if op.schema is not None:
        args.append(f"schema={ident(op.schema)!r}")
    return _join(f"{alembic_prefix(autogen_context)}drop_index", args + rest)


# ---------------------------------------------------------------------------
# constraints


def _table_args(autogen_context: Any, table_name: str) -> list[str]:
    return [] if _in_batch(autogen_context) else [repr(ident(table_name))]


@renderers.dispatch_for(ops.CreateUniqueConstraintOp)
def _create_unique(autogen_context: Any, op: ops.CreateUniqueConstraintOp) -> str:
    args = [render_name(op.constraint_name, autogen_context)]
    args += _table_args(autogen_context, op.table_name)
    args.append(f"[{', '.join(repr(ident(c)) for c in op.columns)}]")
    kw = dict(op.kw)
    args += _kw([("deferrable", kw.pop("deferrable", None))], autogen_context)
    args += _kw([("initially", kw.pop("initially", None))], autogen_context)
    if not _in_batch(autogen_context):
        args += _kw([("schema", ident(op.schema))], autogen_context)
    args += _kw(_sorted_kw(kw), autogen_context)
    return _join(_call(autogen_context, "create_unique_constraint"), args)


@renderers.dispatch_for(ops.CreateForeignKeyOp)
def _create_fk(autogen_context: Any, op: ops.CreateForeignKeyOp) -> str:
    args = [render_name(op.constraint_name, autogen_context)]
    args += _table_args(autogen_context, op.source_table)
    args += [
        repr(ident(op.referent_table)),
        f"[{', '.join(repr(ident(c)) for c in op.local_cols)}]",
        f"[{', '.join(repr(ident(c)) for c in op.remote_cols)}]",
    ]
    kw = dict(op.kw)
    source_schema = kw.pop("source_schema", None)
    referent_schema = kw.pop("referent_schema", None)
    if not _in_batch(autogen_context):
        args += _kw([("source_schema", ident(source_schema))], autogen_context)
    args += _kw([("referent_schema", ident(referent_schema))], autogen_context)
    options = {k: kw.pop(k, None) for k in _FK_OPTIONS}
    args += [f"{k}={v!r}" for k, v in fk_options(_Options(options))]
    args += _kw(_sorted_kw(kw), autogen_context)
    return _join(_call(autogen_context, "create_foreign_key"), args)


_FK_OPTIONS = ("onupdate", "ondelete", "initially", "deferrable", "use_alter", "match")


class _Options:
    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


@renderers.dispatch_for(ops.CreateCheckConstraintOp)
def _create_check(autogen_context: Any, op: ops.CreateCheckConstraintOp) -> str:
    args = [render_name(op.constraint_name, autogen_context)]
    args += _table_args(autogen_context, op.table_name)
    args.append(repr(compile_sql(op.condition, autogen_context)))
    if not _in_batch(autogen_context):
        args += _kw([("schema", ident(op.schema))], autogen_context)
    extra = {k: v for k, v in op.kw.items() if k not in ("deferrable", "initially")}
    args += _kw(_sorted_kw(extra), autogen_context)
    return _join(_call(autogen_context, "create_check_constraint"), args)


@renderers.dispatch_for(ops.CreatePrimaryKeyOp)
def _create_pk(autogen_context: Any, op: ops.CreatePrimaryKeyOp) -> str:
    # Beyond Alembic (NotImplementedError there)
    args = [render_name(op.constraint_name, autogen_context)]
    args += _table_args(autogen_context, op.table_name)
    args.append(f"[{', '.join(repr(ident(c)) for c in op.columns)}]")
    if not _in_batch(autogen_context):
        args += _kw([("schema", ident(op.schema))], autogen_context)
    return _join(_call(autogen_context, "create_primary_key"), args)


@renderers.dispatch_for(ops.CreateExcludeConstraintOp)
def _create_exclude(autogen_context: Any, op: ops.CreateExcludeConstraintOp) -> str:
    args = [render_name(op.constraint_name, autogen_context)]
    args += _table_args(autogen_context, op.table_name)
    args += exclude_elements(op.elements, autogen_context)
    if op.where is not None:
        args.append(f"where={render_value(op.where, autogen_context)}")
    kw = dict(op.kw)
    if kw.get("using"):
        args.append(f"using={kw.pop('using')!r}")
    if not _in_batch(autogen_context):
        args += _kw([("schema", ident(op.schema))], autogen_context)
    args += _kw(_sorted_kw(kw), autogen_context)
    return _join(_call(autogen_context, "create_exclude_constraint"), args)


@renderers.dispatch_for(ops.DropConstraintOp)
def _drop_constraint(autogen_context: Any, op: ops.DropConstraintOp) -> str:
    args = [render_name(op.constraint_name, autogen_context)]
    args += _table_args(autogen_context, op.table_name)
    if not _in_batch(autogen_context):
        args += _kw([("schema", ident(op.schema))], autogen_context)
    args += _kw([("type_", op.constraint_type)], autogen_context)
    if not _in_batch(autogen_context):
        args += _kw([("if_exists", op.if_exists)], autogen_context)
    return _join(_call(autogen_context, "drop_constraint"), args)


# ---------------------------------------------------------------------------
# SQL


@renderers.dispatch_for(ops.ExecuteSQLOp)
def _execute(autogen_context: Any, op: ops.ExecuteSQLOp) -> str:
    sql = op.sqltext
    if isinstance(sql, str):
        text = repr(sql)
    elif isinstance(sql, sa_elements.TextClause) and not sql._bindparams:
        text = f"{sqlalchemy_prefix(autogen_context)}text({sql.text!r})"
    else:
        raise NotImplementedError(
            "Autogenerate rendering of SQL Expression language constructs not supported "
            "here; please use a plain SQL string"
        )
    args = [text]
    if op.execution_options:
        args.append(f"execution_options={op.execution_options!r}")
    return _join(_call(autogen_context, "execute"), args)


__all__ = ["renderers", "dialect_kwargs"]
