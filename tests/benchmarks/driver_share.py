"""How much of one run is the database's own work: wall time, and the time spent
inside the driver executing statements (SQLAlchemy's ``before/after_cursor_execute``
events, so COMMITs and connecting are not counted: the share is a lower bound).

    cd PROJECT && python -m tests.benchmarks.driver_share ours|alembic upgrade head

(with the repository on ``PYTHONPATH``). Prints one line on stderr. Used to tell
whether a speed target is within reach of the tool at all: when executing the
statements both tools send takes most of Alembic's run, no Python-side work can
make the other tool several times faster.
"""

from __future__ import annotations

import atexit
import sys
import time
from typing import Any

_START = time.perf_counter()


def _install() -> list[float]:
    import sqlalchemy as sa
    from sqlalchemy import event

    spent = [0.0, 0.0]

    @event.listens_for(sa.engine.Engine, "before_cursor_execute")
    def _before(conn: Any, *args: Any) -> None:
        conn.info["_driver_share_t"] = time.perf_counter()

    @event.listens_for(sa.engine.Engine, "after_cursor_execute")
    def _after(conn: Any, *args: Any) -> None:
        spent[0] += time.perf_counter() - conn.info.pop("_driver_share_t")
        spent[1] += 1

    return spent


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("ours", "alembic"):
        sys.exit("usage: python -m tests.benchmarks.driver_share ours|alembic COMMAND...")
    tool = sys.argv.pop(1)
    spent = _install()

    def report() -> None:
        wall = time.perf_counter() - _START
        print(
            f"{tool}: wall {wall:.3f} s, in the driver {spent[0]:.3f} s over "
            f"{int(spent[1])} statements ({spent[0] / wall:.0%})",
            file=sys.stderr,
        )

    atexit.register(report)
    sys.argv[0] = tool
    if tool == "ours":
        from tui_migrate.cli import entry

        entry()
    else:
        from alembic.config import main as alembic_main

        alembic_main()


if __name__ == "__main__":
    main()
