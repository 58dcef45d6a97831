"""Regenerate ``screenshots/*.svg`` from the demo project (80x24).

    python -m tui_migrate.screenshots [OUTPUT_DIR]     # default: ./screenshots

The demo is built in a temporary directory, upgraded to ``3f2a`` on the way to
its heads (so the graph shows current, applied and pending revisions), and the
app is driven headless: the main view, the guided rollback awaiting
confirmation, the merge form and the help screen. The same scenes serve the
SVG snapshot tests (tests/tui/test_snapshots.py).
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

SIZE = (80, 24)
DB_AT = "77ab4c2d6e34"  # the demo database is here: some applied, some pending


def prepare_demo(directory: str, url: str = "sqlite:///demo.db") -> Any:
    """The demo project in ``directory``, upgraded to ``DB_AT``; returns its Config.

    The default URL is relative: run from ``directory`` (screens then show no
    temporary path, so snapshots are stable).
    """
    from engine import commands
    from engine.config import Config
    from tui_migrate.demo import create_demo_project

    create_demo_project(directory)
    ini = os.path.join(directory, "alembic.ini")
    with open(ini, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"^sqlalchemy\.url = .*$", "sqlalchemy.url = " + url, text, flags=re.M)
    with open(ini, "w", encoding="utf-8") as f:
        f.write(text)
    config = Config(ini)
    commands.upgrade(config, DB_AT)
    return Config(ini)


async def wait_until(pilot: Any, condition: Callable[[], Any], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        await pilot.pause(0.05)


async def settle(pilot: Any) -> None:
    """Wait until the selected revision's offline SQL is in the preview."""
    app = pilot.app
    rev = app.graph.selected
    await wait_until(pilot, lambda: all((rev, up) in app.sql_cache for up in (True, False)))
    await pilot.pause(0.05)


async def main_view(pilot: Any) -> None:
    """Ready, on revision 3f2a, Upgrade SQL tab shown, the log emptied (no clock)."""
    app = pilot.app
    await wait_until(pilot, lambda: app.view is not None and not app.db.loading)
    app.graph.select("5d7e1a3b9c23")
    await pilot.press("2")
    await wait_until(pilot, lambda: "CREATE TABLE posts" in app.preview.texts.get("up", ""))
    app.log_pane.clear()
    await pilot.pause(0.1)


async def rollback_view(pilot: Any) -> None:
    """The guided rollback to 1b0c awaiting confirmation (destructive: id to type)."""
    app = pilot.app
    await main_view(pilot)
    app.graph.select("1b0c5e2a7d01")
    await settle(pilot)
    await pilot.press("d")
    await wait_until(pilot, lambda: type(app.screen).__name__ == "PlanScreen")
    await wait_until(pilot, lambda: not app.screen.checking)
    await pilot.pause(0.1)


async def merge_view(pilot: Any) -> None:
    app = pilot.app
    await main_view(pilot)
    await pilot.press("g", "space", "j", "space")
    await settle(pilot)
    await pilot.press("m")
    await wait_until(pilot, lambda: type(app.screen).__name__ == "MergeScreen")
    await pilot.press(*"merge flags into main")
    await pilot.pause(0.1)


async def help_view(pilot: Any) -> None:
    app = pilot.app
    await main_view(pilot)
    await pilot.press("question_mark")
    await wait_until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
    await pilot.pause(0.1)


SCENES: dict[str, Callable[[Any], Awaitable[None]]] = {
    "main": main_view,
    "rollback": rollback_view,
    "merge": merge_view,
    "help": help_view,
}


async def _capture(
    config: Any, scene: Callable[[Any], Awaitable[None]], size: tuple[int, int]
) -> str:
    from tui_migrate.app import MigrateApp

    app = MigrateApp(config)
    async with app.run_test(size=size) as pilot:
        await scene(pilot)
        return app.export_screenshot(title="tui-migrate")


def write_screenshots(output: str, size: tuple[int, int] = SIZE) -> list[str]:
    output = os.path.abspath(output)
    os.makedirs(output, exist_ok=True)
    written = []
    here = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="tui-migrate-shots-") as tmp:
        project = os.path.join(tmp, "demo")
        os.chdir(tmp)
        try:
            os.makedirs(project)
            os.chdir(project)
            config = prepare_demo(project)
            for name, scene in SCENES.items():
                svg = asyncio.run(_capture(config, scene, size))
                path = os.path.join(output, f"{name}.svg")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(svg)
                written.append(path)
        finally:
            os.chdir(here)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in write_screenshots(args[0] if args else "screenshots"):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
