"""How fast the TUI opens on a big project, and how fast the cursor moves.

    python tests/tui/bench_open.py [--size 10000] [--kind linear] [--moves 200] [--root DIR]
                                   [--ini PATH] [--json]

Builds the project with tests/benchmarks/projects.py (once; cached in --root), or
takes the project of ``--ini``, then opens the app headless at 80x24 and reports:

* ``first_screen``: from the app's start until the revision graph is on screen
  (the scripts read, laid out, drawn) — the budget is 1.5 s for 10,000 revisions;
* ``from_process_start``: the same, counted from interpreter start (imports included);
* ``cpu_to_first_screen``: the CPU time of the whole process (all threads, imports
  included) until then — less at the mercy of other load on the machine;
* a held key: ``down`` pressed ``--moves`` times through Pilot as fast as it goes,
  in ms per key (wall clock), next to the same number of presses of a key the app
  does not bind (``f12``: Pilot's own cost plus key dispatch, on this same app).
  The app's side of a move is the difference, in wall-clock and in main-thread
  CPU time (the CPU number moves less with the machine's load). Pilot presses
  slower than a key repeats (it waits for every widget after each key), so the
  preview, which follows once the cursor rests for 80 ms, fires on most presses
  here; a second run holds it off (as a real key repeat at ~30/s does) to show
  the cursor move alone.

While the app opens, this script waits with plain ``asyncio.sleep``: Pilot's
``pause()`` would walk every widget and force a screen update every time it is
called, work a real terminal session does not do, and it takes the GIL from the
loading worker (measured: it made the opening look ~0.3 s slower).

``--moves 0`` measures the opening only. ``--json`` prints the numbers as one JSON
object (``first_screen_at``: the epoch time the first screen was there, for a
caller that timed the process from its spawn); the benchmark suite
(tests/benchmarks/tui_bench.py) runs this file that way.

The benchmark projects' env.py refuses to run, so the app is offline here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.projects import ProjectSpec  # noqa: E402

UNBOUND = "f12"


async def presses(pilot, key: str, count: int) -> tuple[float, float]:  # noqa: ANN001
    """Seconds per press: (wall clock, main-thread CPU)."""
    wall, cpu = time.perf_counter(), time.thread_time()
    for _ in range(count):
        await pilot.press(key)
    return (time.perf_counter() - wall) / count, (time.thread_time() - cpu) / count


async def measure(ini: Path, moves: int) -> dict[str, float]:
    from engine.config import Config
    from tui_migrate import app_panes as panes
    from tui_migrate.app import MigrateApp

    app = MigrateApp(Config(str(ini)))
    async with app.run_test(size=(80, 24)) as pilot:
        # Plain sleeps, not pilot.pause(): Pilot's pause walks every widget and forces
        # a screen update each time, work a real terminal session does not do, taken
        # from the loading worker (one GIL) while we wait.
        while app.first_screen_seconds is None:
            await asyncio.sleep(0.01)
        cpu = time.process_time()
        first = app.first_screen_seconds
        at = app.started_at + first  # perf_counter() when the first screen was there
        late = time.perf_counter() - at  # how long this loop took to notice (< 10 ms)
        opening = {
            "first_screen": first,
            "from_process_start": at - START,
            "first_screen_at": time.time() - late,
            # CPU of the whole process (every thread, imports included) until now
            "cpu_to_first_screen": cpu,
        }
        if moves <= 0:
            return opening
        await pilot.pause(0.3)  # let the first preview settle
        idle_wall, idle_cpu = await presses(pilot, UNBOUND, moves)
        move_wall, move_cpu = await presses(pilot, "down", moves)
        assert app.graph.cursor == moves, app.graph.cursor
        assert app.graph.selected == app.view.layout.rows[app.view.node_rows[moves]].node_id
        saved, panes.PREVIEW_DELAY = panes.PREVIEW_DELAY, 60.0
        try:
            only_wall, only_cpu = await presses(pilot, "down", moves)
        finally:
            panes.PREVIEW_DELAY = saved
        assert app.graph.cursor == 2 * moves
    return {
        **opening,
        "move_wall": move_wall,
        "move_cpu": move_cpu,
        "only_wall": only_wall,
        "only_cpu": only_cpu,
        "pilot_wall": idle_wall,
        "pilot_cpu": idle_cpu,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--kind", default="linear", choices=["linear", "branchy"])
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--root", default=str(Path(tempfile.gettempdir()) / "tui-migrate-bench"))
    parser.add_argument("--ini", help="open this project (alembic.ini) instead of building one")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    options = parser.parse_args()
    if options.ini:
        ini, key = Path(options.ini), Path(options.ini).parent.name
    else:
        root = Path(options.root)
        spec = ProjectSpec(options.kind, options.size)
        key = spec.key
        project = root / spec.key
        if not (project / "alembic.ini").is_file():
            print(f"building {spec.key} in {root} (once)…", file=sys.stderr)
            spec.build(root)
        ini = project / "alembic.ini"
    r = asyncio.run(measure(ini, options.moves))
    if options.json:
        print(json.dumps(r))
        return 0
    ms = 1000
    if options.moves <= 0:
        print(
            f"{key}: first screen {r['first_screen']:.2f} s "
            f"(from process start {r['from_process_start']:.2f} s)"
        )
        return 0
    print(
        f"{key}: first screen {r['first_screen']:.2f} s "
        f"(from process start {r['from_process_start']:.2f} s)\n"
        f"held key, {options.moves} x down through Pilot: {r['move_wall'] * ms:.1f} ms/key "
        f"(main-thread CPU {r['move_cpu'] * ms:.1f} ms); "
        f"{UNBOUND} (unbound): {r['pilot_wall'] * ms:.1f} ms/key "
        f"(CPU {r['pilot_cpu'] * ms:.1f} ms)\n"
        f"app side of a move, preview following: "
        f"{(r['move_wall'] - r['pilot_wall']) * ms:.1f} ms wall, "
        f"{(r['move_cpu'] - r['pilot_cpu']) * ms:.1f} ms CPU\n"
        f"app side of a move, cursor only ({r['only_wall'] * ms:.1f} ms/key): "
        f"{(r['only_wall'] - r['pilot_wall']) * ms:.1f} ms wall, "
        f"{(r['only_cpu'] - r['pilot_cpu']) * ms:.1f} ms CPU"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
