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
* the cursor (``--moves`` > 0): ``down`` handed to the app as the terminal driver
  hands it a key (``driver.send_message``, not Pilot: Pilot's ``press`` waits for
  the process to look idle in 20 ms steps, so its time per key counts those steps,
  not the app), ``--moves`` times on a fixed schedule. Two runs:

  - a held key: a move every 1/30 s (a terminal's key repeat); the preview, which
    follows once the cursor rests for 80 ms, does not, as with a real held key;
  - the preview following: a move every 0.1 s, so the preview follows every move.

  For each run: the main thread's CPU time per move (the whole run's, minus what
  the same schedule costs with no key: this script's own loop), and per move the
  time from the key's hand-over to the end of the repaint that shows it, by the
  app's clock (``perf_counter``) and in main-thread CPU. Headless, Textual renders
  the update but does not encode it for a terminal: the probe does that in its
  place (``render_segments``, what the terminal driver's path does on the main
  thread), inside the measured time. Writing the bytes (the driver's writer
  thread) is not included.

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
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

START = time.perf_counter()

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.projects import ProjectSpec  # noqa: E402

HELD_EVERY = 1 / 30  # seconds between the moves of a held key (a key repeat: ~30/s)
RESTING_EVERY = 0.1  # ... between moves the preview follows (it waits 80 ms of rest)
SHOWN_TIMEOUT = 10.0  # seconds the last move may take to reach the screen


class KeyToScreen:
    """Keys handed to the app, and when the repaint that shows each move is written.

    ``press`` hands ``down`` over and records (the cursor row the move reaches, the
    perf_counter and main-thread CPU time then); a hook on ``App._display`` (where
    every screen update ends) encodes the update for a terminal, as the real driver
    path does, and closes every pending move the cursor has reached.
    """

    def __init__(self, app: Any) -> None:
        from textual._compositor import CompositorUpdate

        self.app = app
        self.pending: list[tuple[int, float, float]] = []
        self.spans: list[tuple[float, float]] = []  # per move: (wall, main-thread CPU), s
        self.target = app.graph.cursor
        display = app._display

        def display_and_encode(screen: Any, update: Any) -> None:
            display(screen, update)
            if isinstance(update, CompositorUpdate):
                update.render_segments(app.console)  # headless Textual skips this
            if self.pending:
                cursor = app.graph.cursor
                wall, cpu = time.perf_counter(), time.thread_time()
                while self.pending and self.pending[0][0] <= cursor:
                    _, at, cpu_at = self.pending.pop(0)
                    self.spans.append((wall - at, cpu - cpu_at))

        app._display = display_and_encode

    def press(self) -> None:
        from textual import events

        self.target += 1
        key = events.Key("down", None)
        key.set_sender(self.app)
        self.pending.append((self.target, time.perf_counter(), time.thread_time()))
        self.app._driver.send_message(key)  # what the terminal driver's input thread does

    async def run(self, count: int, every: float, keys: bool = True) -> float:
        """``count`` moves, one every ``every`` s (none: ``keys`` False); main-thread CPU s."""
        cpu, start = time.thread_time(), time.perf_counter()
        for i in range(count):
            await asyncio.sleep(max(0.0, start + i * every - time.perf_counter()))
            if keys:
                self.press()
        await asyncio.sleep(max(0.0, start + count * every - time.perf_counter()))
        waited = time.perf_counter()
        while self.pending and time.perf_counter() - waited < SHOWN_TIMEOUT:
            await asyncio.sleep(0.005)
        if self.pending:
            raise RuntimeError(f"{len(self.pending)} moves never reached the screen")
        return time.thread_time() - cpu


async def measure(ini: Path, moves: int) -> dict[str, float]:
    from engine.config import Config
    from tui_migrate.app import MigrateApp

    app = MigrateApp(Config(str(ini)))
    async with app.run_test(size=(80, 24)):
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
        probe = KeyToScreen(app)
        settle = 0.5  # s before each run: the last preview, its SQL (a worker) are done
        # The probe's own loop on the held key's schedule, no key: subtracted per move.
        await asyncio.sleep(settle)
        idle = await probe.run(moves, HELD_EVERY, keys=False) / moves
        # First the preview following (from the top: the first ~20 moves do not
        # scroll), then the held key from row `moves` on (every move scrolls).
        await asyncio.sleep(settle)
        follow = await probe.run(moves, RESTING_EVERY) / moves - idle
        follow_spans, probe.spans = probe.spans, []
        await asyncio.sleep(settle)
        held = await probe.run(moves, HELD_EVERY) / moves - idle
        held_spans = probe.spans
        assert app.graph.cursor == 2 * moves, app.graph.cursor
        assert app.graph.selected == app.view.layout.rows[app.view.node_rows[2 * moves]].node_id
    walls = sorted(wall for wall, _ in held_spans)
    return {
        **opening,
        "held_cpu": held,  # main-thread CPU per move, s
        "held_to_screen": statistics.median(walls),  # key to screen, median, s
        "held_to_screen_p95": walls[min(len(walls) - 1, round(0.95 * len(walls)))],
        "held_to_screen_max": walls[-1],
        "held_to_screen_cpu": statistics.median(c for _, c in held_spans),
        "follow_cpu": follow,
        "follow_to_screen": statistics.median(w for w, _ in follow_spans),
        "idle_cpu": idle,
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
    print(
        f"{key}: first screen {r['first_screen']:.2f} s "
        f"(from process start {r['from_process_start']:.2f} s)"
    )
    if options.moves > 0:
        print(
            f"held key, {options.moves} moves at 30/s: main-thread CPU "
            f"{r['held_cpu'] * ms:.2f} ms/move; key to screen median "
            f"{r['held_to_screen'] * ms:.2f} ms (CPU {r['held_to_screen_cpu'] * ms:.2f} ms), "
            f"95th percentile {r['held_to_screen_p95'] * ms:.2f} ms, "
            f"slowest {r['held_to_screen_max'] * ms:.2f} ms\n"
            f"preview following, a move every {RESTING_EVERY:g} s: main-thread CPU "
            f"{r['follow_cpu'] * ms:.2f} ms/move; key to screen median "
            f"{r['follow_to_screen'] * ms:.2f} ms\n"
            f"(this script's own loop: {r['idle_cpu'] * ms:.3f} ms CPU per move, subtracted)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
