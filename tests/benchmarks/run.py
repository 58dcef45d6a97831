"""Benchmark tui-migrate against Alembic, measured in the same run.

    python -m tests.benchmarks.run [--quick] [--only NAME] [--ours-cmd CMD]

Every benchmark runs one command through both tools, each as a fresh subprocess in
the generated project's directory: one warm-up each, then N alternating
repetitions. Wall time and the child's peak RSS (os.wait4 rusage) are recorded;
the table shows medians, ratios against Alembic and PASS/FAIL for the targets.
Benchmarks with ``count_sql`` also count the SQL statements each run executes (the
project's env.py writes the count to the file named by TUIM_BENCH_SQL_COUNT_FILE,
see model_projects.py); the table shows the median count per tool.
The two tools' stdout must be identical (up to trailing whitespace; offline SQL up
to any whitespace). Runtime benchmarks reset their database (untimed) before every
run of either tool and check afterwards that it ended at head.
Exit status: 0 when every benchmark passes, 1 otherwise.

Add a benchmark by appending a Benchmark(...) to BENCHMARKS. The TUI benchmarks
(tui_bench.py: tui-open-10k, tui-cursor-10k) have no Alembic counterpart: they run
in the same suite (--list, --only, --quick) against absolute targets, in their own
table.
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .databases import PostgresDatabase, SQLiteFile, sqlite_directory
from .model_projects import SQL_COUNT_ENV, ModelProjectSpec
from .projects import ProjectSpec
from .runtime_projects import OpsProjectSpec, sqlite_project
from .tui_bench import TUI_BENCHMARKS, TuiResult, print_tui_table, run_tui_benchmark


@dataclass(frozen=True)
class Targets:
    """min_speedup: alembic time / our time must reach it; max_memory: ours / alembic;
    max_statements: SQL statements of every run of ours (needs ``count_sql``)."""

    min_speedup: float | None = None
    max_memory: float | None = None
    max_statements: int | None = None

    def describe(self) -> str:
        parts = []
        if self.min_speedup is not None:
            parts.append(f"time >= {self.min_speedup:g}x faster")
        if self.max_memory is not None:
            parts.append(f"mem <= {self.max_memory:g}x")
        if self.max_statements is not None:
            parts.append(f"sql <= {self.max_statements}")
        return ", ".join(parts) or "none"


# How stdout is compared with Alembic's: "trailing" ignores trailing whitespace only;
# "whitespace" ignores any difference in whitespace (runs collapsed, blank lines
# dropped), for offline SQL, whose layout (indentation, blank lines between
# statements) is presentation, not meaning.
TRAILING = "trailing"
WHITESPACE = "whitespace"


@dataclass(frozen=True)
class Benchmark:
    """One command run by both tools in the generated project's directory.

    Hooks (all optional, run in the harness, never timed):
    ``prepare(project, alembic_cmd)`` once before the first run; ``reset(project)``
    before every run of either tool (warm-ups included), e.g. to start from an empty
    database; ``verify(project)`` after every run, returning a problem or None;
    ``cleanup()`` once at the end of the whole suite (even after an error).
    ``failure_meaning`` is shown with a tool's non-zero exit.
    ``count_sql``: every run gets a count file in ``TUIM_BENCH_SQL_COUNT_FILE``, which
    the project's env.py must write (a run that does not is a problem).
    """

    name: str
    project: ProjectSpec | OpsProjectSpec  # anything with .key and .build(root) -> dir
    argv: tuple[str, ...]  # arguments after the tool name, run in the project dir
    targets: Targets = field(default_factory=Targets)
    compare: str = TRAILING
    prepare: Callable[[Path, Sequence[str]], None] | None = None
    reset: Callable[[Path], None] | None = None
    verify: Callable[[Path], str | None] | None = None
    cleanup: Callable[[], None] | None = None
    count_sql: bool = False
    failure_meaning: str | None = None  # what a non-zero exit of a tool means


def _upgraded_to_head(db: SQLiteFile) -> Callable[[Path, Sequence[str]], None]:
    """prepare hook: an empty database brought to head by Alembic (the oracle)."""

    def prepare(project: Path, alembic_cmd: Sequence[str]) -> None:
        db.reset(project)
        done = subprocess.run(
            [*alembic_cmd, "upgrade", "head"],
            cwd=project,
            env=child_env(),
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"alembic upgrade head failed: {done.stderr.strip()[-800:]}")

    return prepare


def _schema_from_models(db: PostgresDatabase) -> Callable[[Path, Sequence[str]], None]:
    """prepare hook: the database built by ``create_all`` from the project's models.py,
    then stamped at head by Alembic (the oracle), so ``check`` must find nothing."""

    def prepare(project: Path, alembic_cmd: Sequence[str]) -> None:
        db.create_models(project)
        done = subprocess.run(
            [*alembic_cmd, "stamp", "head"],
            cwd=project,
            env=child_env(),
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"alembic stamp head failed: {done.stderr.strip()[-800:]}")

    return prepare


_SQL_2K = OpsProjectSpec(
    2_000,
    "pg-offline",
    # Offline only: never connected to (a connection attempt would fail the run).
    "postgresql+psycopg://postgres@127.0.0.1:5432/tuim_bench_offline_never_created",
)
_SQLITE_DIR = sqlite_directory()
_SQLITE_500 = sqlite_project(500, _SQLITE_DIR)
_SQLITE_500_DB = SQLiteFile(_SQLITE_500.url, _SQLITE_500.head)
_PG = PostgresDatabase()
_PG_500 = OpsProjectSpec(500, "postgresql", _PG.url)
_TINY = sqlite_project(3, _SQLITE_DIR)
_TINY_DB = SQLiteFile(_TINY.url, _TINY.head)
_PG_CHECK = PostgresDatabase(f"tuim_bench_check_{os.getpid()}")
_MODELS_300 = ModelProjectSpec(300, "postgresql", _PG_CHECK.url)

BENCHMARKS: list[Benchmark] = [
    Benchmark("heads-linear-10k", ProjectSpec("linear", 10_000), ("heads",), Targets(8.0, 0.5)),
    Benchmark("history-branchy-2k", ProjectSpec("branchy", 2_000), ("history",), Targets(5.0)),
    Benchmark(
        "upgrade-sql-2k",
        _SQL_2K,
        ("upgrade", "base:head", "--sql"),
        Targets(2.0),
        compare=WHITESPACE,
    ),
    Benchmark(
        "upgrade-sqlite-500",
        _SQLITE_500,
        ("upgrade", "head"),
        Targets(1.5),
        reset=_SQLITE_500_DB.reset,
        verify=_SQLITE_500_DB.verify,
        cleanup=_SQLITE_500_DB.close,
    ),
    Benchmark(
        "upgrade-pg-500",
        _PG_500,
        ("upgrade", "head"),
        Targets(1.5),
        reset=_PG.reset,
        verify=_PG.verifier(_PG_500.head),
        cleanup=_PG.close,
    ),
    Benchmark(
        "current-tiny-sqlite",
        _TINY,
        ("current",),
        Targets(1.5),
        prepare=_upgraded_to_head(_TINY_DB),
        verify=_TINY_DB.verify,
        cleanup=_TINY_DB.close,
    ),
    Benchmark(
        "check-pg-300",
        _MODELS_300,
        ("check",),
        Targets(2.0, max_statements=30),
        prepare=_schema_from_models(_PG_CHECK),
        verify=_PG_CHECK.verifier(_MODELS_300.head),
        cleanup=_PG_CHECK.close,
        count_sql=True,
        failure_meaning="a false positive of this tool: the schema was built from the models",
    ),
]


@dataclass
class Sample:
    seconds: float
    maxrss_kib: int
    returncode: int
    stdout: str
    stderr: str
    statements: int | None = None  # SQL statements executed (count_sql benchmarks)


@dataclass
class Result:
    bench: Benchmark
    ours: list[Sample]
    alembic: list[Sample]
    problems: list[str]

    @staticmethod
    def _median(samples: list[Sample]) -> tuple[float, float]:
        if not samples:  # a hook failed before any run
            return float("nan"), float("nan")
        return (
            statistics.median(s.seconds for s in samples),
            statistics.median(s.maxrss_kib for s in samples) / 1024,
        )

    def medians(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return self._median(self.ours), self._median(self.alembic)

    @staticmethod
    def _statements(samples: list[Sample]) -> float | None:
        counts = [s.statements for s in samples if s.statements is not None]
        return statistics.median(counts) if counts else None

    def statements(self) -> tuple[float | None, float | None]:
        """Median SQL statement count of ours and of Alembic (None: not counted)."""
        return self._statements(self.ours), self._statements(self.alembic)

    def verdict(self) -> tuple[float, float, bool]:
        (o_t, o_m), (a_t, a_m) = self.medians()
        speedup = a_t / o_t if o_t else float("inf")
        memory = o_m / a_m if a_m else float("inf")
        t = self.bench.targets
        ok = not self.problems and bool(self.ours) and bool(self.alembic)
        if t.min_speedup is not None and speedup < t.min_speedup:
            ok = False
        if t.max_memory is not None and memory > t.max_memory:
            ok = False
        if t.max_statements is not None and (
            # Every run of ours must stay within the target, not only the median.
            any(s.statements is None or s.statements > t.max_statements for s in self.ours)
        ):
            ok = False
        return speedup, memory, ok


# Bytecode cache of the children (set by main): under the work dir, never in the
# source tree or site-packages. See child_env.
_PYCACHE_PREFIX: Path | None = None


def child_env() -> dict[str, str]:
    """The environment of every child: the harness's, with three changes.

    * No ``TUI_MIGRATE_URL*`` / ``ALEMBIC_CONFIG``: alembic.ini's URL is the one used.
    * Python's default bytecode caching (``PYTHONDONTWRITEBYTECODE`` removed), so both
      tools start as they do for a user after their first run: the warm-up writes
      the .pyc files of the tool, its libraries and the project's version files, the
      timed runs read them. Without this a harness that runs with
      ``PYTHONDONTWRITEBYTECODE=1`` would compile an editable install (ours) from
      source on every start, but not a wheel with its .pyc files (Alembic).
    * ``PYTHONPYCACHEPREFIX`` points that cache at a directory of the run (both tools
      share it), so nothing is written into the source tree or site-packages.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not (k.startswith("TUI_MIGRATE_URL") or k == "ALEMBIC_CONFIG")
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if _PYCACHE_PREFIX is not None:
        env["PYTHONPYCACHEPREFIX"] = str(_PYCACHE_PREFIX)
    return env


def run_once(
    cmd: Sequence[str], cwd: Path, timeout: float, count_file: Path | None = None
) -> Sample:
    """Run cmd as a fresh child; wall time and the child's own peak RSS (KiB on Linux).

    With ``count_file``, the child gets its path in TUIM_BENCH_SQL_COUNT_FILE and the
    number it writes there becomes ``Sample.statements`` (None when it writes none).
    """
    env = child_env()
    if count_file is not None:
        count_file.unlink(missing_ok=True)
        env[SQL_COUNT_ENV] = str(count_file)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=err, env=env)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Sample(
            seconds,
            usage.ru_maxrss,
            proc.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            _read_count(count_file),
        )


def _read_count(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def normalise(text: str, mode: str = TRAILING) -> str:
    """TRAILING: strip trailing whitespace (per line and at the end), nothing else.

    WHITESPACE: also collapse every run of whitespace inside a line to one space and
    drop blank lines, so only the tokens and their line structure are compared.
    """
    if mode == WHITESPACE:
        lines = (" ".join(line.split()) for line in text.splitlines())
        return "\n".join(line for line in lines if line)
    return "\n".join(line.rstrip() for line in text.splitlines()).rstrip()


def _check(
    label: str,
    sample: Sample,
    expected: str | None,
    problems: list[str],
    mode: str = TRAILING,
    failure_meaning: str | None = None,
) -> bool:
    """Record a problem (non-zero exit or stdout unlike Alembic's); True when fine.

    On a non-zero exit the problem shows the tail of stdout (if any) and of stderr,
    after ``failure_meaning`` (what such an exit means for this benchmark) if given.
    """
    if sample.returncode != 0:
        meaning = f" ({failure_meaning})" if failure_meaning else ""
        out = sample.stdout.strip().splitlines()[-8:]
        err = sample.stderr.strip().splitlines()[-8:] or ["(no stderr)"]
        tail = "\n      ".join([*(f"stdout: {line}" for line in out), *err])
        problems.append(f"{label} exited with {sample.returncode}{meaning}:\n      {tail}")
        return False
    if expected is not None and normalise(sample.stdout, mode) != expected:
        diff = difflib.unified_diff(
            expected.splitlines(),
            normalise(sample.stdout, mode).splitlines(),
            "alembic",
            label,
            lineterm="",
            n=1,
        )
        lines = list(diff)
        shown = "\n      ".join(lines[:30]) + ("\n      ..." if len(lines) > 30 else "")
        problems.append(f"OUTPUT MISMATCH: {label} differs from alembic:\n      {shown}")
        return False
    return True


def _hook(label: str, problems: list[str], fn: Callable[..., Any], *args: Any) -> Any:
    """Run a hook; an exception becomes a problem (and None is returned)."""
    try:
        return fn(*args)
    except Exception as exc:  # any failure of a hook is reported, not raised
        problems.append(f"{label} failed: {type(exc).__name__}: {exc}")
        return None


def run_benchmark(
    bench: Benchmark,
    project: Path,
    ours_cmd: Sequence[str],
    alembic_cmd: Sequence[str],
    reps: int,
    timeout: float,
) -> Result:
    ours: list[Sample] = []
    alembic: list[Sample] = []
    problems: list[str] = []
    tools = {
        "ours": (list(ours_cmd) + list(bench.argv), ours),
        "alembic": (list(alembic_cmd) + list(bench.argv), alembic),
    }
    # Only the first problem of each tool is reported, not one per repetition.
    troubled: set[str] = set()

    def run(name: str, label: str, expected: str | None) -> Sample | None:
        if bench.reset is not None:
            failed = len(problems)
            _hook(f"reset before {label}", problems, bench.reset, project)
            if len(problems) > failed:
                return None
        count_file = (
            project.parent / "sql-counts" / f"{bench.name}-{name}" if bench.count_sql else None
        )
        if count_file is not None:
            count_file.parent.mkdir(parents=True, exist_ok=True)
        sample = run_once(tools[name][0], project, timeout, count_file)
        if name not in troubled:
            fine = _check(label, sample, expected, problems, bench.compare, bench.failure_meaning)
            if fine and count_file is not None and sample.statements is None:
                problems.append(f"{label}: env.py wrote no SQL statement count")
                fine = False
            if fine and bench.verify is not None:
                before = len(problems)
                problem = _hook(f"verify after {label}", problems, bench.verify, project)
                if problem:
                    problems.append(f"{label}: {problem}")
                fine = len(problems) == before
            if not fine:
                troubled.add(name)
        return sample

    if bench.prepare is not None:
        _hook("prepare", problems, bench.prepare, project, alembic_cmd)
        if problems:
            print()
            return Result(bench, ours, alembic, problems)
    warm_alembic = run("alembic", "alembic (warm-up)", None)
    if warm_alembic is None:
        print()
        return Result(bench, ours, alembic, problems)
    expected = normalise(warm_alembic.stdout, bench.compare)
    if run("ours", "ours (warm-up)", expected) is None:
        print()
        return Result(bench, ours, alembic, problems)
    for rep in range(reps):
        order = ("ours", "alembic") if rep % 2 == 0 else ("alembic", "ours")
        for name in order:
            sample = run(name, f"{name} (run {rep + 1})", expected)
            if sample is None:
                print()
                return Result(bench, ours, alembic, problems)
            tools[name][1].append(sample)
        print(".", end="", flush=True)
    print()
    return Result(bench, ours, alembic, problems)


def _count(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def print_table(results: list[Result]) -> None:
    head = (
        f"{'benchmark':<22} {'tool':<8} {'median s':>9} {'peak MiB':>9} {'SQL':>6}"
        f"  {'target':<32} result"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        (o_t, o_m), (a_t, a_m) = r.medians()
        o_sql, a_sql = r.statements()
        speedup, memory, ok = r.verdict()
        print(f"{r.bench.name:<22} {'ours':<8} {o_t:>9.3f} {o_m:>9.1f} {_count(o_sql):>6}")
        print(f"{'':<22} {'alembic':<8} {a_t:>9.3f} {a_m:>9.1f} {_count(a_sql):>6}")
        verdict = "PASS" if ok else "FAIL"
        sql_ratio = f"{o_sql / a_sql:.2f}x" if o_sql is not None and a_sql else "-"
        ratios = f"{speedup:>8.2f}x {memory:>8.2f}x {sql_ratio:>6}"
        print(f"{'':<22} {'ratio':<8} {ratios}  {r.bench.targets.describe():<32} {verdict}")
    print(
        "ratio: time = alembic/ours (higher is better), memory and SQL = ours/alembic "
        "(lower is better)"
    )
    print("SQL: median count of SQL statements per run (- when not counted)")


def _default_script(name: str) -> list[str]:
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.prefix) / "bin")):
        path = Path(folder) / name
        if path.is_file():
            return [str(path)]
    found = shutil.which(name)
    return [found] if found else [name]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--quick", action="store_true", help="3 repetitions instead of 7")
    p.add_argument("--reps", type=int, help="repetitions per tool (default 7, --quick 3)")
    p.add_argument(
        "--only", action="append", metavar="NAME", help="run only this benchmark (glob; may repeat)"
    )
    p.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    p.add_argument("--ours-cmd", help="command for our side (default: the venv's tui-migrate)")
    p.add_argument("--alembic-cmd", help="command for Alembic (default: the venv's alembic)")
    p.add_argument(
        "--workdir",
        type=Path,
        help="generate projects here and keep them (default: a temp dir, removed)",
    )
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per child (600)")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    selected = [
        b
        for b in BENCHMARKS
        if not args.only or any(fnmatch.fnmatchcase(b.name, pat) for pat in args.only)
    ]
    selected_tui = [
        b
        for b in TUI_BENCHMARKS
        if not args.only or any(fnmatch.fnmatchcase(b.name, pat) for pat in args.only)
    ]
    if args.list:
        for b in BENCHMARKS:
            argv = " ".join(b.argv)
            print(f"{b.name:<22} {b.project.key:<32} {argv:<24} {b.targets.describe()}")
        for t in TUI_BENCHMARKS:
            argv = " ".join(t.argv)
            print(f"{t.name:<22} {t.project.key:<32} {argv:<24} {t.describe()} (absolute)")
        return 0
    if not selected and not selected_tui:
        print(f"no benchmark matches {args.only}; see --list", file=sys.stderr)
        return 2
    reps = args.reps or (3 if args.quick else 7)
    ours = shlex.split(args.ours_cmd) if args.ours_cmd else _default_script("tui-migrate")
    alembic = shlex.split(args.alembic_cmd) if args.alembic_cmd else _default_script("alembic")
    for label, cmd in (("ours", ours), ("alembic", alembic)):
        if shutil.which(cmd[0]) is None:
            print(
                f"{label} command not found: {cmd[0]} (install the project with "
                f"pip install -e '.[bench]' or pass --{label}-cmd)",
                file=sys.stderr,
            )
            return 2
    print(f"python:  {sys.executable}")
    print(f"ours:    {shlex.join(ours)}")
    print(f"alembic: {shlex.join(alembic)}")
    print(f"repetitions: {reps} per tool after 1 warm-up, alternating")
    root = args.workdir or Path(tempfile.mkdtemp(prefix="tuim-bench-"))
    global _PYCACHE_PREFIX
    _PYCACHE_PREFIX = root / "pycache"
    built: dict[str, Path] = {}
    results: list[Result] = []
    tui_results: list[TuiResult] = []
    try:
        for bench in selected:
            key = bench.project.key
            if key not in built:
                started = time.perf_counter()
                built[key] = bench.project.build(root)
                print(f"generated {key} in {time.perf_counter() - started:.1f} s")
            print(f"{bench.name}: {' '.join(bench.argv)} ", end="", flush=True)
            results.append(run_benchmark(bench, built[key], ours, alembic, reps, args.timeout))
        for tui in selected_tui:
            key = tui.project.key
            if key not in built:
                started = time.perf_counter()
                built[key] = tui.project.build(root)
                print(f"generated {key} in {time.perf_counter() - started:.1f} s")
            print(f"{tui.name}: {' '.join(tui.argv)} ", end="", flush=True)
            env = child_env()
            tui_results.append(run_tui_benchmark(tui, built[key], env, reps, args.timeout))
    finally:
        for bench in selected:
            if bench.cleanup is not None:
                problems: list[str] = []
                _hook(f"{bench.name} cleanup", problems, bench.cleanup)
                for problem in problems:
                    print(f"!!! {problem}", file=sys.stderr)
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    print()
    if results:
        print_table(results)
    print_tui_table(tui_results)
    failed = False
    for r in results:
        for problem in r.problems:
            print(f"\n!!! {r.bench.name}: {problem}", file=sys.stderr)
        failed = failed or not r.verdict()[2]
    for tr in tui_results:
        for problem in tr.problems:
            print(f"\n!!! {tr.bench.name}: {problem}", file=sys.stderr)
        failed = failed or not tr.ok()
    print("\nALL PASS" if not failed else "\nSOME BENCHMARKS FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
