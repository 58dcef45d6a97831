"""Running our CLI and Alembic's on the same project, in-process and as a subprocess."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

from tui_migrate.cli import main

BIN = Path(sys.executable).parent


@contextlib.contextmanager
def chdir(path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def ours(project, *argv: str) -> tuple[int, str, str]:
    """Run ``tui-migrate argv`` in-process in ``project``: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with chdir(project), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def ours_subprocess(project, *argv: str, env: dict | None = None):
    return subprocess.run(
        [str(BIN / "tui-migrate"), *argv],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def alembic(project, *argv: str):
    return subprocess.run(
        [str(BIN / "alembic"), *argv], cwd=project, capture_output=True, text=True, timeout=60
    )


def write_version(project, name: str, text: str) -> Path:
    path = Path(project) / "migrations" / "versions" / name
    path.write_text(text)
    return path


def version_text(rev: str, down, *, labels=None, depends_on=None, doc="a revision") -> str:
    return (
        f'"""{doc}\n\nRevision ID: {rev}\nRevises: {down}\n'
        'Create Date: 2026-01-01 00:00:00\n\n"""\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\n"
        f"branch_labels = {labels!r}\ndepends_on = {depends_on!r}\n\n\n"
        "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )
