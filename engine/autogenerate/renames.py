"""Rename candidates: a dropped table (or column) and a compatible new one.

Comparing models with a database cannot tell a rename from a drop and an add:
both look like "``a`` is gone, ``b`` is new". Alembic writes the drop and the
add, which loses the data. Here the comparison result carries
``RenameCandidate`` objects instead of guessing; someone (the CLI's prompt, a
flag, the TUI) decides each one, and an accepted candidate replaces the pair
of operations:

* a table: ``DropTableOp(old)`` + ``CreateTableOp(new)`` become
  ``RenameTableOp(old, new)`` followed by whatever else differs between the old
  table (renamed) and the new model (an index name, an added column...);
  foreign keys of other tables that pointed at the old name follow the rename
  on every supported database, so their drop/re-create pairs are removed.
* a column: ``DropColumnOp(old)`` + ``AddColumnOp(new)`` become one
  ``AlterColumnOp(old, new_column_name=new)`` carrying ``existing_type`` /
  ``existing_nullable`` (MySQL's ``CHANGE`` needs them) and any change of type,
  default or comment the comparison finds between the two columns.

The downgrade is the reverse of the upgrade, so it renames back.

What counts as compatible:

* tables in the same schema whose columns match by name and type family
  (integer, string, date/time ...) for at least ``TABLE_THRESHOLD`` of the
  larger table's columns;
* columns of one table with the same type family and the same nullability;
  the score rises when the types are identical and when the column keeps its
  position.

Each old and each new name appears in at most one candidate (best score first).
Table candidates are decided first; column candidates are then looked for in
the result, so a renamed table may also carry renamed columns.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import types as sqltypes

from engine.operations import ops

RenameKind = Literal["table", "column"]
Decide = Callable[["RenameCandidate"], bool]

#: share of the larger table's columns that must match for a table candidate
TABLE_THRESHOLD = 0.66

#: where a MigrationScript keeps its candidates (``script.info[INFO_KEY]``)
INFO_KEY = "rename_candidates"


@dataclass(frozen=True)
class RenameCandidate:
    """A possible rename found by comparing.

    ``kind``: ``"table"`` or ``"column"``; ``schema``: the table's schema (None
    for the default one); ``table``: for a column, its table; for a table, its
    old name; ``old`` / ``new``: the names; ``score``: 0..1, higher is likelier;
    ``accepted``: the decision (None until decided).
    """

    kind: RenameKind
    schema: str | None
    table: str
    old: str
    new: str
    score: float
    accepted: bool | None = None

    def _where(self, name: str) -> str:
        if self.kind == "column":
            name = f"{self.table}.{name}"
        return f"{self.schema}.{name}" if self.schema else name

    @property
    def old_label(self) -> str:
        return self._where(self.old)

    @property
    def new_label(self) -> str:
        return self._where(self.new)

    @property
    def question(self) -> str:
        """``Did you rename table person to people?``"""
        return f"Did you rename {self.kind} {self.old_label} to {self.new_label}?"

    def describe(self) -> str:
        """``table person -> people`` / ``column person.name -> person.full_name``"""
        return f"{self.kind} {self.old_label} -> {self.new_label}"


def rename_candidates(migration_script: ops.MigrationScript) -> list[RenameCandidate]:
    """The candidates a comparison attached to ``migration_script`` (with decisions)."""
    return list(migration_script.info.get(INFO_KEY, []))


def accept_all(candidate: RenameCandidate) -> bool:
    return True


def refuse_all(candidate: RenameCandidate) -> bool:
    return False


# ------------------------------------------------------------------ type families


def type_family(type_: Any, dialect_name: str | None = None) -> str:
    """A coarse family of a column type: two columns of one family can hold each
    other's values after at most a widening (``VARCHAR(20)`` / ``TEXT``...)."""
    mysql = dialect_name in ("mysql", "mariadb")
    if isinstance(type_, sqltypes.Boolean):
        return "integer" if mysql else "boolean"  # MySQL reflects BOOL as TINYINT
    if isinstance(type_, sqltypes.Enum):
        return "enum"
    if isinstance(type_, sqltypes.JSON):
        return "string" if mysql else "json"  # MariaDB reflects JSON as LONGTEXT
    if isinstance(type_, sqltypes.DateTime):
        return "datetime"
    if isinstance(type_, sqltypes.Date):
        return "date"
    if isinstance(type_, sqltypes.Time):
        return "time"
    if isinstance(type_, sqltypes.Integer):
        return "integer"
    if isinstance(type_, (sqltypes.Numeric, sqltypes.Float)):
        return "numeric"  # (Float is no Numeric subclass in SQLAlchemy 2.1)
    if isinstance(type_, sqltypes.String):
        return "string"
    if isinstance(type_, sqltypes._Binary):
        return "binary"
    affinity = getattr(type_, "_type_affinity", None) or type(type_)
    return affinity.__name__.lower()


def _families_match(dialect: Any, a: Any, b: Any) -> bool:
    if isinstance(a, sqltypes.NullType) or isinstance(b, sqltypes.NullType):
        return True  # nothing known: don't let an unknown type veto the match
    name = getattr(dialect, "name", None)
    return type_family(a, name) == type_family(b, name)


def _same_type(dialect: Any, conn_type: Any, meta_type: Any) -> bool:
    from engine.autogenerate.compare_types import types_differ

    if dialect is None:
        return type(conn_type) is type(meta_type)
    return not types_differ(dialect, conn_type, meta_type)


# ------------------------------------------------------------------ finding


def _pair_best(scored: Iterable[tuple[float, str, str, Any]]) -> list[tuple[float, str, str, Any]]:
    """One-to-one pairs, best score first (ties by name, so the result is stable)."""
    used_old: set[str] = set()
    used_new: set[str] = set()
    out = []
    for item in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        _, old, new, _ = item
        if old in used_old or new in used_new:
            continue
        used_old.add(old)
        used_new.add(new)
        out.append(item)
    return out


def table_score(dialect: Any, old: sa.Table, new: sa.Table) -> float:
    """Share of the larger table's columns present in both, by name and type family."""
    old_cols = {c.name.lower(): c for c in old.c}
    new_cols = {c.name.lower(): c for c in new.c}
    if not old_cols or not new_cols:
        return 0.0
    matched = sum(
        1
        for name, col in old_cols.items()
        if name in new_cols and _families_match(dialect, col.type, new_cols[name].type)
    )
    return matched / max(len(old_cols), len(new_cols))


def _position(col: sa.Column[Any]) -> int | None:
    table = getattr(col, "table", None)
    if not isinstance(table, sa.Table):
        return None
    for i, other in enumerate(table.c):
        if other is col:
            return i
    return None


def column_score(dialect: Any, old: sa.Column[Any], new: sa.Column[Any]) -> float:
    """0 when ``old`` cannot have become ``new`` (other type family or other
    nullability); otherwise 0.5, plus 0.25 for an identical type, 0.15 for the
    same position in the table and up to 0.1 for similar names."""
    if bool(old.nullable) != bool(new.nullable):
        return 0.0
    if (old.computed is None) != (new.computed is None):
        return 0.0
    if not _families_match(dialect, old.type, new.type):
        return 0.0
    score = 0.5
    if _same_type(dialect, old.type, new.type):
        score += 0.25
    old_pos, new_pos = _position(old), _position(new)
    if old_pos is not None and old_pos == new_pos:
        score += 0.15
    score += 0.1 * difflib.SequenceMatcher(None, old.name.lower(), new.name.lower()).ratio()
    return round(score, 3)


def _state(autogen_context: Any) -> Any:
    from engine.autogenerate.compare_tables import compare_state

    return compare_state(autogen_context)


def find_table_candidates(
    autogen_context: Any, upgrade_ops: ops.UpgradeOps
) -> list[RenameCandidate]:
    """Candidates among the tables ``upgrade_ops`` drops and creates."""
    state = _state(autogen_context)
    dropped: dict[Any, list[tuple[str, sa.Table]]] = {}
    created: dict[Any, list[tuple[str, sa.Table]]] = {}
    for op in upgrade_ops.ops:
        if isinstance(op, ops.DropTableOp):
            key = (state.norm(op.schema), op.table_name)
            if key in state.dropped:
                dropped.setdefault(key[0], []).append((op.table_name, state.dropped[key]))
        elif isinstance(op, ops.CreateTableOp):
            key = (state.norm(op.schema), op.table_name)
            if key in state.created:
                created.setdefault(key[0], []).append((op.table_name, state.created[key]))
    out: list[RenameCandidate] = []
    for schema in sorted(set(dropped) & set(created), key=lambda s: s or ""):
        scored = []
        for old_name, old in dropped[schema]:
            for new_name, new in created[schema]:
                score = table_score(autogen_context.dialect, old, new)
                if score >= TABLE_THRESHOLD:
                    scored.append((round(score, 3), old_name, new_name, None))
        for score, old_name, new_name, _ in _pair_best(scored):
            out.append(RenameCandidate("table", schema, old_name, old_name, new_name, score))
    return out


def _table_containers(upgrade_ops: ops.OpContainer) -> Iterable[ops.ModifyTableOps]:
    for op in upgrade_ops.ops:
        if isinstance(op, ops.ModifyTableOps):
            yield op
        elif isinstance(op, ops.OpContainer):
            yield from _table_containers(op)


def find_column_candidates(
    autogen_context: Any, upgrade_ops: ops.UpgradeOps
) -> list[RenameCandidate]:
    """Candidates among the columns each table of ``upgrade_ops`` drops and adds."""
    dialect = getattr(autogen_context, "dialect", None)
    out: list[RenameCandidate] = []
    for modify in _table_containers(upgrade_ops):
        drops = [
            op for op in modify.ops if isinstance(op, ops.DropColumnOp) and op._reverse is not None
        ]
        adds = [op for op in modify.ops if isinstance(op, ops.AddColumnOp)]
        scored = []
        for drop in drops:
            assert drop._reverse is not None
            for add in adds:
                score = column_score(dialect, drop._reverse.column, add.column)
                if score > 0:
                    scored.append((score, drop.column_name, add.column.name, None))
        for score, old, new, _ in _pair_best(scored):
            out.append(RenameCandidate("column", modify.schema, modify.table_name, old, new, score))
    return out


def find_rename_candidates(
    autogen_context: Any, upgrade_ops: ops.UpgradeOps
) -> list[RenameCandidate]:
    """Every candidate in ``upgrade_ops`` as it stands (tables, then columns)."""
    return find_table_candidates(autogen_context, upgrade_ops) + find_column_candidates(
        autogen_context, upgrade_ops
    )


# ------------------------------------------------------------------ applying


def _same_table(op: Any, schema: str | None, name: str, state: Any) -> bool:
    return op.table_name == name and state.norm(op.schema) == state.norm(schema)


def apply_table_rename(
    autogen_context: Any, upgrade_ops: ops.UpgradeOps, candidate: RenameCandidate
) -> None:
    """Replace the drop of ``candidate.old`` and the creation of ``candidate.new``
    with a ``RenameTableOp`` (where the creation was, so new tables that refer
    to it come after) and the remaining differences of that table."""
    from engine.autogenerate.compare_tables import _table_ops

    state = _state(autogen_context)
    schema = state.norm(candidate.schema)
    conn_table = state.dropped[(schema, candidate.old)]
    meta_table = state.created[(schema, candidate.new)]
    body = upgrade_ops.ops
    at = next(
        i
        for i, op in enumerate(body)
        if isinstance(op, ops.CreateTableOp) and _same_table(op, schema, candidate.new, state)
    )
    rename = ops.RenameTableOp(candidate.old, candidate.new, schema=body[at].schema)

    def belongs(op: Any) -> bool:
        if isinstance(op, (ops.CreateTableOp, ops.ModifyTableOps)) and _same_table(
            op, schema, candidate.new, state
        ):
            return True
        return isinstance(op, (ops.DropTableOp, ops.ModifyTableOps)) and _same_table(
            op, schema, candidate.old, state
        )

    before = [op for op in body[:at] if not belongs(op)]
    after = [op for op in body[at:] if not belongs(op)]
    modify = _table_ops(autogen_context, meta_table.schema, candidate.new, conn_table, meta_table)
    for op in modify.ops:  # ops built from the reflected table carry its old name
        if getattr(op, "table_name", None) == candidate.old:
            op.table_name = candidate.new
    body[:] = before + [rename] + ([modify] if not modify.is_empty() else []) + after

    del state.dropped[(schema, candidate.old)]
    del state.created[(schema, candidate.new)]
    state.existing[(schema, candidate.new)] = (conn_table, meta_table)
    _drop_followed_foreign_keys(upgrade_ops, schema, candidate.old, candidate.new, state)


_FK_OPTIONS = ("ondelete", "onupdate", "deferrable", "initially", "match")


def _drop_followed_foreign_keys(
    upgrade_ops: ops.UpgradeOps, schema: str | None, old: str, new: str, state: Any
) -> None:
    """A foreign key keeps pointing at a renamed table (PostgreSQL, MySQL/MariaDB and
    SQLite >= 3.26 rewrite the reference), so "drop the one to ``old``, create the
    same one to ``new``" is no change at all: remove such pairs."""
    for modify in _table_containers(upgrade_ops):
        creates = [
            op
            for op in modify.ops
            if isinstance(op, ops.CreateForeignKeyOp)
            and op.referent_table == new
            and state.norm(op.kw.get("referent_schema")) == schema
        ]
        for drop in [op for op in modify.ops if isinstance(op, ops.DropConstraintOp)]:
            old_fk = drop._reverse
            if not (
                isinstance(old_fk, ops.CreateForeignKeyOp)
                and old_fk.referent_table == old
                and state.norm(old_fk.kw.get("referent_schema")) == schema
            ):
                continue
            for create in creates:
                if (
                    create.local_cols == old_fk.local_cols
                    and create.remote_cols == old_fk.remote_cols
                    and create.constraint_name in (None, drop.constraint_name)
                    and all(
                        (create.kw.get(k) or None) == (old_fk.kw.get(k) or None)
                        for k in _FK_OPTIONS
                    )
                ):
                    modify.ops.remove(drop)
                    modify.ops.remove(create)
                    creates.remove(create)
                    break
    upgrade_ops.ops[:] = [
        op for op in upgrade_ops.ops if not (isinstance(op, ops.ModifyTableOps) and op.is_empty())
    ]


def apply_column_rename(
    autogen_context: Any, upgrade_ops: ops.UpgradeOps, candidate: RenameCandidate
) -> None:
    """Replace the drop of column ``old`` and the addition of ``new`` with one
    ``AlterColumnOp`` renaming it (plus any other change between the two)."""
    from engine.autogenerate.compare_registry import comparators
    from engine.autogenerate.compare_tables import order_table_ops

    modify = next(
        m
        for m in _table_containers(upgrade_ops)
        if m.table_name == candidate.table and m.schema == candidate.schema
    )
    drop = next(
        op
        for op in modify.ops
        if isinstance(op, ops.DropColumnOp) and op.column_name == candidate.old
    )
    add = next(
        op
        for op in modify.ops
        if isinstance(op, ops.AddColumnOp) and op.column.name == candidate.new
    )
    assert drop._reverse is not None
    conn_col, meta_col = drop._reverse.column, add.column
    alter = ops.AlterColumnOp(
        candidate.table,
        candidate.old,
        schema=candidate.schema,
        existing_type=conn_col.type,
        existing_nullable=conn_col.nullable,
        existing_server_default=(
            conn_col.server_default if conn_col.server_default is not None else False
        ),
        existing_comment=conn_col.comment,
    )
    comparators.run(
        "column",
        autogen_context,
        alter,
        candidate.schema,
        candidate.table,
        candidate.old,
        conn_col,
        meta_col,
    )
    alter.modify_name = candidate.new
    modify.ops[modify.ops.index(drop)] = alter
    modify.ops.remove(add)
    order_table_ops(modify)


def apply_rename(
    autogen_context: Any, upgrade_ops: ops.UpgradeOps, candidate: RenameCandidate
) -> None:
    """Apply one accepted candidate to ``upgrade_ops`` (in place)."""
    if candidate.kind == "table":
        apply_table_rename(autogen_context, upgrade_ops, candidate)
    else:
        apply_column_rename(autogen_context, upgrade_ops, candidate)


def resolve_renames(
    autogen_context: Any, upgrade_ops: ops.UpgradeOps, decide: Decide | None = None
) -> list[RenameCandidate]:
    """Find the candidates of ``upgrade_ops``, ask ``decide`` about each (None:
    refuse all, leaving the drops and adds as they are), apply the accepted ones.

    Returns every candidate with ``accepted`` set. Tables are decided first;
    columns are looked for afterwards, in the tables as they then stand.
    """
    decided: list[RenameCandidate] = []
    for finder in (find_table_candidates, find_column_candidates):
        for candidate in finder(autogen_context, upgrade_ops):
            accepted = bool(decide(candidate)) if decide is not None else False
            candidate = replace(candidate, accepted=accepted)
            decided.append(candidate)
            if accepted:
                apply_rename(autogen_context, upgrade_ops, candidate)
    return decided


__all__ = [
    "INFO_KEY",
    "RenameCandidate",
    "TABLE_THRESHOLD",
    "accept_all",
    "apply_column_rename",
    "apply_rename",
    "apply_table_rename",
    "column_score",
    "find_column_candidates",
    "find_rename_candidates",
    "find_table_candidates",
    "refuse_all",
    "rename_candidates",
    "resolve_renames",
    "table_score",
    "type_family",
]
