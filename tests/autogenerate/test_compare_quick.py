"""The quick check (``engine.autogenerate.compare_quick``): a table the reflection shows
unchanged is neither built as a ``Table`` nor compared further, and that changes no
result.

* Every corpus case (each on one of its backends, in turn) compared with the quick
  check on and off: the same differences and warnings, for the changed model and
  for the unchanged one.
* An unchanged schema builds no reflected ``Table``; a dropped table is built with the
  tables its foreign keys refer to.
* Hooks that are handed reflected objects (``include_object``, a comparison
  function of the project's) turn the quick check off and still get real ``Table``s.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import sqlalchemy as sa

from engine.autogenerate import comparators, compare_quick
from engine.autogenerate.api import AutogenContext, _diffs, populate_migration_script
from engine.autogenerate.reflect import ReflectedTable
from engine.operations import ops
from engine.runtime.migration import MigrationContext
from tests.autogenerate.corpus import FIXTURE, MARKS, build, normalise
from tests.autogenerate.corpus_cases_columns import COLUMN_CASES
from tests.autogenerate.corpus_cases_constraints import CONSTRAINT_CASES
from tests.autogenerate.corpus_cases_sql import SQL_CASES

CASES = COLUMN_CASES + CONSTRAINT_CASES + SQL_CASES


def _compare(conn: sa.Connection, metadata: Any, opts: dict[str, Any]) -> tuple[Any, Any]:
    """((normalised diffs, warnings), AutogenContext) of one comparison."""
    ctx = MigrationContext.configure(conn, opts=dict(opts))
    autogen = AutogenContext(ctx, metadata=metadata)
    script = ops.MigrationScript(
        rev_id=None, upgrade_ops=ops.UpgradeOps([]), downgrade_ops=ops.DowngradeOps([])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        populate_migration_script(autogen, script)
    diffs = normalise(list(_diffs(script.upgrade_ops)))
    return (diffs, sorted(autogen.warnings)), autogen


def _both_ways(
    conn: sa.Connection, metadata: Any, opts: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, Any]:
    quick, _ = _compare(conn, metadata, opts)
    monkeypatch.setattr(compare_quick, "ENABLED", False)
    try:
        full, _ = _compare(conn, metadata, opts)
    finally:
        monkeypatch.setattr(compare_quick, "ENABLED", True)
    return quick, full


def _params() -> list[Any]:
    """Each case on one of its backends, taking turns (the corpus itself runs every
    case on all of them, with the quick check on)."""
    out = []
    for n, case in enumerate(CASES):
        backend = case.backends[n % len(case.backends)]
        out.append(pytest.param(backend, case, marks=MARKS[backend], id=f"{case.id}-{backend}"))
    return out


@pytest.mark.parametrize(("backend", "case"), _params())
def test_quick_check_changes_nothing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, backend: str, case: Any
) -> None:
    engine: sa.Engine = request.getfixturevalue(FIXTURE[backend])
    before = build(case.before)
    with engine.begin() as conn:
        for statement in case.setup_sql.get(backend, []):
            conn.exec_driver_sql(statement)
        before.create_all(conn)
    with engine.connect() as conn:
        for metadata in (build(case.after), build(case.before)):
            quick, full = _both_ways(conn, metadata, case.opts, monkeypatch)
            assert quick == full


# ------------------------------------------------------------------ what is built


def _model() -> sa.MetaData:
    md = sa.MetaData(naming_convention={"ix": "ix_%(column_0_label)s"})
    sa.Table(
        "parent",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False, index=True, comment="a name"),
        sa.Column("code", sa.String(10), unique=True),
        sa.Column("qty", sa.Integer, server_default=sa.text("0"), nullable=False),
        sa.Column("amount", sa.Numeric(10, 2)),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.CheckConstraint("qty >= 0", name="ck_parent_qty"),
        comment="parents",
    )
    sa.Table(
        "child",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.ForeignKey("parent.id", ondelete="CASCADE"), nullable=False),
        sa.Column("a", sa.String(20)),
        sa.Column("b", sa.String(20)),
        sa.Index("ix_child_a_b", "a", "b"),
        sa.UniqueConstraint("b", "a", name="uq_child_b_a"),
    )
    return md


_OPTS = {"compare_server_default": True, "compare_check_constraints": True}


def test_unchanged_schema_builds_no_table(
    ag_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _model()
    model.create_all(ag_engine)
    with ag_engine.connect() as conn:
        (diffs, warned), autogen = _compare(conn, model, _OPTS)
        assert _both_ways(conn, model, _OPTS, monkeypatch) == (([], []), ([], []))
    assert diffs == [] and warned == []
    state = autogen._compare_state
    assert sorted(state.existing) == [(None, "child"), (None, "parent")]
    assert all(info.table is None for info in state.reflected.values())
    # read, an entry still gives the reflected Table
    conn_table, meta_table = state.existing[(None, "child")]
    assert isinstance(conn_table, sa.Table) and meta_table is model.tables["child"]
    assert {c.name for c in conn_table.c} == {"id", "parent_id", "a", "b"}


def test_dropped_table_is_built_with_its_references(ag_engine: sa.Engine) -> None:
    model = _model()
    model.create_all(ag_engine)
    after = _model()
    after.remove(after.tables["child"])
    with ag_engine.connect() as conn:
        (diffs, _), autogen = _compare(conn, after, _OPTS)
    assert "remove_table child" in diffs
    assert not [d for d in diffs if "parent" in d]
    state = autogen._compare_state
    parent = state.reflected[(None, "parent")]
    assert isinstance(parent, ReflectedTable)
    # parent is unchanged, but built with child, so child's foreign key resolves
    (fk,) = state.dropped[(None, "child")].foreign_key_constraints
    assert parent.table is not None and fk.elements[0].column.table is parent.table


def test_include_object_gets_reflected_tables(ag_engine: sa.Engine) -> None:
    model = _model()
    model.create_all(ag_engine)
    seen: list[Any] = []

    def include_object(obj: Any, name: Any, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table" and not reflected:
            seen.append(compare_to)
        return True

    with ag_engine.connect() as conn:
        (diffs, _), _ = _compare(conn, model, {**_OPTS, "include_object": include_object})
    assert diffs == []
    assert len(seen) == 2 and all(isinstance(t, sa.Table) for t in seen)


def test_project_comparator_gets_every_reflected_table(ag_engine: sa.Engine) -> None:
    model = _model()
    model.create_all(ag_engine)
    seen: list[Any] = []

    @comparators.dispatch_for("table")
    def record(autogen_context, modify_ops, schema, name, conn_table, metadata_table):  # noqa: ANN001
        seen.append(conn_table)

    try:
        with ag_engine.connect() as conn:
            (diffs, _), _ = _compare(conn, model, _OPTS)
    finally:
        comparators.remove(record)
    assert diffs == []
    assert len(seen) == 2 and all(isinstance(t, sa.Table) for t in seen)


def test_quick_check_applies_only_to_builtin_comparison(ag_sqlite: sa.Engine) -> None:
    with ag_sqlite.connect() as conn:
        ctx = MigrationContext.configure(conn)
        assert compare_quick.quick_check_applies(AutogenContext(ctx, metadata=sa.MetaData()))
        for opts in (
            {"include_object": lambda *a: True},
            {"compare_type": lambda *a: None},
            {"compare_server_default": lambda *a: None},
        ):
            ctx = MigrationContext.configure(conn, opts=opts)
            autogen = AutogenContext(ctx, metadata=sa.MetaData())
            assert not compare_quick.quick_check_applies(autogen)


def _identity_model(start: int) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "seq",
        md,
        sa.Column("id", sa.Integer, sa.Identity(start=start), primary_key=True),
        sa.Column("serial_like", sa.BigInteger, nullable=False, autoincrement=True),
        sa.Column("n", sa.Integer, server_default="5"),
    )
    return md


@pytest.mark.postgresql
def test_identity_columns_quick_and_full(ag_pg: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _identity_model(10).create_all(ag_pg)
    opts = {"compare_server_default": True}
    with ag_pg.connect() as conn:
        (diffs, _), autogen = _compare(conn, _identity_model(10), opts)
        assert diffs == []
        assert autogen._compare_state.reflected[(None, "seq")].table is None
        quick, full = _both_ways(conn, _identity_model(20), opts, monkeypatch)
    assert quick == full and quick[0] == ["modify_default seq.id"]


def test_include_name_asked_once_per_column(ag_engine: sa.Engine) -> None:
    _model().create_all(ag_engine)
    after = _model()
    after.tables["parent"].append_column(sa.Column("extra", sa.Integer))
    asked: list[tuple[str, str]] = []

    def include_name(name: Any, type_: str, parent_names: dict[str, Any]) -> bool:
        if type_ == "column":
            asked.append((parent_names["table_name"], name))
        return name != "b"  # child.b is left out: the model's child.b looks new

    with ag_engine.connect() as conn:
        (diffs, _), _ = _compare(conn, after, {**_OPTS, "include_name": include_name})
    assert sorted(asked) == sorted(set(asked))
    assert ("parent", "name") in asked and ("child", "a") in asked
    assert "add_column parent.extra" in diffs and "add_column child.b" in diffs


def _checked_model(with_gone: bool) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("kept", md, sa.Column("id", sa.Integer, primary_key=True))
    if with_gone:
        sa.Table(
            "gone",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("n", sa.Integer),
            sa.CheckConstraint("n > 0", name="ck_gone_n"),
        )
    return md


def test_check_constraints_reflected_when_a_table_is_built(ag_engine: sa.Engine) -> None:
    _checked_model(True).create_all(ag_engine)
    with ag_engine.connect() as conn:
        (diffs, _), autogen = _compare(conn, _checked_model(False), {})
    assert diffs == ["remove_table gone"]
    dropped = autogen._compare_state.dropped[(None, "gone")]
    names = {c.name for c in dropped.constraints if isinstance(c, sa.CheckConstraint)}
    assert "ck_gone_n" in names


@pytest.mark.postgresql
def test_check_constraints_not_reflected_for_unchanged_tables(ag_pg: sa.Engine) -> None:
    _checked_model(True).create_all(ag_pg)
    statements: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    counts = []
    with ag_pg.connect() as conn:
        _compare(conn, _checked_model(True), {})  # warm the engine's one-time lookups
    for opts in ({}, {"compare_check_constraints": True}):
        with ag_pg.connect() as conn:
            sa.event.listen(conn, "before_cursor_execute", listen)
            (diffs, _), autogen = _compare(conn, _checked_model(True), opts)
            sa.event.remove(conn, "before_cursor_execute", listen)
        assert diffs == []
        counts.append(len(statements))
        statements.clear()
    assert counts[0] == counts[1] - 1
    assert autogen._compare_state.reflected[(None, "gone")].checks  # compared: reflected
