"""Reflect many tables at once.

SQLAlchemy 2's ``Inspector.get_multi_*`` methods answer for a whole schema (or a
list of table names) in one query per kind of object on the dialects that
implement them (PostgreSQL, Oracle, SQL Server); elsewhere they fall back to one
query per table, which is no worse than reflecting table by table. Autogenerate
reflects each schema here once, keeps the raw dictionaries (comparison needs
details a ``Table`` does not carry, like ``duplicates_constraint``) and builds
``Table`` objects from them for the operations that need SQLAlchemy objects.

Building a ``Table`` costs far more than reflecting it (SQLAlchemy sets up every
column, constraint and index with its events), so with ``build=False`` a table is
built only when first asked for (``ReflectedTable.to_table()``), together with the
tables its foreign keys refer to, so that those resolve as they would if every
table of the schema had been built.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine.reflection import Inspector

TableKey = tuple[str | None, str]


@dataclass
class ReflectedTable:
    """What the database says about one table, as ``Inspector`` dictionaries."""

    schema: str | None
    name: str
    columns: list[dict[str, Any]] = field(default_factory=list)
    pk: dict[str, Any] = field(default_factory=dict)
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)
    indexes: list[dict[str, Any]] = field(default_factory=list)
    uniques: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    comment: str | None = None
    table: sa.Table | None = None
    builder: TableBuilder | None = field(default=None, repr=False, compare=False)

    def to_table(self) -> sa.Table:
        """The ``Table`` of this reflection, built on the first call."""
        if self.table is None:
            if self.builder is None:
                self.builder = TableBuilder(None)
            self.builder.build(self)
        assert self.table is not None
        return self.table


#: key under which a built ``Table`` carries its ``ReflectedTable`` in ``Table.info``
REFLECTED = "_autogen_reflected"


class TableBuilder:
    """Builds the ``Table`` objects of one schema's reflection on one private
    ``MetaData``, each on demand with the tables its foreign keys refer to."""

    def __init__(
        self, dialect: Any, load_checks: Callable[[], dict[TableKey, Any]] | None = None
    ) -> None:
        self.dialect = dialect
        self.metadata = sa.MetaData()
        self._infos: dict[TableKey, ReflectedTable] = {}
        #: reflects the CHECK constraints of every table here, before the first build
        self._load_checks = load_checks

    def add(self, info: ReflectedTable) -> None:
        self._infos[(info.schema, info.name)] = info
        info.builder = self

    def build(self, info: ReflectedTable) -> None:
        if self._load_checks is not None:
            checks = self._load_checks()
            self._load_checks = None
            for key, item in self._infos.items():
                item.checks = list(checks.get(key) or [])
        pending = [info]
        while pending:
            item = pending.pop()
            if item.table is not None:
                continue
            item.table = build_table(item, self.metadata, self.dialect)
            item.table.info[REFLECTED] = item
            for fk in item.foreign_keys:
                target = self._infos.get((fk.get("referred_schema") or None, fk["referred_table"]))
                if target is not None and target.table is None:
                    pending.append(target)


def _multi(
    fn: Callable[..., dict[TableKey, Any]], schema: str | None, names: list[str]
) -> dict[TableKey, Any]:
    try:
        return dict(fn(schema=schema, filter_names=names))
    except NotImplementedError:
        return {}


def reflect_tables(
    inspector: Inspector,
    schema: str | None,
    names: Iterable[str],
    build: bool = True,
    checks_now: bool = True,
) -> dict[str, ReflectedTable]:
    """Reflect ``names`` in ``schema`` with one ``get_multi_*`` call per object kind.

    Returns the tables by name, all on one ``TableBuilder`` (a private MetaData),
    each with its ``Table`` built, or with ``build=False`` built on first use. With
    ``checks_now=False`` the CHECK constraints are reflected only when the first
    ``Table`` is built (``ReflectedTable.checks`` stays empty until then).
    """
    wanted = sorted(set(names))
    if not wanted:
        return {}
    dialect = inspector.dialect
    columns = _multi(inspector.get_multi_columns, schema, wanted)
    pks = _multi(inspector.get_multi_pk_constraint, schema, wanted)
    fks = _multi(inspector.get_multi_foreign_keys, schema, wanted)
    indexes = _multi(inspector.get_multi_indexes, schema, wanted)
    uniques = _multi(inspector.get_multi_unique_constraints, schema, wanted)

    def load_checks() -> dict[TableKey, Any]:
        return _multi(inspector.get_multi_check_constraints, schema, wanted)

    checks = load_checks() if checks_now else {}
    comments = (
        _multi(inspector.get_multi_table_comment, schema, wanted)
        if dialect.supports_comments
        else {}
    )
    builder = TableBuilder(dialect, None if checks_now else load_checks)
    out: dict[str, ReflectedTable] = {}
    for name in wanted:
        key = (schema, name)
        if key not in columns:
            continue  # dropped meanwhile, or filtered by the dialect
        info = ReflectedTable(
            schema=schema,
            name=name,
            columns=list(columns.get(key) or []),
            pk=dict(pks.get(key) or {}),
            foreign_keys=list(fks.get(key) or []),
            indexes=list(indexes.get(key) or []),
            uniques=list(uniques.get(key) or []),
            checks=list(checks.get(key) or []),
            comment=(comments.get(key) or {}).get("text"),
        )
        builder.add(info)
        out[name] = info
    if build:
        for info in out.values():
            info.to_table()
    return out


# --------------------------------------------------------------------- building


def _is_serial_default(default: str | None, table: str, column: str, dialect: Any) -> bool:
    """PostgreSQL's ``nextval('t_c_seq'::regclass)`` of a SERIAL column: part of the
    column's autoincrement, not a default anyone wrote."""
    if getattr(dialect, "name", None) != "postgresql" or not default:
        return False
    match = re.match(r"nextval\('(?:[^']*\.)?\"?([^'\"]+)\"?'::regclass\)", default)
    return bool(match) and match.group(1) == f"{table}_{column}_seq"[:63]


def build_column(info: ReflectedTable, col: dict[str, Any], dialect: Any) -> sa.Column[Any]:
    kw: dict[str, Any] = {"nullable": col.get("nullable", True)}
    if col.get("comment") is not None:
        kw["comment"] = col["comment"]
    if "autoincrement" in col:
        kw["autoincrement"] = col["autoincrement"]
    args: list[Any] = []
    default = col.get("default")
    if col.get("computed"):
        computed = col["computed"]
        args.append(sa.Computed(computed["sqltext"], persisted=computed.get("persisted")))
    elif col.get("identity"):
        args.append(sa.Identity(**col["identity"]))
    elif default is not None:
        if _is_serial_default(default, info.name, col["name"], dialect):
            kw["autoincrement"] = True
        else:
            kw["server_default"] = sa.text(default)
    return sa.Column(col["name"], col["type"], *args, **kw)


def _fk_target(fk: dict[str, Any], column: str) -> str:
    parts = [fk.get("referred_schema"), fk["referred_table"], column]
    return ".".join(p for p in parts if p)


def build_table(info: ReflectedTable, metadata: sa.MetaData, dialect: Any) -> sa.Table:
    """A ``Table`` with the reflected columns, constraints and indexes."""
    items: list[Any] = [build_column(info, col, dialect) for col in info.columns]
    pk_cols = info.pk.get("constrained_columns") or []
    if pk_cols:
        items.append(sa.PrimaryKeyConstraint(*pk_cols, name=info.pk.get("name")))
    for fk in info.foreign_keys:
        options = dict(fk.get("options") or {})
        items.append(
            sa.ForeignKeyConstraint(
                fk["constrained_columns"],
                [_fk_target(fk, c) for c in fk["referred_columns"]],
                name=fk.get("name"),
                **{k: v for k, v in options.items() if k in _FK_OPTIONS},
            )
        )
    index_names = {ix.get("name") for ix in info.indexes}
    for uq in info.uniques:
        if uq.get("duplicates_index") and uq.get("duplicates_index") in index_names:
            continue  # MySQL: the unique index below is the same object
        items.append(sa.UniqueConstraint(*uq["column_names"], name=uq.get("name")))
    for ck in info.checks:
        if ck.get("name"):
            items.append(sa.CheckConstraint(sa.text(ck["sqltext"]), name=ck["name"]))
    table = sa.Table(info.name, metadata, *items, schema=info.schema, comment=info.comment)
    for ix in info.indexes:
        if ix.get("duplicates_constraint"):
            continue  # the index behind a unique constraint
        build_index(ix, table)  # attaches itself to the table
    return table


_FK_OPTIONS = {"onupdate", "ondelete", "deferrable", "initially", "match"}


def build_index(ix: dict[str, Any], table: sa.Table) -> sa.Index | None:
    exprs: list[Any] = []
    expressions = ix.get("expressions") or []
    for pos, name in enumerate(ix.get("column_names") or []):
        if name is not None:
            if name not in table.c:
                return None
            exprs.append(table.c[name])
        elif pos < len(expressions):
            exprs.append(sa.text(expressions[pos]))
        else:
            return None
    if not exprs:
        return None
    kw = reflected_index_kwargs(ix)
    try:
        return sa.Index(ix.get("name"), *exprs, unique=bool(ix.get("unique")), _table=table, **kw)
    except (TypeError, sa.exc.ArgumentError):
        return sa.Index(ix.get("name"), *exprs, unique=bool(ix.get("unique")), _table=table)


def reflected_index_kwargs(ix: dict[str, Any]) -> dict[str, Any]:
    """The dialect options of a reflected index as ``Index`` keyword arguments; a
    predicate given as a string (PostgreSQL) becomes ``text()``, so that a script
    re-creating the index renders it as ``sa.text(...)``."""
    out = {}
    for key, value in (ix.get("dialect_options") or {}).items():
        if value in (None, [], {}):
            continue
        if key.endswith("_where") and isinstance(value, str):
            value = sa.text(value)
        out[key] = value
    return out
