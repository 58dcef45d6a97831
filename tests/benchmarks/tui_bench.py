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
* ``tui-cursor-10k``: the app's side of one cursor move (``down``) over 200 moves
  on the same project, in ms: wall time per move through Pilot minus Pilot's own
  cost per key (a key the app does not bind, on the same app), with the preview
  held off as a held key holds it off (it follows once the cursor rests for
  80 ms; a key repeats every ~33 ms); target <= 16 ms (one frame at 60 Hz). The
  table also shows main-thread CPU, and the same with the preview following every
  move (Pilot presses slower than a key repeats), for information.

The headless ones run tests/tui/bench_open.py as the child (``--json``), the tty
one tests/tui/bench_pty.py; one warm-up first (it writes the bytecode and header
caches, as a user's first start does), then ``reps`` timed runs for the opening
and fewer for the cursor (each cursor run already averages 200 moves and takes
~40 s: Pilot waits ~60 ms after every key).
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
    only = (data["only_wall"] - data["pilot_wall"]) * ms
    return only, {
        "CPU": (data["only_cpu"] - data["pilot_cpu"]) * ms,
        "with the preview following": (data["move_wall"] - data["pilot_wall"]) * ms,
        "its CPU": (data["move_cpu"] - data["pilot_cpu"]) * ms,
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
        "app side per move, held key",
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
    print("tui-cursor: Pilot ms/key minus an unbound key's, a held key (the preview waits for")
    print("            the cursor to rest); with the preview following each move: information")
