"""How fast ``tui-migrate`` opens in a real terminal, from its spawn to its first full screen.

    python tests/tui/bench_pty.py --ini PATH [--cmd tui-migrate] [--runs 1] [--json]

Starts the real command (``tui-migrate -c PATH``, no subcommand: the app) in an
80x24 pseudo-terminal, as a user's shell would, and reads what it writes to
the terminal. The first full screen is there when the newest head's row of the
revision graph is drawn: its id (8 characters at 80 columns) is written only
once the scripts are read and laid out, in the same frame as the rest of the
screen. The time counts from just before the spawn, so it includes Python's
start, every import and the terminal driver's output. Then ``q`` quits the app.

Prints seconds per run, or with ``--json`` one JSON object per run:
``from_spawn`` and ``first_screen_at`` (epoch time). The benchmark suite
(tests/benchmarks/tui_bench.py: tui-open-10k-tty) runs this file that way.
POSIX only (pty, termios).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

COLUMNS, LINES = 80, 24
ID_WIDTH = 8  # what the graph shows of an id under 100 columns


class TerminalRun(NamedTuple):
    seconds: float  # from the spawn until the marker was on the screen
    seen_at: float  # the epoch time it was
    exit_code: int
    output: bytes  # everything written to the terminal


def newest_head(ini: Path) -> str:
    """The head drawn on the graph's first row (the app's display order, newest first)."""
    from engine import commands
    from engine.config import Config
    from tui_migrate.tui_model import display_order

    rmap = commands.script_directory(Config(str(ini))).revision_map
    return display_order(rmap)[0].revision


def run_in_terminal(
    argv: list[str],
    cwd: Path,
    marker: bytes,
    timeout: float = 30.0,
    quit_when: Callable[[], bool] | None = None,
    steps: Sequence[tuple[bytes, bytes]] = (),
) -> TerminalRun:
    """Run ``argv`` in an 80x24 pseudo-terminal until ``marker`` is on the screen (and
    ``quit_when()`` is true, when given), then press ``q``; kill it if it does not end.

    ``steps``: after the marker, (keys to type, what to wait for on the screen after
    them), in order, before ``q``. Raises ``RuntimeError`` when something awaited
    never shows (with what was written).
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    # the terminal's own size; the project's configuration as written (no URL override)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("COLUMNS", "LINES", "ALEMBIC_CONFIG") and not k.startswith("TUI_MIGRATE_URL")
    }
    env.setdefault("TERM", "xterm-256color")
    started = time.perf_counter()
    child = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=env,
        start_new_session=True,  # the pty becomes its controlling terminal
    )
    os.close(slave)
    seen: float | None = None
    seen_at = 0.0
    output = bytearray()
    quitting = False
    todo = list(steps)
    awaited, since = marker, 0  # what the screen must show next, in output[since:]
    try:
        while time.perf_counter() - started < timeout and child.poll() is None:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:  # the child closed the terminal
                    break
                output += chunk
            if awaited and awaited in output[since:]:
                if seen is None:
                    seen, seen_at = time.perf_counter() - started, time.time()
                awaited = b""
                if todo:
                    keys, awaited = todo.pop(0)
                    since = len(output)
                    os.write(master, keys)
            if not awaited and not quitting and (quit_when is None or quit_when()):
                os.write(master, b"q")
                quitting = True
        if awaited:
            text = bytes(output[-2000:]).decode("utf-8", "replace")
            raise RuntimeError(
                f"{awaited!r} not on screen within {timeout:g} s (exit code {child.poll()}); "
                f"the terminal's last output: {text!r}"
            )
        assert seen is not None
        code = child.wait(timeout=15)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    return TerminalRun(seen, seen_at, code, bytes(output))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ini", required=True, help="the project's alembic.ini")
    default_cmd = shutil.which("tui-migrate", path=str(Path(sys.executable).parent))
    parser.add_argument("--cmd", default=default_cmd or "tui-migrate")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    ini = Path(options.ini).resolve()
    marker = newest_head(ini)[:ID_WIDTH].encode()
    for _ in range(options.runs):
        run = run_in_terminal([options.cmd, "-c", str(ini)], ini.parent, marker, options.timeout)
        seconds, at = run.seconds, run.seen_at
        if options.json:
            print(json.dumps({"from_spawn": seconds, "first_screen_at": at}), flush=True)
        else:
            print(f"{ini.parent.name}: first full screen {seconds:.3f} s from spawn", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
