"""Helpers for the TUI tests: demo projects on real databases, waiting for workers."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.config import Config
from tui_migrate.demo import create_demo_project

FAILING_REV = "f0f0f0f0f0f0"


def demo_project(directory: Path, url: str) -> Config:
    """The demo project in ``directory`` with ``sqlalchemy.url = url``."""
    create_demo_project(str(directory))
    ini = directory / "alembic.ini"
    text = ini.read_text(encoding="utf-8")
    text = re.sub(
        r"^sqlalchemy\.url = .*$", "sqlalchemy.url = " + url.replace("%", "%%"), text, flags=re.M
    )
    ini.write_text(text, encoding="utf-8")
    return Config(str(ini))


def add_failing_revision(directory: Path, parent: str) -> str:
    """A revision on ``parent`` whose upgrade fails on its second statement."""
    versions = directory / "migrations" / "versions"
    (versions / f"{FAILING_REV}_broken.py").write_text(
        f'''"""broken step

Revision ID: {FAILING_REV}
Revises: {parent}
Create Date: 2024-01-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "{FAILING_REV}"
down_revision = "{parent}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("broken_ok", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO no_such_table VALUES (1)")


def downgrade():
    op.drop_table("broken_ok")
''',
        encoding="utf-8",
    )
    return FAILING_REV


async def wait_for(pilot: Any, condition: Callable[[], Any], timeout: float = 15.0) -> None:
    """Let the app run until ``condition()`` is true (workers finish in threads)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await pilot.pause(0.05)


async def wait_ready(pilot: Any, online: bool = True) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.view is not None and not app.db.loading)
    if online:
        assert app.db.online, app.db.error
    await pilot.pause()


def screen_text(app: Any) -> str:
    """The screen as lines of text (rebuilt from the SVG export), for assertions."""
    import html
    from collections import defaultdict

    svg = app.export_screenshot()
    rows: dict[float, list[tuple[float, str]]] = defaultdict(list)
    pattern = r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>'
    for m in re.finditer(pattern, svg):
        rows[float(m.group(2))].append((float(m.group(1)), html.unescape(m.group(3))))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            col = round(x / 12.2)
            line = line.ljust(col)[:col] + text + line[col + len(text) :]
        lines.append(line.replace("\xa0", " ").rstrip())
    return "\n".join(lines)


def version_rows(url: str) -> set[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return set()
            return {r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


BROKEN_DOWN_REV = "d0d0d0d0d0d0"


def add_broken_downgrade_revision(directory: Path, parent: str) -> str:
    """A revision on ``parent`` whose downgrade fails on its second statement, after
    dropping a table (which MariaDB cannot roll back)."""
    versions = directory / "migrations" / "versions"
    (versions / f"{BROKEN_DOWN_REV}_one_way.py").write_text(
        f'''"""two tables, broken downgrade

Revision ID: {BROKEN_DOWN_REV}
Revises: {parent}
Create Date: 2024-01-02 00:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "{BROKEN_DOWN_REV}"
down_revision = "{parent}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("keep_a", sa.Column("id", sa.Integer, primary_key=True))
    op.create_table("keep_b", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("keep_b")
    op.execute("DROP TABLE no_such_table")
    op.drop_table("keep_a")
''',
        encoding="utf-8",
    )
    return BROKEN_DOWN_REV
