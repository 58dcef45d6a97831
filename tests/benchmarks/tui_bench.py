"""TUI speed benchmarks: absolute targets, no Alembic counterpart (Alembic has no TUI).

* ``tui-open-10k``: seconds from the spawn of a fresh child process to the app's
  first full screen (the revision graph laid out and drawn) on a 10,000-revision
  project, headless at 80x24 (``App.run_test``; Python's start and every import
  included); target <= 1.5 s. The table also shows the time from the app's start
  and the CPU time the child used until then (all threads), for information.
* ``tui-open-10k-tty``: the same for the real ``tui-migrate`` command in an 80x24
  pseudo-terminal (tests/tui/bench_pty.py): the CLI, the terminal driver and its
  output included, from spawn until the newest head's row is on the screen;
  target <= 1.5 s. POSIX only.
* ``tui-cursor-10k``: what one cursor move (``down``) costs the app on the same
  project at 80x24, in ms: the main thread's CPU time per move over 200 moves of a
  held key (a move every 1/30 s, a terminal's key repeat: the preview, which
  follows once the cursor rests for 80 ms, does not), everything the app does for
  a move included (the key's dispatch, the graph, the repaint, encoding the update
  for a terminal, the garbage collections the move's allocations bring), minus
  what the same schedule costs the child's own loop with no key (~0.2 ms).
  The moves start at row 200, so every one scrolls the graph (the dearer case).
  Target <= 16 ms (one frame at 60 Hz). CPU time, not wall time, because the
  machine is shared: another process taking a core adds wall time the app did not
  spend (the key-to-screen times below show the wall side).
  Shown for information: per move, the wall time from the key's hand-over to the
  app (as the terminal driver hands it) to the end of the repaint that shows the
  move, by the app's clock: the median, the 95th percentile and the slowest. The
  slowest is a full garbage collection (~100 ms on this heap, one in ~100 moves);
  the keys handed over late behind it then come close together, and a repaint
  within ~33 ms of the previous one waits for Textual's next refresh tick (up to
  ~17 ms more): those few moves set the 95th percentile. Also shown: the
  main-thread CPU per move when the preview follows every move (a move every
  0.1 s: the info pane's new text and its layout, in a second repaint ~80 ms
  after the move's).
  Not counted: writing the bytes to a terminal (the driver's writer thread).
  This replaced "Pilot's wall time per ``down`` minus per unbound key", which
  measured Pilot, not the app: ``pilot.press`` waits until the process looks idle
  in 20 ms steps (textual._wait.SLEEP_GRANULARITY; idle = < 1 ms of CPU in a
  step), so any key whose handling takes over ~1 ms costs one more 20 ms step than
  a key that does nothing: the difference read 15.7-18.5 ms for ~5 ms of work, and
  on one app it read 8.7, -0.5 and 40.9 ms with the step at 20, 10 and 40 ms.

The headless ones run tests/tui/bench_open.py as the child (``--json``), the tty
one tests/tui/bench_pty.py; one warm-up first (it writes the bytecode and header
caches, as a user's first start does), then ``reps`` timed runs for the opening
and fewer for the cursor (each cursor run already averages 200 moves and takes
~35 s: 200 moves at 0.1 s, 200 at 1/30 s, and the same schedule with no key).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .projects import ProjectSpec

TUI_TESTS = Path(__file__).resolve().parents[1] / "tui"
BENCH_OPEN = TUI_TESTS / "bench_open.py"
BENCH_PTY = TUI_TESTS / "bench_pty.py"


def _open_seconds(data: dict[str, float], spawned_at: float) -> tuple[float, dict[str, float]]:
    return data["first_screen_at"] - spawned_at, {
        "from the app's start": data["first_screen"],
        "process CPU": data["cpu_to_first_screen"],
    }


def _tty_seconds(data: dict[str, float], spawned_at: float) -> tuple[float, dict[str, float]]:
    return data["from_spawn"], {}


def _cursor_ms(data: dict[str, float], spawned_at: float) -> tuple[float, dict[str, float]]:
    ms = 1000.0
    return data["held_cpu"] * ms, {
        "key to screen: median": data["held_to_screen"] * ms,
        "95th pct": data["held_to_screen_p95"] * ms,
        "slowest": data["held_to_screen_max"] * ms,
        "CPU with the preview following": data["follow_cpu"] * ms,
    }


@dataclass(frozen=True)
class TuiBenchmark:
    """One measurement of the app with an absolute upper bound (``target`` in ``unit``).

    ``moves``: cursor moves per child run (0: the opening only); ``extract(data,
    spawned_at) -> (value, extras)`` turns the child's JSON into the measured value
    and extra numbers (in ``unit``) shown for information; ``runs(reps)``: how many
    timed runs.
    """

    name: str
    project: ProjectSpec
    moves: int
    target: float
    unit: str
    what: str
    extract: Callable[[dict[str, float], float], tuple[float, dict[str, float]]]
    runs: Callable[[int], int] = field(default=lambda reps: reps)
    script: Path = BENCH_OPEN  # the child: bench_open.py (headless) or bench_pty.py (tty)

    @property
    def argv(self) -> tuple[str, ...]:
        if self.script == BENCH_PTY:
            return ("bench_pty.py", "tui-migrate")
        return ("bench_open.py", "--moves", str(self.moves))

    def describe(self) -> str:
        return f"{self.what} <= {self.target:g} {self.unit}"


TUI_BENCHMARKS: list[TuiBenchmark] = [
    TuiBenchmark(
        "tui-open-10k",
        ProjectSpec("linear", 10_000),
        0,
        1.5,
        "s",
        "spawn to first screen",
        _open_seconds,
    ),
    TuiBenchmark(
        "tui-open-10k-tty",
        ProjectSpec("linear", 10_000),
        0,
        1.5,
        "s",
        "spawn to screen, real tty",
        _tty_seconds,
        script=BENCH_PTY,
    ),
    TuiBenchmark(
        "tui-cursor-10k",
        ProjectSpec("linear", 10_000),
        200,
        16.0,
        "ms",
        "app CPU per move, held key",
        _cursor_ms,
        runs=lambda reps: 1 if reps <= 3 else 3,
    ),
]


@dataclass
class TuiResult:
    bench: TuiBenchmark
    values: list[float]
    extras: list[dict[str, float]]
    problems: list[str]

    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    def extra_medians(self) -> dict[str, float]:
        keys = self.extras[0].keys() if self.extras else ()
        return {k: statistics.median(e[k] for e in self.extras) for k in keys}

    def ok(self) -> bool:
        return not self.problems and bool(self.values) and self.median() <= self.bench.target


def _child(
    bench: TuiBenchmark, moves: int, project: Path, env: dict[str, str], timeout: float
) -> tuple[dict[str, float] | None, float, str]:
    """One child run: its JSON (None on failure), its spawn time, its error text."""
    cmd = [sys.executable, str(bench.script), "--ini", str(project / "alembic.ini"), "--json"]
    if bench.script == BENCH_OPEN:
        cmd += ["--moves", str(moves)]
    spawned_at = time.time()
    try:
        done = subprocess.run(
            cmd, cwd=project, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None, spawned_at, f"timed out after {timeout:g} s"
    if done.returncode != 0:
        tail = "\n      ".join(done.stderr.strip().splitlines()[-8:]) or "(no stderr)"
        return None, spawned_at, f"exited with {done.returncode}:\n      {tail}"
    try:
        return json.loads(done.stdout.strip().splitlines()[-1]), spawned_at, ""
    except (ValueError, IndexError):
        return None, spawned_at, f"printed no JSON: {done.stdout.strip()[-300:]!r}"


def run_tui_benchmark(
    bench: TuiBenchmark, project: Path, env: dict[str, str], reps: int, timeout: float
) -> TuiResult:
    result = TuiResult(bench, [], [], [])
    if bench.script == BENCH_PTY and sys.platform == "win32":
        result.problems.append("needs a POSIX pseudo-terminal")
        print()
        return result
    data, _, error = _child(bench, 0, project, env, timeout)  # warm-up: the opening only
    if data is None:
        result.problems.append(f"warm-up {error}")
        print()
        return result
    for _ in range(bench.runs(reps)):
        data, spawned_at, error = _child(bench, bench.moves, project, env, timeout)
        if data is None:
            result.problems.append(error)
            break
        value, extras = bench.extract(data, spawned_at)
        result.values.append(value)
        result.extras.append(extras)
        print(".", end="", flush=True)
    print()
    return result


def print_tui_table(results: list[TuiResult]) -> None:
    if not results:
        return
    head = f"{'benchmark':<22} {'median':>10} {'runs':>5}  {'target (absolute)':<36} result"
    print()
    print("TUI (no Alembic counterpart: absolute targets)")
    print(head)
    print("-" * len(head))
    for r in results:
        unit = r.bench.unit
        value = f"{r.median():.3f} {unit}" if unit == "s" else f"{r.median():.1f} {unit}"
        verdict = "PASS" if r.ok() else "FAIL"
        target = r.bench.describe()
        print(f"{r.bench.name:<22} {value:>10} {len(r.values):>5}  {target:<36} {verdict}")
        extras = ", ".join(f"{k} {v:.2f} {unit}" for k, v in r.extra_medians().items())
        if extras:
            print(f"{'':<22} {extras}")
    print("tui-open: process spawn -> first full screen (Python start and imports included);")
    print("          -tty: the real tui-migrate command in an 80x24 pseudo-terminal")
    print("tui-cursor: main-thread CPU per move, a held key (30/s; the preview waits for the")
    print("            cursor to rest); key to screen: wall ms per move, from the key's hand-over")
    print("            to the repaint that shows it; the preview following each move: information")
