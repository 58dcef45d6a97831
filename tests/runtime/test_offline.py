"""Offline SQL (``--sql``) for whole histories: ours vs Alembic, text for text.

The directive-level comparisons live in tests/directives; these check the
frame: BEGIN/COMMIT placement, the version table's CREATE/INSERT/UPDATE/
DELETE/DROP, ``-- Running`` comments, ranges and ``--tag``.
"""

from __future__ import annotations

import pytest

from tests.runtime.project import Rev, make_project, normalize_sql, table_rev

URLS = {
    "postgresql": "postgresql://scott:tiger@localhost/test",
    "mysql": "mysql+pymysql://scott:tiger@localhost/test",
    "sqlite": "sqlite:///offline.db",
}

HISTORY = [
    table_rev("a1", None),
    table_rev("b1", "a1"),
    table_rev("c1", "a1", branch_labels=["feature"]),
    table_rev("d1", ("b1", "c1"), message="merge"),
    Rev(
        "e1",
        "d1",
        upgrade='op.execute("UPDATE t_a1 SET id = id + 1")',
        downgrade='op.execute("UPDATE t_a1 SET id = id - 1")',
    ),
]

CASES = [
    ("upgrade", ("heads",), {}),
    ("upgrade", ("b1",), {}),
    ("upgrade", ("a1:d1",), {}),
    ("upgrade", ("b1:heads",), {"tag": "release-1"}),
    ("downgrade", ("e1:base",), {}),
    ("downgrade", ("d1:a1",), {}),
    ("downgrade", ("e1:feature@base",), {}),
    ("stamp", ("heads",), {}),
    ("stamp", ("b1:c1",), {}),
    ("ensure_version", (), {}),
]


@pytest.mark.parametrize("dialect", sorted(URLS))
@pytest.mark.parametrize(
    ("command", "args", "kw"), CASES, ids=[f"{c}-{'-'.join(a)}" for c, a, _ in CASES]
)
def test_offline_sql_matches_alembic(tmp_path, dialect, command, args, kw):
    project = make_project(tmp_path / "p", URLS[dialect], HISTORY)
    theirs = project.offline("alembic", command, *args, **kw)
    ours = project.offline("ours", command, *args, **kw)
    assert _blocks(ours) == _blocks(theirs)


def _blocks(sql: str) -> list[list[str]]:
    """Statements grouped by step; version-table changes as the rows they leave.

    Unmerging (downgrading through d1) turns one version row into two. Which
    parent Alembic UPDATEs and which it INSERTs follows the iteration order of
    a Python set, which changes with hash randomisation; the resulting rows
    are the same. So within one step the version-table statements are compared
    by their net effect (rows added, rows removed) and the other statements as
    a sorted list; the steps must come in the same order.
    """
    import re

    blocks: list[list[str]] = [[]]
    added: list[set[str]] = [set()]
    removed: list[set[str]] = [set()]
    for stmt in normalize_sql(sql).split(";"):
        stmt = " ".join(stmt.split())
        if stmt.startswith("-- Running"):
            blocks.append([])
            added.append(set())
            removed.append(set())
        if m := re.match(
            r"INSERT INTO \S*alembic_version \(version_num\) VALUES \('(\w+)'\)", stmt
        ):
            added[-1].add(m.group(1))
        elif m := re.match(
            r"UPDATE \S*alembic_version SET version_num='(\w+)' WHERE .* = '(\w+)'", stmt
        ):
            added[-1].add(m.group(1))
            removed[-1].add(m.group(2))
        else:
            blocks[-1].append(stmt)
    return [sorted(b) + [f"+{sorted(a)} -{sorted(r)}"] for b, a, r in zip(blocks, added, removed)]
