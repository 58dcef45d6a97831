"""How fast an online ``upgrade head`` could be if rendering DDL cost nothing.

Three runs alternate with Alembic's own ``upgrade head`` and ours, each on a
freshly emptied database:

* statement replay: a fresh process replays exactly the statements of the
  project's ``upgrade head --sql`` output through SQLAlchemy's
  ``exec_driver_sql``, in the transactions both tools use by default (one per
  migration where DDL is not transactional, as on SQLite; one for the whole run on
  PostgreSQL). No version script runs and no schema object is built: the
  database's and the driver's share, plus start-up;
* free rendering: our ``upgrade head`` with every directive reduced to what
  Alembic's API requires of it (as in contract_floor.py: each version file loaded
  and its ``upgrade()`` run, ``create_table`` building its real Table with stub
  referents), after which it sends its statement, taken ready-made from that same
  ``--sql`` output. This is a tool whose DDL rendering and per-statement
  bookkeeping cost nothing, running the scripts and the database interleaved, one
  statement at a time. Alembic's time over it bounds what faster rendering alone
  can win. It is not a floor for every tool: its own share (loading the files,
  building the Tables, collecting their garbage) is our implementation of the
  contract, which can get cheaper, and a tool that kept the scripts running while
  the database works (PostgreSQL's pipeline mode, or a statement thread) would
  overlap the two shares instead of adding them.

Interleaving is not free: a run that alternates Python work with the database's
(SQLite's schema reloads, PostgreSQL's backend on the same two cores) is slower
than the two parts timed apart, so for a tool that waits for each statement the
free-rendering run is the bound, not the sum of the replay and a run that sends
no DDL.

    python -m tests.benchmarks.replay_floor PROJECT_DIR [--reps N]

``PROJECT_DIR`` is a generated runtime project (``python -m tests.benchmarks.run
--workdir DIR``) whose ``sqlalchemy.url`` names a SQLite file or a PostgreSQL
database this may empty; each of its directives renders exactly one statement
(the free-rendering run checks that it used every statement). Medians are printed.
"""

from __future__ import annotations

import argparse
import configparser
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from .floors import timed

_REPLAY = r"""
import sys
import sqlalchemy as sa

url, path, per_migration = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
groups = [[]]
for block in open(path).read().split(";\n\n"):
    block = block.strip()
    lines = [ln for ln in block.splitlines() if not ln.startswith("--")]
    sql = "\n".join(lines).strip()
    if not sql:
        continue
    groups[-1].append(sql)
    if sql.startswith(("INSERT INTO alembic_version", "UPDATE alembic_version")):
        groups.append([])
engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
with engine.connect() as conn:
    if per_migration:
        for group in groups:
            with conn.begin():
                for sql in group:
                    conn.exec_driver_sql(sql)
    else:
        with conn.begin():
            for group in groups:
                for sql in group:
                    conn.exec_driver_sql(sql)
"""

_FREE_RENDERING = r"""
import atexit
import os
import sys

blocks = []
for block in open(sys.argv[1]).read().split(";\n\n"):
    lines = [ln for ln in block.strip().splitlines() if not ln.startswith("--")]
    sql = "\n".join(lines).strip()
    if sql and "alembic_version" not in sql:  # the version table is the run's own
        blocks.append(sql)
statements = iter(blocks)
sys.argv = ["tui-migrate", "upgrade", "head"]
from engine.operations import ops
from engine.operations.base import Operations


def invoke(self, operation):
    table = None
    if isinstance(operation, ops.CreateTableOp):
        table = operation.to_table(self.migration_context)
    self.migration_context.connection.exec_driver_sql(next(statements))
    return table


def all_used():
    if next(statements, None) is not None:
        sys.stderr.write("free rendering: statements left over\n")
        sys.stderr.flush()
        os._exit(3)


Operations.invoke = invoke
atexit.register(all_used)
from tui_migrate.cli import entry
entry()
"""

_TRANSACTION_LINES = re.compile(r"^(BEGIN|COMMIT);\n\n", re.MULTILINE)


def _url(project: Path) -> str:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(project / "alembic.ini")
    return parser["alembic"]["sqlalchemy.url"]


def _reset(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.benchmarks.replay_floor")
    p.add_argument("project", type=Path)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args(argv)
    project: Path = args.project.resolve()
    url = _url(project)
    bindir = Path(sys.executable).parent
    ours = str(bindir / "tui-migrate")
    alembic = shutil.which("alembic", path=str(bindir)) or "alembic"
    offline = subprocess.run(
        [ours, "upgrade", "head", "--sql"], cwd=project, check=True, capture_output=True, text=True
    ).stdout
    sql_file = project / "replay.sql"
    sql_file.write_text(_TRANSACTION_LINES.sub("", offline))
    per_migration = "1" if url.startswith("sqlite") else "0"
    commands = {
        "alembic": [alembic, "upgrade", "head"],
        "tui-migrate": [ours, "upgrade", "head"],
        "replay": [sys.executable, "-c", _REPLAY, url, str(sql_file), per_migration],
        "free rendering": [sys.executable, "-c", _FREE_RENDERING, str(sql_file)],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.reps + 1):  # the first round warms caches and is dropped
        for name, cmd in commands.items():
            _reset(url)
            samples[name].append(timed(cmd, project))
    m = {name: statistics.median(times[1:]) for name, times in samples.items()}
    print(f"medians of {args.reps}:")
    for name, seconds in m.items():
        print(f"  {name:<15} {seconds:.3f} s")
    best, alone = m["alembic"] / m["free rendering"], m["alembic"] / m["replay"]
    print(f"best possible ratio: {best:.2f}x (free rendering; the statements alone: {alone:.2f}x)")
    print(f"tui-migrate ratio:   {m['alembic'] / m['tui-migrate']:.2f}x")
    _reset(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
