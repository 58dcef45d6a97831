"""The op data classes sit at the bottom of the house: ``ops*.py``, ``schemaobj.py``
and its ``referents.py`` import nothing from the engine but ``engine.errors`` and
each other (DESIGN.md, contract 3), so the DDL layer, autogenerate and the TUI
preview can use them."""

from __future__ import annotations

import ast
from pathlib import Path

import engine.operations

HERE = Path(engine.operations.__file__).parent
BOTTOM = sorted([*HERE.glob("ops*.py"), HERE / "schemaobj.py", HERE / "referents.py"])
ALLOWED = {"engine.errors"} | {f"engine.operations.{p.stem}" for p in BOTTOM}


def _engine_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.add(f"<relative import in {path.name}>")
    return {m for m in found if m.startswith(("engine", "<"))}


def test_op_modules_import_only_errors_and_each_other() -> None:
    assert len(BOTTOM) >= 7
    offenders = {p.name: _engine_imports(p) - ALLOWED for p in BOTTOM}
    assert {k: v for k, v in offenders.items() if v} == {}
