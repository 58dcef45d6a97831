"""How fast the TUI opens on a big project, and how fast the cursor moves.

    python tests/tui/bench_open.py [--size 10000] [--kind linear] [--root DIR]

Builds the project with tests/benchmarks/projects.py (once; cached in --root),
then opens the app headless at 80x24 and reports:

* ``first_screen``: from the app's start until the revision graph is on screen
  (the scripts read, laid out, drawn) — the budget is 1.5 s for 10,000 revisions;
* ``from_process_start``: the same, counted from interpreter start (imports included);
* ``cursor``: the mean time per cursor move over 500 presses of ``j`` (a held key),
  next to what ``Pilot.press`` costs on an idle app (the harness, not the app).

The benchmark projects' env.py refuses to run, so the app is offline here.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.projects import ProjectSpec  # noqa: E402


async def pilot_overhead(moves: int = 200) -> float:
    """Seconds per ``pilot.press`` on an app that does nothing with the key."""
    from textual.app import App
    from textual.widgets import Static

    class Idle(App[None]):
        def compose(self):  # noqa: ANN202
            yield Static("idle")

    async with Idle().run_test(size=(80, 24)) as pilot:
        t0 = time.perf_counter()
        for _ in range(moves):
            await pilot.press("j")
        return (time.perf_counter() - t0) / moves


async def measure(ini: Path) -> dict[str, float]:
    from engine.config import Config
    from tui_migrate.app import MigrateApp

    app = MigrateApp(Config(str(ini)))
    async with app.run_test(size=(80, 24)) as pilot:
        while app.first_screen_seconds is None:
            await pilot.pause(0.01)
        first = app.first_screen_seconds
        since_start = time.perf_counter() - START
        moves = 500
        t0 = time.perf_counter()
        for _ in range(moves):
            await pilot.press("j")
        cursor = (time.perf_counter() - t0) / moves
        assert app.graph.cursor == moves, app.graph.cursor
    return {"first_screen": first, "from_process_start": since_start, "cursor": cursor}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--kind", default="linear", choices=["linear", "branchy"])
    parser.add_argument("--root", default=str(Path(tempfile.gettempdir()) / "tui-migrate-bench"))
    options = parser.parse_args()
    root = Path(options.root)
    spec = ProjectSpec(options.kind, options.size)
    project = root / spec.key
    if not (project / "alembic.ini").is_file():
        print(f"building {spec.key} in {root} (once)…", file=sys.stderr)
        spec.build(root)
    result = asyncio.run(measure(project / "alembic.ini"))
    overhead = asyncio.run(pilot_overhead())
    print(
        f"{spec.key}: first screen {result['first_screen']:.2f} s "
        f"(from process start {result['from_process_start']:.2f} s), "
        f"cursor {result['cursor'] * 1000:.1f} ms/move through Pilot "
        f"(Pilot's own cost on an idle app: {overhead * 1000:.1f} ms/press)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
