"""Opening the app: panes at 80x24 and 120x40, navigation, offline mode, help, filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.helpers import demo_project, run, screen_text, wait_for, wait_ready
from tui_migrate.app import MigrateApp

DEMO_NEWEST = "c2e4a6b8d067"
DEMO_BASE = "1b0c5e2a7d01"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_opens_with_all_panes(tmp_path: Path, sqlite_url: str, size: tuple[int, int]) -> None:
    config = demo_project(tmp_path / "demo", sqlite_url)

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=size) as pilot:
            await wait_ready(pilot)
            text = screen_text(app)
            for pane in ("Revisions", "Database", "Preview", "Log"):
                assert pane in text
            assert "DB at base" in text and "7 pending" in text
            assert "○" in text  # pending revisions, by symbol
            assert app.graph.selected == DEMO_NEWEST
            assert app.has_class("narrow") == (size[0] < 100)
            assert "Upgrade SQL" in text if size[0] >= 100 else "Up SQL" in text
            assert app.first_screen_seconds is not None

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_navigation_and_preview(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    config = demo_project(tmp_path / "demo", request.getfixturevalue(db))

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await pilot.press("G")
            assert app.graph.selected == DEMO_BASE
            await pilot.press("k")
            assert app.graph.selected == "3f2a9c4e8b12"
            await pilot.press("up", "up")
            assert app.graph.selected == "5d7e1a3b9c23"  # the connector row is skipped
            await pilot.press("g")
            assert app.graph.selected == DEMO_NEWEST
            await pilot.press("j", "down")
            assert app.graph.selected == "9c1e6f8a2b45"
            await wait_for(pilot, lambda: "merge point" in app.preview.texts.get("info", ""))
            info = app.preview.texts["info"]
            for field in ("Revision", "Message", "Parents", "Children", "Date", "Path"):
                assert field in info
            assert "5d7e1a3b9c23, 77ab4c2d6e34" in info  # the merge's parents
            await pilot.press("k", "k")
            await wait_for(pilot, lambda: "Labels     flags" in app.preview.texts.get("info", ""))
            assert "Depends on content (→ 5d7e1a3b9c23)" in app.preview.texts["info"]
            await pilot.press("G")
            await wait_for(pilot, lambda: "CREATE TABLE users" in app.preview.texts.get("up", ""))
            # offline SQL in the database's dialect
            assert ("SERIAL" in app.preview.texts["up"]) == (db == "pg_db")
            await wait_for(pilot, lambda: "DROP TABLE users" in app.preview.texts.get("down", ""))
            await pilot.press("4")
            assert app.preview.active == "source"
            await wait_for(pilot, lambda: "def downgrade" in app.preview.texts.get("source", ""))
            await pilot.press("1")
            assert app.preview.active == "info"
            # tab moves the focus to the next pane
            await pilot.press("tab")
            assert app.focused is not app.graph

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_filter(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    config = demo_project(tmp_path / "demo", request.getfixturevalue(db))

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await pilot.press("slash", *"audit", "enter")
            await wait_for(pilot, lambda: app.view.filter_text == "audit")
            ids = [app.view.layout.rows[i].node_id for i in app.view.node_rows]
            assert ids == ["9c1e6f8a2b45", "77ab4c2d6e34"]
            assert app.focused is app.graph
            await pilot.press("escape")
            assert len(app.view.node_rows) == 7

    run(scenario())


def test_offline_never_shows_the_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://u:secret@127.0.0.1:1/x"
    config = demo_project(tmp_path / "demo", url)

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot, online=False)
            text = screen_text(app)
            assert "OFFLINE" in text
            assert "secret" not in text
            assert "u:***@127.0.0.1" in text
            assert "◌" in text  # state unknown, by symbol
            assert any("connect OFFLINE" in line for line in app.log_pane.plain_lines)
            # the graph, the sources and offline previews (PostgreSQL's dialect) still work
            await pilot.press("G")
            await wait_for(pilot, lambda: "CREATE TABLE users" in app.preview.texts.get("up", ""))
            assert "id SERIAL NOT NULL" in app.preview.texts["up"]
            assert "def upgrade" in app.preview.texts["source"]
            # database actions are refused with a hint
            await pilot.press("u")
            assert app.screen is app.screen_stack[0]
            # retry
            await pilot.press("r")
            await wait_ready(pilot, online=False)
            assert "secret" not in screen_text(app)
            assert all("secret" not in line for line in app.log_pane.plain_lines)
            assert all("secret" not in t for t in app.preview.texts.values())

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_help_and_palette(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    config = demo_project(tmp_path / "demo", request.getfixturevalue(db))

    async def scenario() -> None:
        from textual.command import CommandPalette

        from tui_migrate.screens.help import HelpScreen

        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            assert "guided rollback" in screen_text(app)
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)
            await pilot.press("colon")
            await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press(*"upgrade to all")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "PlanScreen")

    run(scenario())


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_quit(tmp_path: Path, db: str, request: pytest.FixtureRequest) -> None:
    config = demo_project(tmp_path / "demo", request.getfixturevalue(db))

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 0

    run(scenario())


def test_the_layout_follows_a_resize_across_100_columns(tmp_path: Path, sqlite_url: str) -> None:
    config = demo_project(tmp_path / "demo", sqlite_url)

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_ready(pilot)
            assert not app.has_class("narrow") and app.graph.id_width == 12
            assert "Downgrade SQL" in screen_text(app)
            assert f"{DEMO_NEWEST} (head)" in screen_text(app)  # the graph's first row
            await pilot.resize_terminal(80, 24)
            await wait_for(pilot, lambda: app.has_class("narrow"))
            await pilot.pause()
            text = screen_text(app)
            assert app.graph.id_width == 8
            assert "Down SQL" in text and "Downgrade SQL" not in text
            assert f"{DEMO_NEWEST[:8]} (head)" in text
            await pilot.resize_terminal(100, 30)
            await wait_for(pilot, lambda: not app.has_class("narrow"))
            await pilot.pause()
            assert "Downgrade SQL" in screen_text(app)
            assert f"{DEMO_NEWEST} (head)" in screen_text(app)

    run(scenario())
