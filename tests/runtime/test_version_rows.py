"""The version table after each command, ours vs Alembic, on all three databases.

A history with two branches, a merge, a branch label and a ``depends_on``
exercises every kind of row change: UPDATE, INSERT (a branch starts), DELETE
(branches merge, a branch ends).
"""

from __future__ import annotations

import pytest

from tests.runtime.project import make_project, table_rev, version_rows

HISTORY = [
    table_rev("a1", None),
    table_rev("b1", "a1"),
    table_rev("c1", "a1", branch_labels=["feature"]),
    table_rev("c2", "c1"),
    table_rev("d1", ("b1", "c2"), message="merge"),
    table_rev("e1", "d1"),
    table_rev("x1", None, branch_labels=["other"], depends_on=["b1"]),
    table_rev("x2", "x1"),
]

SEQUENCES = {
    "linear": [
        ("upgrade", "b1"),
        ("upgrade", "heads"),
        ("downgrade", "d1"),
        ("downgrade", "feature@c1"),
        ("downgrade", "base"),
    ],
    "branches": [
        ("upgrade", "feature@head"),
        ("upgrade", "other@head"),
        ("upgrade", "e1"),
        ("downgrade", "other@base"),
        ("downgrade", "-1"),
        ("upgrade", "+1"),
    ],
    "stamps": [
        ("stamp", "c2"),
        ("stamp", ("b1", "x1")),
        ("stamp", "heads"),
        ("stamp", "b1"),
        ("stamp", "base"),
    ],
}


def _run(tool: str, project, verb: str, target) -> None:
    if tool == "ours":
        from engine import commands

        getattr(commands, verb)(project.config(), target)
    else:
        from alembic import command

        getattr(command, verb)(project.alembic_config(), target)


def _reset(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
    engine.dispose()


@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_version_rows_match_alembic(tmp_path, db_url, sequence):
    project = make_project(tmp_path / "p", db_url, HISTORY)
    seen: dict[str, list] = {}
    for tool in ("alembic", "ours"):
        _reset(db_url)
        rows = []
        for verb, target in SEQUENCES[sequence]:
            _run(tool, project, verb, target)
            from tests.runtime.project import table_names

            tables = sorted(t for t in table_names(db_url) if t.startswith("t_"))
            rows.append((verb, target, sorted(version_rows(db_url)), tables))
        seen[tool] = rows
    assert seen["ours"] == seen["alembic"]
