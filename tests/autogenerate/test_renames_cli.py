"""``tui-migrate revision --autogenerate`` and rename candidates: the question on
a terminal, ``--accept-renames`` / ``--refuse-renames``, and the note when there
is no terminal to ask on."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from tests.autogenerate.commands_project import ag_project, set_models, version_files
from tests.cli_helpers import BIN, ours

V1 = """
person = sa.Table("person", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("age", sa.Integer),
)
pet = sa.Table("pet", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("nick", sa.String(20)),
)
"""

V2 = V1.replace('"person"', '"people"').replace('"nick"', '"handle"')


def _project_at_v1(tmp_path: Path, url: str):
    project = ag_project(tmp_path / "p", url, V1)
    code, _, err = ours(project.root, "revision", "--autogenerate", "-m", "v1")
    assert code == 0, err
    code, _, err = ours(project.root, "upgrade", "head")
    assert code == 0, err
    set_models(project, V2)
    return project


def _latest(project) -> str:
    newest = max(version_files(project), key=lambda p: p.stat().st_mtime_ns)
    return newest.read_text()


def test_accept_renames_writes_renames(tmp_path: Path, sqlite_url: str) -> None:
    project = _project_at_v1(tmp_path, sqlite_url)
    code, out, err = ours(project.root, "revision", "--autogenerate", "-m", "r", "--accept-renames")
    assert code == 0, err
    assert "Generating" in out
    assert "Possible renames" not in err
    text = _latest(project)
    assert "op.rename_table('person', 'people')" in text
    assert "op.alter_column('pet', 'nick'," in text and "new_column_name='handle'" in text
    assert "drop_table" not in text.split("def downgrade")[0]
    code, _, err = ours(project.root, "upgrade", "head")
    assert code == 0, err
    assert ours(project.root, "check")[:2] == (0, "No new upgrade operations detected.\n")


def test_refuse_renames_writes_drop_and_add_without_a_note(tmp_path: Path, sqlite_url: str) -> None:
    project = _project_at_v1(tmp_path, sqlite_url)
    code, _, err = ours(project.root, "revision", "--autogenerate", "-m", "r", "--refuse-renames")
    assert code == 0, err
    assert "Possible renames" not in err
    text = _latest(project)
    assert "op.create_table('people'," in text and "op.drop_table('person')" in text
    assert "op.drop_column('pet', 'nick')" in text
    assert "rename_table" not in text and "new_column_name" not in text


def test_without_a_terminal_renames_are_refused_and_named(tmp_path: Path, sqlite_url: str) -> None:
    project = _project_at_v1(tmp_path, sqlite_url)
    code, _, err = ours(project.root, "revision", "--autogenerate", "-m", "r")
    assert code == 0, err
    assert "Possible renames written as drop + add" in err
    assert "table person -> people" in err and "column pet.nick -> pet.handle" in err
    assert "--accept-renames" in err
    text = _latest(project)
    assert "op.drop_table('person')" in text and "rename_table" not in text


def test_the_flags_exclude_each_other(tmp_path: Path, sqlite_url: str) -> None:
    project = _project_at_v1(tmp_path, sqlite_url)
    with pytest.raises(SystemExit) as caught:
        ours(
            project.root,
            "revision",
            "--autogenerate",
            "--accept-renames",
            "--refuse-renames",
        )
    assert caught.value.code == 2


def _read_until(fd: int, marker: bytes, seen: bytearray, deadline: float) -> None:
    while marker not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {marker!r} in {bytes(seen)!r}")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                raise AssertionError(f"output ended before {marker!r}: {bytes(seen)!r}")
            seen.extend(chunk)


def test_on_a_terminal_each_candidate_is_asked(tmp_path: Path, sqlite_url: str) -> None:
    project = _project_at_v1(tmp_path, sqlite_url)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [str(BIN / "tui-migrate"), "revision", "--autogenerate", "-m", "asked"],
        cwd=project.root,
        stdin=slave,
        stdout=slave,
        stderr=slave,  # as on a real terminal (input() may write its prompt there)
        env={**os.environ, "TERM": "dumb", "COLUMNS": "200"},
    )
    os.close(slave)
    seen = bytearray()
    deadline = time.monotonic() + 30
    try:
        _read_until(master, b"Did you rename table person to people? [y/N]", seen, deadline)
        os.write(master, b"y\n")
        _read_until(master, b"Did you rename column pet.nick to pet.handle? [y/N]", seen, deadline)
        os.write(master, b"n\n")
        _read_until(master, b"done", seen, deadline)
        assert proc.wait(timeout=30) == 0, bytes(seen)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    text = _latest(project)
    assert "op.rename_table('person', 'people')" in text
    assert "op.drop_column('pet', 'nick')" in text and "new_column_name" not in text
