"""SVG snapshots (pytest-textual-snapshot) of the main view, a rollback awaiting
confirmation, the merge form and the help screen, at 80x24 and 120x40.

Update after an intended change: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_migrate.app import MigrateApp
from tui_migrate.screenshots import SCENES, prepare_demo


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("scene", sorted(SCENES))
def test_snapshot(
    scene: str, size: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, snap_compare
) -> None:  # noqa: ANN001 - snap_compare is the plugin's fixture
    project = tmp_path / "demo"
    project.mkdir()
    monkeypatch.chdir(project)  # the relative SQLite URL keeps temporary paths off the screen
    config = prepare_demo(str(project))
    assert snap_compare(MigrateApp(config), terminal_size=size, run_before=SCENES[scene])
