"""The least time any migration tool can take for an online ``upgrade head``.

Replays, in a fresh process, exactly the statements of the project's own
``upgrade head --sql`` output on the database, through SQLAlchemy's
``exec_driver_sql``, in the transactions both tools use by default (one per
migration where DDL is not transactional, as on SQLite; one for the whole run on
PostgreSQL). No version script runs, no schema object is built, no version table
is looked up first: what is left is interpreter start-up, importing SQLAlchemy,
connecting and the database's own work. When even that takes longer than a target
allows (Alembic's time divided by the ratio), no tool that sends these statements
through SQLAlchemy can meet the target on this machine.

    python -m tests.benchmarks.replay_floor PROJECT_DIR [--reps N]

``PROJECT_DIR`` is a generated runtime project (``python -m tests.benchmarks.run
--workdir DIR``) whose ``sqlalchemy.url`` names a SQLite file or a PostgreSQL
database this may empty. Alembic's ``upgrade head`` and the replay alternate, each
on a freshly emptied database; medians are printed.
"""

from __future__ import annotations

import argparse
import configparser
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


def timed(cmd: list[str], cwd: Path) -> float:
    """Wall seconds of ``cmd`` run to completion in ``cwd`` (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


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
    replay = [sys.executable, "-c", _REPLAY, url, str(sql_file), per_migration]
    samples: dict[str, list[float]] = {"alembic": [], "replay": []}
    for _ in range(args.reps + 1):  # the first round warms caches and is dropped
        for name, cmd in (("alembic", [alembic, "upgrade", "head"]), ("replay", replay)):
            _reset(url)
            samples[name].append(timed(cmd, project))
    alembic_s = statistics.median(samples["alembic"][1:])
    replay_s = statistics.median(samples["replay"][1:])
    print(f"alembic upgrade head: {alembic_s:.3f} s (median of {args.reps})")
    print(f"statement replay:     {replay_s:.3f} s (median of {args.reps})")
    print(f"best possible ratio:  {alembic_s / replay_s:.2f}x (Alembic / replay)")
    _reset(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
