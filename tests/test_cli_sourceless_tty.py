"""Sourceless (.pyc-only) projects from the command line, and Rich colour on a terminal."""

from __future__ import annotations

import os
import pty
import py_compile
import subprocess
from pathlib import Path

from tests.cli_helpers import BIN, ours
from tests.runtime.project import make_project, table_rev, version_rows


def test_sourceless_project_runs(tmp_path, sqlite_url):
    project = make_project(
        tmp_path / "p", sqlite_url, [table_rev("a1", None), table_rev("b1", "a1")]
    )
    with project.ini.open("a") as fh:
        fh.write("sourceless = true\n")
    versions = project.root / "migrations" / "versions"
    for py in list(versions.glob("*.py")):
        py_compile.compile(str(py), cfile=str(py.with_suffix(".pyc")), doraise=True)
        py.unlink()
    code, out, err = ours(project.root, "heads")
    assert code == 0, err
    assert out.strip() == "b1 (head)"
    code, out, err = ours(project.root, "upgrade", "heads")
    assert code == 0, err
    assert version_rows(sqlite_url) == {"b1"}


def _run_in_pty(argv: list[str], cwd: Path) -> str:
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.chdir(cwd)
        os.environ["COLUMNS"] = "100"
        os.environ.pop("NO_COLOR", None)
        os.execv(argv[0], argv)
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode("utf-8", "replace")


def test_history_is_coloured_on_a_terminal_and_plain_in_a_pipe(tmp_path):
    project = make_project(
        tmp_path / "p", "sqlite:///x.db", [table_rev("a1", None), table_rev("b1", "a1")]
    )
    tty = _run_in_pty([str(BIN / "tui-migrate"), "history"], project.root)
    assert "\x1b[" in tty  # ANSI styles from Rich
    assert "b1 (head)" in tty.replace("\x1b[0m", "").replace("\x1b[1;32m", "")
    piped = subprocess.run(
        [str(BIN / "tui-migrate"), "history"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "\x1b[" not in piped
    assert piped.splitlines() == ["a1 -> b1 (head), rev b1", "<base> -> a1, rev a1"]
