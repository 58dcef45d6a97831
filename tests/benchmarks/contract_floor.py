"""How fast ``upgrade --sql`` could be while keeping Alembic's API contract.

Whatever a compatible tool does, it starts Python, imports SQLAlchemy, runs
env.py, loads every version file, runs each ``upgrade()`` body (which builds the
script's own ``sa.Column`` and constraint objects) and logs each step; and
``op.create_table()`` must return a real ``Table``, with stub tables for its
foreign keys' referents so that they resolve, as Alembic's does. This runs
``tui-migrate upgrade base:head --sql`` in a child with every directive reduced to
exactly that (``create_table`` builds its Table, the others do nothing, no SQL is
rendered) and compares it with Alembic's real run, alternating:

    python -m tests.benchmarks.contract_floor PROJECT_DIR [--reps N]

``PROJECT_DIR`` is a generated runtime project (``python -m tests.benchmarks.run
--workdir DIR``). The ratio printed is the most any tool keeping the contract could
reach on this machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

from .floors import contract_child, timed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.benchmarks.contract_floor")
    p.add_argument("project", type=Path)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args(argv)
    project: Path = args.project.resolve()
    bindir = Path(sys.executable).parent
    alembic = shutil.which("alembic", path=str(bindir)) or "alembic"
    commands = {
        "alembic": [alembic, "upgrade", "base:head", "--sql"],
        "tui-migrate": [str(bindir / "tui-migrate"), "upgrade", "base:head", "--sql"],
        "contract floor": [
            sys.executable,
            "-c",
            contract_child("upgrade", "base:head", "--sql"),
        ],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.reps + 1):  # the first round writes caches and is dropped
        for name, cmd in commands.items():
            samples[name].append(timed(cmd, project))
    medians = {name: statistics.median(times[1:]) for name, times in samples.items()}
    for name, seconds in medians.items():
        print(f"{name:<15} {seconds:.3f} s (median of {args.reps})")
    print(f"best possible ratio: {medians['alembic'] / medians['contract floor']:.2f}x")
    print(f"tui-migrate ratio:   {medians['alembic'] / medians['tui-migrate']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
