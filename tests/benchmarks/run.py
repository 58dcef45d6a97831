"""Benchmark tui-migrate against Alembic, measured in the same run.

    python -m tests.benchmarks.run [--quick] [--only NAME] [--ours-cmd CMD]

Every benchmark runs one command through both tools, each as a fresh subprocess in
the generated project's directory: one warm-up each, then N alternating
repetitions. Wall time and the child's peak RSS (os.wait4 rusage) are recorded;
the table shows medians, ratios against Alembic and PASS/FAIL for the targets.
The two tools' stdout must be identical (up to trailing whitespace).
Exit status: 0 when every benchmark passes, 1 otherwise.

Add a benchmark by appending a Benchmark(...) to BENCHMARKS.
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .projects import ProjectSpec


@dataclass(frozen=True)
class Targets:
    """min_speedup: alembic time / our time must reach it; max_memory: ours / alembic."""

    min_speedup: float | None = None
    max_memory: float | None = None

    def describe(self) -> str:
        parts = []
        if self.min_speedup is not None:
            parts.append(f"time >= {self.min_speedup:g}x faster")
        if self.max_memory is not None:
            parts.append(f"mem <= {self.max_memory:g}x")
        return ", ".join(parts) or "none"


@dataclass(frozen=True)
class Benchmark:
    name: str
    project: ProjectSpec  # anything with .key and .build(root) -> project dir
    argv: tuple[str, ...]  # arguments after the tool name, run in the project dir
    targets: Targets = field(default_factory=Targets)


BENCHMARKS: list[Benchmark] = [
    Benchmark("heads-linear-10k", ProjectSpec("linear", 10_000), ("heads",), Targets(8.0, 0.5)),
    Benchmark("history-branchy-2k", ProjectSpec("branchy", 2_000), ("history",), Targets(5.0)),
]


@dataclass
class Sample:
    seconds: float
    maxrss_kib: int
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Result:
    bench: Benchmark
    ours: list[Sample]
    alembic: list[Sample]
    problems: list[str]

    @staticmethod
    def _median(samples: list[Sample]) -> tuple[float, float]:
        return (
            statistics.median(s.seconds for s in samples),
            statistics.median(s.maxrss_kib for s in samples) / 1024,
        )

    def medians(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return self._median(self.ours), self._median(self.alembic)

    def verdict(self) -> tuple[float, float, bool]:
        (o_t, o_m), (a_t, a_m) = self.medians()
        speedup = a_t / o_t if o_t else float("inf")
        memory = o_m / a_m if a_m else float("inf")
        t = self.bench.targets
        ok = not self.problems
        if t.min_speedup is not None and speedup < t.min_speedup:
            ok = False
        if t.max_memory is not None and memory > t.max_memory:
            ok = False
        return speedup, memory, ok


def run_once(cmd: Sequence[str], cwd: Path, timeout: float) -> Sample:
    """Run cmd as a fresh child; wall time and the child's own peak RSS (KiB on Linux)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=err)
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
        )


def normalise(text: str) -> str:
    """Strip trailing whitespace (per line and at the end); nothing else."""
    return "\n".join(line.rstrip() for line in text.splitlines()).rstrip()


def _check(label: str, sample: Sample, expected: str | None, problems: list[str]) -> None:
    if sample.returncode != 0:
        tail = "\n      ".join(sample.stderr.strip().splitlines()[-8:]) or "(no stderr)"
        problems.append(f"{label} exited with {sample.returncode}:\n      {tail}")
    elif expected is not None and normalise(sample.stdout) != expected:
        diff = difflib.unified_diff(
            expected.splitlines(),
            normalise(sample.stdout).splitlines(),
            "alembic",
            label,
            lineterm="",
            n=1,
        )
        lines = list(diff)
        shown = "\n      ".join(lines[:30]) + ("\n      ..." if len(lines) > 30 else "")
        problems.append(f"OUTPUT MISMATCH: {label} differs from alembic:\n      {shown}")


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
    warm = {name: run_once(cmd, project, timeout) for name, (cmd, _) in tools.items()}
    _check("alembic (warm-up)", warm["alembic"], None, problems)
    expected = normalise(warm["alembic"].stdout)
    _check("ours (warm-up)", warm["ours"], expected, problems)
    for rep in range(reps):
        order = ("ours", "alembic") if rep % 2 == 0 else ("alembic", "ours")
        for name in order:
            cmd, samples = tools[name]
            sample = run_once(cmd, project, timeout)
            samples.append(sample)
            if not problems:  # report the first problem only, not one per repetition
                _check(f"{name} (run {rep + 1})", sample, expected, problems)
        print(".", end="", flush=True)
    print()
    return Result(bench, ours, alembic, problems)


def print_table(results: list[Result]) -> None:
    head = f"{'benchmark':<22} {'tool':<8} {'median s':>9} {'peak MiB':>9}  {'target':<32} result"
    print(head)
    print("-" * len(head))
    for r in results:
        (o_t, o_m), (a_t, a_m) = r.medians()
        speedup, memory, ok = r.verdict()
        print(f"{r.bench.name:<22} {'ours':<8} {o_t:>9.3f} {o_m:>9.1f}")
        print(f"{'':<22} {'alembic':<8} {a_t:>9.3f} {a_m:>9.1f}")
        verdict = "PASS" if ok else "FAIL"
        ratios = f"{speedup:>8.2f}x {memory:>8.2f}x"
        print(f"{'':<22} {'ratio':<8} {ratios}  {r.bench.targets.describe():<32} {verdict}")
    print("ratio: time = alembic/ours (higher is better), memory = ours/alembic (lower is better)")


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
    if args.list:
        for b in BENCHMARKS:
            print(f"{b.name:<22} {b.project.key:<32} {' '.join(b.argv):<10} {b.targets.describe()}")
        return 0
    if not selected:
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
    built: dict[str, Path] = {}
    results: list[Result] = []
    try:
        for bench in selected:
            key = bench.project.key
            if key not in built:
                started = time.perf_counter()
                built[key] = bench.project.build(root)
                print(f"generated {key} in {time.perf_counter() - started:.1f} s")
            print(f"{bench.name}: {' '.join(bench.argv)} ", end="", flush=True)
            results.append(run_benchmark(bench, built[key], ours, alembic, reps, args.timeout))
    finally:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    print()
    print_table(results)
    failed = False
    for r in results:
        for problem in r.problems:
            print(f"\n!!! {r.bench.name}: {problem}", file=sys.stderr)
        failed = failed or not r.verdict()[2]
    print("\nALL PASS" if not failed else "\nSOME BENCHMARKS FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
