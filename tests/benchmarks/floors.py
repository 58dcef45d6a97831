"""Helpers of the floor diagnostics: the timer both replay_floor and contract_floor
use, and contract_floor's child, which runs our command with every directive
reduced to Alembic's API contract."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

_CONTRACT_CHILD = r"""
import sys
sys.argv = ["tui-migrate", *{argv!r}]
from engine.operations import ops
from engine.operations.base import Operations

def invoke(self, operation):
    if isinstance(operation, ops.CreateTableOp):
        return operation.to_table(self.migration_context)
    return None

Operations.invoke = invoke
from tui_migrate.cli import entry
entry()
"""


def contract_child(*argv: str) -> str:
    """Python source running ``tui-migrate ARGV`` with every directive reduced to what
    Alembic's API requires of it: ``create_table`` builds and returns its Table (with
    stub referent tables), the others do nothing; no DDL is rendered or sent. The
    rest of the run is ours as usual: start-up, env.py, loading and running each
    version file, logging, and (online) the version table's statements."""
    return _CONTRACT_CHILD.format(argv=list(argv))


def timed(cmd: list[str], cwd: Path) -> float:
    """Wall seconds of ``cmd`` run to completion in ``cwd`` (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start
