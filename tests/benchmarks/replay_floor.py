"""The least time any migration tool can take for an online ``upgrade head``.

Two parts of the work are fixed for every tool that keeps Alembic's API and sends
the project's statements, and they are measured separately, alternating with
Alembic's own ``upgrade head`` (each run on a freshly emptied database):

* the statements: a fresh process replays exactly the statements of the
  project's ``upgrade head --sql`` output on the database through SQLAlchemy's
  ``exec_driver_sql``, in the transactions both tools use by default (one per
  migration where DDL is not transactional, as on SQLite; one for the whole run on
  PostgreSQL). No version script runs and no schema object is built;
* the API contract: our ``upgrade head`` online with every directive reduced to
  what Alembic's API requires (contract_floor.py: each version file loaded and
  its ``upgrade()`` run, ``create_table`` building its real Table), which still
  reads and writes the version table but sends no DDL.

Both include starting Python, importing SQLAlchemy and connecting, which a tool
pays once; a bare process doing only that is measured too. The floor is
``replay + contract - bare``: what a tool would take if rendering the DDL and all
of its own bookkeeping cost nothing. Alembic's time over it is the best ratio any
compatible tool can reach on this machine; ours is measured in the same rounds.

    python -m tests.benchmarks.replay_floor PROJECT_DIR [--reps N]

``PROJECT_DIR`` is a generated runtime project (``python -m tests.benchmarks.run
--workdir DIR``) whose ``sqlalchemy.url`` names a SQLite file or a PostgreSQL
database this may empty. Medians are printed.
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

from .floors import contract_child, timed

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

_BARE = r"""
import sys
import sqlalchemy as sa

engine = sa.create_engine(sys.argv[1], poolclass=sa.pool.NullPool)
with engine.connect() as conn:
    conn.exec_driver_sql("SELECT 1")
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
        "contract": [sys.executable, "-c", contract_child("upgrade", "head")],
        "bare": [sys.executable, "-c", _BARE, url],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.reps + 1):  # the first round warms caches and is dropped
        for name, cmd in commands.items():
            _reset(url)
            samples[name].append(timed(cmd, project))
    m = {name: statistics.median(times[1:]) for name, times in samples.items()}
    floor = m["replay"] + m["contract"] - m["bare"]
    print(f"medians of {args.reps}:")
    print(f"  alembic upgrade head:       {m['alembic']:.3f} s")
    print(f"  tui-migrate upgrade head:   {m['tui-migrate']:.3f} s")
    print(f"  statement replay:           {m['replay']:.3f} s")
    print(f"  API contract, no DDL:       {m['contract']:.3f} s")
    print(f"  bare start-up and connect:  {m['bare']:.3f} s")
    print(f"floor (replay + contract - bare): {floor:.3f} s")
    print(f"best possible ratio: {m['alembic'] / floor:.2f}x (statements alone: ", end="")
    print(f"{m['alembic'] / m['replay']:.2f}x)")
    print(f"tui-migrate ratio:   {m['alembic'] / m['tui-migrate']:.2f}x")
    _reset(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
