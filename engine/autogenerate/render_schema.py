"""Rendering schema items as Python source: names, SQL expressions, server
defaults, ``Computed`` / ``Identity``, columns and table-level constraints.

Every function takes the autogenerate context (``opts``, ``imports``, ``dialect``)
and gives one Python expression as a string. The project's ``render_item`` hook
is asked first for columns ("column"), server defaults ("server_default") and
constraints ("primary_key", "foreign_key", "unique", "check"); returning
``False`` from it means "render it the usual way".
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import schema as sa_schema
from sqlalchemy.engine import default as sa_default
from sqlalchemy.sql import elements as sa_elements

from engine.autogenerate.render_types import (
    alembic_prefix,
    render_type,
    sqlalchemy_prefix,
    user_hook,
)

_DEFAULT_DIALECT = sa_default.DefaultDialect()

# ---------------------------------------------------------------------------
# names and plain values


def ident(name: Any) -> Any:
    """A name as a plain ``str`` (``quoted_name`` and ``conv`` unwrapped)."""
    if isinstance(name, sa_elements.quoted_name):
        return str(name)
    return name


def is_no_name(name: Any) -> bool:
    return name is None or type(name).__name__ == "_NoneName"


def render_name(name: Any, autogen_context: Any) -> str:
    """A constraint/index name: ``op.f('...')`` for a naming-convention name."""
    if is_no_name(name):
        return "None"
    if isinstance(name, sa_elements.conv):
        return f"{alembic_prefix(autogen_context)}f({str(name)!r})"
    return repr(ident(name))


def dialect_of(autogen_context: Any) -> Any:
    dialect = getattr(autogen_context, "dialect", None)
    if dialect is None:
        ctx = getattr(autogen_context, "migration_context", None)
        dialect = getattr(ctx, "dialect", None)
    return dialect or _DEFAULT_DIALECT


def compile_sql(expr: Any, autogen_context: Any, *, include_table: bool = False) -> str:
    """SQL text of ``expr`` for the context's dialect, with literal values inlined."""
    if isinstance(expr, str):
        return expr
    if isinstance(expr, sa_elements.TextClause) and not expr._bindparams:
        return expr.text
    dialect = dialect_of(autogen_context)
    compiler = dialect.statement_compiler(dialect, None)
    text = str(compiler.process(expr, include_table=include_table, literal_binds=True))
    if getattr(compiler.preparer, "_double_percents", False):
        # escaped for a pyformat driver; the script's sa.text() is escaped again
        text = text.replace("%%", "%")
    return text


def render_value(value: Any, autogen_context: Any) -> str:
    """A keyword value: SQL expressions become ``sa.text('...')``; the rest ``repr``."""
    if isinstance(value, sa_elements.ClauseElement):
        return f"{sqlalchemy_prefix(autogen_context)}text({compile_sql(value, autogen_context)!r})"
    return repr(value)


def render_kwargs(pairs: list[tuple[str, Any]], autogen_context: Any) -> list[str]:
    return [f"{key}={render_value(value, autogen_context)}" for key, value in pairs]


def dialect_kwargs(item: Any) -> list[tuple[str, Any]]:
    """``postgresql_using='gin'`` style options of a schema item, sorted by key."""
    kw = getattr(item, "dialect_kwargs", None) or {}
    return sorted(kw.items())


# ---------------------------------------------------------------------------
# server defaults, computed and identity columns

_SQLITE_BARE = re.compile(r"^(?:'.*'|-?\d+(?:\.\d+)?|\(.*\))$", re.DOTALL)


def _default_sql_text(arg: Any, autogen_context: Any) -> str:
    text = compile_sql(arg, autogen_context)
    if dialect_of(autogen_context).name == "sqlite" and not _SQLITE_BARE.match(text.strip()):
        # SQLite only accepts an expression as DEFAULT inside parentheses
        text = f"({text})"
    return text


def render_server_default(default: Any, autogen_context: Any) -> str:
    """A ``server_default`` value: a string literal, ``sa.text(...)``, ``sa.Computed``,
    ``sa.Identity`` or ``None``."""
    rendered = user_hook(autogen_context, "server_default", default)
    if rendered is not False:
        return rendered
    if default is None:
        return "None"
    if isinstance(default, sa_schema.Computed):
        return render_computed(default, autogen_context)
    if isinstance(default, sa_schema.Identity):
        return render_identity(default, autogen_context)
    if isinstance(default, sa_schema.DefaultClause):
        default = default.arg
    if isinstance(default, str):
        return repr(default)
    if isinstance(default, sa_elements.ClauseElement):
        text = _default_sql_text(default, autogen_context)
        return f"{sqlalchemy_prefix(autogen_context)}text({text!r})"
    return repr(default)


def render_computed(computed: sa_schema.Computed, autogen_context: Any) -> str:
    sql = compile_sql(computed.sqltext, autogen_context)
    kw = "" if computed.persisted is None else f"persisted={computed.persisted!r}"
    # Alembic writes "sa.Computed('expr', )" when there is no option; so do we
    return f"{sqlalchemy_prefix(autogen_context)}Computed({sql!r}, {kw})"


_IDENTITY_OPTIONS = (
    "start",
    "increment",
    "minvalue",
    "maxvalue",
    "nominvalue",
    "nomaxvalue",
    "cycle",
    "cache",
    "order",
    "on_null",
)


def render_identity(identity: sa_schema.Identity, autogen_context: Any) -> str:
    parts = [f"always={identity.always!r}"]
    for key in _IDENTITY_OPTIONS:
        value = getattr(identity, key, None)
        if value is not None:
            parts.append(f"{key}={value!r}")
    parts += render_kwargs(dialect_kwargs(identity), autogen_context)
    return f"{sqlalchemy_prefix(autogen_context)}Identity({', '.join(parts)})"


# ---------------------------------------------------------------------------
# columns


def render_column(column: sa_schema.Column[Any], autogen_context: Any) -> str:
    rendered = user_hook(autogen_context, "column", column)
    if rendered is not False:
        return rendered
    sa_ = sqlalchemy_prefix(autogen_context)
    args = [repr(ident(column.name)), render_type(column.type, autogen_context)]
    generated = column.computed if column.computed is not None else column.identity
    if generated is not None:
        args.append(render_server_default(generated, autogen_context))
    # Beyond Alembic: column-level CHECK constraints stay on their column
    args += sorted(
        render_constraint(c, autogen_context)
        for c in column.constraints
        if isinstance(c, sa_schema.CheckConstraint)
    )
    default = column.server_default
    if isinstance(default, sa_schema.DefaultClause):
        args.append(f"server_default={render_server_default(default, autogen_context)}")
    if column.autoincrement != "auto":
        args.append(f"autoincrement={column.autoincrement!r}")
    args.append(f"nullable={column.nullable!r}")
    if column.comment is not None:
        args.append(f"comment={column.comment!r}")
    return f"{sa_}Column({', '.join(args)})"


# ---------------------------------------------------------------------------
# table-level constraints (inside create_table)


def _col_names(constraint: Any) -> list[str]:
    return [repr(ident(c.name)) for c in constraint.columns]


def _deferral(constraint: Any) -> list[str]:
    out = []
    if constraint.deferrable is not None:
        out.append(f"deferrable={constraint.deferrable!r}")
    if constraint.initially is not None:
        out.append(f"initially={constraint.initially!r}")
    return out


def _named(constraint: Any, autogen_context: Any) -> list[str]:
    if is_no_name(constraint.name):
        return []
    return [f"name={render_name(constraint.name, autogen_context)}"]


def should_render(constraint: Any) -> bool:
    """Constraints a type creates for itself (Boolean/Enum CHECKs) are not written."""
    if getattr(constraint, "_type_bound", False):
        return False
    return not (isinstance(constraint, sa_schema.PrimaryKeyConstraint) and not constraint.columns)


def render_constraint(constraint: Any, autogen_context: Any) -> str:
    sa_ = sqlalchemy_prefix(autogen_context)
    if isinstance(constraint, sa_schema.PrimaryKeyConstraint):
        kind = "primary_key"
    elif isinstance(constraint, sa_schema.ForeignKeyConstraint):
        kind = "foreign_key"
    elif isinstance(constraint, sa_schema.UniqueConstraint):
        kind = "unique"
    elif isinstance(constraint, sa_schema.CheckConstraint):
        kind = "check"
    else:
        kind = "constraint"
    rendered = user_hook(autogen_context, kind, constraint)
    if rendered is not False:
        return rendered
    if kind == "primary_key":
        args = _col_names(constraint) + _named(constraint, autogen_context)
        args += render_kwargs(dialect_kwargs(constraint), autogen_context)
        return f"{sa_}PrimaryKeyConstraint({', '.join(args)})"
    if kind == "unique":
        args = _col_names(constraint) + _named(constraint, autogen_context)
        args += _deferral(constraint)
        args += render_kwargs(dialect_kwargs(constraint), autogen_context)
        return f"{sa_}UniqueConstraint({', '.join(args)})"
    if kind == "check":
        args = [repr(compile_sql(constraint.sqltext, autogen_context))]
        args += _named(constraint, autogen_context)
        return f"{sa_}CheckConstraint({', '.join(args)})"
    if kind == "foreign_key":
        return _render_fk_constraint(constraint, autogen_context)
    if type(constraint).__name__ == "ExcludeConstraint":
        return _render_exclude_constraint(constraint, autogen_context)
    raise NotImplementedError(f"cannot render constraint {constraint!r}")


def fk_target(fk: sa_schema.ForeignKey) -> str:
    return fk._get_colspec()


def fk_options(constraint: Any) -> list[tuple[str, Any]]:
    out = []
    for key in ("onupdate", "ondelete", "initially", "deferrable", "use_alter", "match"):
        value = getattr(constraint, key, None)
        if value is not None and not (key == "use_alter" and value is False):
            out.append((key, value))
    return out


def _render_fk_constraint(constraint: sa_schema.ForeignKeyConstraint, autogen_context: Any) -> str:
    local = [repr(ident(fk.parent.name)) for fk in constraint.elements]
    remote = [repr(fk_target(fk)) for fk in constraint.elements]
    kw = _named(constraint, autogen_context)
    kw += [f"{k}={v!r}" for k, v in fk_options(constraint)]
    kw += render_kwargs(dialect_kwargs(constraint), autogen_context)
    # Alembic's spelling, trailing ", " included when there is no option
    return (
        f"{sqlalchemy_prefix(autogen_context)}ForeignKeyConstraint("
        f"[{', '.join(local)}], [{', '.join(remote)}], {', '.join(kw)})"
    )


def exclude_elements(elements: Any, autogen_context: Any) -> list[str]:
    """``(sa.column('p'), '&&')`` pairs of an EXCLUDE constraint."""
    sa_ = sqlalchemy_prefix(autogen_context)
    out = []
    for expr, operator in elements:
        if isinstance(expr, str):
            text = f"{sa_}column({expr!r})"
        elif isinstance(expr, sa_schema.Column) or (
            isinstance(expr, sa_elements.ColumnClause) and not expr.is_literal
        ):
            text = f"{sa_}column({ident(expr.name)!r})"
        else:
            text = f"{sa_}literal_column({compile_sql(expr, autogen_context)!r})"
        out.append(f"({text}, {operator!r})")
    return out


def _render_exclude_constraint(constraint: Any, autogen_context: Any) -> str:
    autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
    pairs = [(expr, op) for expr, _name, op in constraint._render_exprs]
    args = exclude_elements(pairs, autogen_context)
    if constraint.where is not None:
        args.append(f"where={render_value(constraint.where, autogen_context)}")
    if constraint.using:
        args.append(f"using={constraint.using!r}")
    args += _named(constraint, autogen_context)
    args += _deferral(constraint)
    return f"postgresql.ExcludeConstraint({', '.join(args)})"


def index_columns(expressions: Any, autogen_context: Any) -> str:
    """The column list of ``create_index``: names, or ``sa.literal_column('expr')``."""
    out = []
    for expr in expressions:
        if isinstance(expr, str):
            out.append(repr(expr))
        elif isinstance(expr, sa_schema.Column) or (
            isinstance(expr, sa_elements.ColumnClause) and not expr.is_literal
        ):
            out.append(repr(ident(expr.name)))
        else:
            sql = compile_sql(expr, autogen_context)
            if _needs_mysql_parens(expr, autogen_context):
                sql = f"({sql})"  # MySQL takes functional key parts in parentheses
            out.append(f"{sqlalchemy_prefix(autogen_context)}literal_column({sql!r})")
    return f"[{', '.join(out)}]"


def _needs_mysql_parens(expr: Any, autogen_context: Any) -> bool:
    if dialect_of(autogen_context).name not in ("mysql", "mariadb"):
        return False
    return not isinstance(
        expr, (sa_elements.TextClause, sa_elements.UnaryExpression, sa_elements.Grouping)
    )
