"""The real ``tui-migrate`` command opening the app in a terminal (an 80x24
pseudo-terminal, as a shell gives it): with no command, with ``-c``, ``-n`` and
``-x`` as for the CLI; and ``tui-migrate demo``. The app is on screen when the
newest revision's row of the graph is drawn; ``q`` then quits it."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.tui.bench_pty import run_in_terminal
from tui_migrate.demo import create_demo_project

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

NEWEST = b"c2e4a6b8"  # the demo's newest head, as the graph shows it at 80 columns
TUI_MIGRATE = shutil.which("tui-migrate", path=str(Path(sys.executable).parent)) or "tui-migrate"

# env.py reads the database URL from ``-x dburl=...`` when it is given
X_URL = """
_x = context.get_x_argument(as_dictionary=True)
if "dburl" in _x:
    config.set_main_option("sqlalchemy.url", _x["dburl"])
"""


def test_no_command_opens_the_app_with_c_n_and_x(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    create_demo_project(str(demo))
    env_py = demo / "migrations" / "env.py"
    text = env_py.read_text(encoding="utf-8")
    env_py.write_text(
        text.replace("config = context.config\n", "config = context.config\n" + X_URL)
    )
    # A configuration file elsewhere whose only migration section is [mine]: the
    # app finds the scripts only with -n mine, and the database only through -x.
    ini = (demo / "alembic.ini").read_text(encoding="utf-8")
    ini = ini.replace("[alembic]", "[mine]")
    ini = re.sub(
        r"^script_location = .*$", f"script_location = {demo / 'migrations'}", ini, flags=re.M
    )
    ini = re.sub(
        r"^sqlalchemy\.url = .*$",
        f"sqlalchemy.url = sqlite:///{tmp_path / 'from-ini.db'}",
        ini,
        flags=re.M,
    )
    other = tmp_path / "elsewhere" / "other.ini"
    other.parent.mkdir()
    other.write_text(ini, encoding="utf-8")
    from_x = tmp_path / "from-x.db"

    run = run_in_terminal(
        [TUI_MIGRATE, "-c", str(other), "-n", "mine", "-x", f"dburl=sqlite:///{from_x}"],
        tmp_path,
        NEWEST,
        quit_when=from_x.exists,  # env.py connected where -x said
    )
    assert run.exit_code == 0, run.output[-2000:]
    assert from_x.exists() and not (tmp_path / "from-ini.db").exists()
    assert b"Traceback" not in run.output


def test_no_command_in_the_project_directory(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    create_demo_project(str(demo))
    run = run_in_terminal([TUI_MIGRATE], demo, NEWEST)
    assert run.exit_code == 0, run.output[-2000:]


def test_demo_creates_the_project_and_opens_the_app(tmp_path: Path) -> None:
    run = run_in_terminal([TUI_MIGRATE, "demo", "mydemo"], tmp_path, NEWEST)
    assert run.exit_code == 0, run.output[-2000:]
    assert (tmp_path / "mydemo" / "alembic.ini").is_file()
    assert len(list((tmp_path / "mydemo" / "migrations" / "versions").glob("*.py"))) == 7


EDITOR = """\
import os
import sys
from pathlib import Path

# The app is suspended: this editor has the terminal to itself.
assert os.isatty(0) and os.isatty(1), "the editor has no terminal"
print("EDITOR-HAS-THE-TERMINAL", flush=True)
for name in sys.argv[1:]:
    path = Path(name)
    first, rest = path.read_text(encoding="utf-8").split("\\n", 1)
    path.write_text('\\"\\"\\"zq-edited\\n' + rest, encoding="utf-8")
"""


def test_edit_suspends_the_app_for_the_editor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``e`` in a real terminal: the app steps aside (Textual's suspend), $EDITOR gets
    the terminal, then the app comes back and shows the edited revision."""
    demo = tmp_path / "demo"
    create_demo_project(str(demo))
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR, encoding="utf-8")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    run = run_in_terminal(
        [TUI_MIGRATE],
        demo,
        NEWEST,
        steps=[(b"G", b"1b0c5e2a"), (b"e", b"EDITOR-HAS-THE-TERMINAL"), (b"", b"zq-edited")],
    )
    assert run.exit_code == 0, run.output[-2000:]
    edited = next((demo / "migrations" / "versions").glob("1b0c5e2a7d01_*.py")).read_text()
    assert edited.startswith('"""zq-edited\n')
