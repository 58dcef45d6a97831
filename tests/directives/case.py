"""What one corpus case is: a version script (plus an optional setup revision
before it), the dialects it applies to, and checks by reflection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.directives.project import Revision
from tests.directives.reflect import DB

SQLITE, PG, MARIA = "sqlite", "postgresql", "mariadb"
ALL = frozenset({SQLITE, PG, MARIA})
SERVERS = frozenset({PG, MARIA})  # real ALTER TABLE ... ADD/DROP CONSTRAINT etc.
NONE: frozenset[str] = frozenset()

SETUP_REV = "a1a1a1a1a1a1"
CASE_REV = "b2b2b2b2b2b2"

# The setup most cases start from: two small tables with rows, no constraints
# beyond primary keys, so each case adds exactly what it tests.
PARENT_CHILD = """
op.create_table(
    "parent",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50)),
)
op.create_table(
    "child",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("parent_id", sa.Integer),
    sa.Column("name", sa.String(50)),
    sa.Column("code", sa.String(20)),
)
op.execute("INSERT INTO parent (id, name) VALUES (1, 'p1'), (2, 'p2')")
op.execute(
    "INSERT INTO child (id, parent_id, name, code) VALUES (1, 1, 'a', '10'), (2, 2, 'b', '20')"
)
"""
PARENT_CHILD_DOWN = """
op.drop_table("child")
op.drop_table("parent")
"""

Check = Callable[[DB], None]


@dataclass(frozen=True)
class Case:
    id: str
    upgrade: str
    downgrade: str
    check_up: Check
    dialects: frozenset[str] = ALL
    setup: str | None = PARENT_CHILD  # None: no setup revision
    setup_down: str = PARENT_CHILD_DOWN
    prelude: str = ""
    # After downgrading the case revision: None compares the whole reflected schema
    # (and rows, unless down_data is False) with the state before the upgrade.
    check_down: Check | None = None
    down_data: bool = True
    # Dialects whose offline (--sql) output is compared with Alembic's; None = dialects.
    offline: frozenset[str] | None = None
    env: str = "generic"

    @property
    def offline_dialects(self) -> frozenset[str]:
        return self.dialects if self.offline is None else self.offline & self.dialects

    @property
    def first_rev(self) -> str | None:
        """The revision to stand on before the case runs (None: base)."""
        return SETUP_REV if self.setup is not None else None

    def revisions(self) -> list[Revision]:
        revs = []
        if self.setup is not None:
            revs.append(Revision(SETUP_REV, None, self.setup, self.setup_down))
        revs.append(Revision(CASE_REV, self.first_rev, self.upgrade, self.downgrade, self.prelude))
        return revs
