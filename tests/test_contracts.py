"""Architecture contracts from DESIGN.md, enforced."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"
FORBIDDEN = ("alembic", "textual", "rich", "tui_migrate")


def test_engine_source_never_imports_ui_or_alembic():
    offenders = []
    for path in ENGINE.rglob("*.py"):
        if "templates" in path.parts:
            continue  # project files that `init` writes: they import alembic by design
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN:
                    offenders.append(f"{path.relative_to(ENGINE.parent)}: {name}")
    assert offenders == []


def test_heads_path_imports_nothing_heavy():
    """`heads`/`history` must start fast: no SQLAlchemy, Mako, Rich or Textual."""
    code = (
        "import sys, engine.commands, engine.config, tui_migrate.cli;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy','mako','rich','textual','alembic')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_served_alembic_imports_do_not_leak(tmp_path):
    """While scripts run, `import alembic` is ours; afterwards, real Alembic is untouched."""
    code = (
        "import alembic, sys\n"
        "from engine.compat import alembic_served\n"
        "with alembic_served():\n"
        "    from alembic import op, context\n"
        "    import alembic as inner\n"
        "    assert inner.__name__ == 'engine.compat.alembic_pkg', inner\n"
        "assert sys.modules['alembic'] is alembic\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "ok", proc.stderr
