"""``render_python_code`` gives Alembic's text, character for character.

The same operation structures are built from our ops and from Alembic's, then
rendered by both, on three dialects, plain and in batch mode.
"""

from __future__ import annotations

import warnings

import pytest
from alembic.autogenerate import render_python_code as alembic_render
from alembic.operations import ops as alembic_ops
from alembic.runtime.migration import MigrationContext as AlembicContext

from engine.autogenerate.render import render_python_code
from engine.operations import ops
from engine.runtime.migration import MigrationContext
from tests.autogenerate.render_cases import CASES

DIALECTS = ("postgresql", "sqlite", "mysql")

#: (case, dialect or None for all, batch or None for both) where Alembic's output is
#: wrong or missing and ours differs on purpose (see test_render_api.py)
ALEMBIC_DIFFERS = {
    # Alembic writes nested types without a prefix (``Integer()``) except on PostgreSQL
    ("dialect_types", "sqlite", None),
    ("dialect_types", "mysql", None),
    # PostgreSQL-only construct: Alembic renders it through the PostgreSQL impl only
    ("exclude_constraint", "sqlite", None),
    ("exclude_constraint", "mysql", None),
    # Alembic drops if_not_exists / if_exists inside batch blocks; we keep them
    ("column_ops", None, True),
}


def _differs(name: str, dialect: str, batch: bool) -> bool:
    return any(
        n == name and d in (None, dialect) and b in (None, batch) for n, d, b in ALEMBIC_DIFFERS
    )


def _render(tool: str, name: str, dialect: str, batch: bool) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if tool == "ours":
            up = CASES[name](ops)
            ctx = MigrationContext.configure(dialect_name=dialect)
            return render_python_code(up, migration_context=ctx, render_as_batch=batch)
        up = CASES[name](alembic_ops)
        actx = AlembicContext.configure(dialect_name=dialect)
        return alembic_render(up, migration_context=actx, render_as_batch=batch)


@pytest.mark.parametrize("batch", [False, True], ids=["plain", "batch"])
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_same_text_as_alembic(name: str, dialect: str, batch: bool) -> None:
    if _differs(name, dialect, batch):
        pytest.skip("documented improvement over Alembic (see test_render_api.py)")
    assert _render("ours", name, dialect, batch) == _render("alembic", name, dialect, batch)


def test_without_migration_context_matches_alembic() -> None:
    for name in ("create_table_full", "column_ops", "alter_columns", "constraint_ops"):
        ours = render_python_code(CASES[name](ops))
        theirs = alembic_render(CASES[name](alembic_ops))
        assert ours == theirs, name


def test_prefixes_match_alembic() -> None:
    kw = {"sqlalchemy_module_prefix": "sqla.", "alembic_module_prefix": "migrate."}
    for name in ("create_table_full", "alter_columns", "naming_convention"):
        ours = render_python_code(CASES[name](ops), **kw)
        theirs = alembic_render(CASES[name](alembic_ops), **kw)
        assert ours == theirs, name
        assert "sa." not in ours.replace("sqla.", "")
