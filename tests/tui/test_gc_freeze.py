"""The loaded project is kept out of the cycle collector's full collections while
the app runs (gc.freeze after the first screen and after each reload), and given
back when the app closes, so nothing frozen outlives it."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from engine.config import Config
from tests.benchmarks.projects import ProjectSpec
from tests.tui.helpers import run, wait_for
from tui_migrate.app import MigrateApp


def test_the_project_is_frozen_while_shown_and_released_on_reload_and_exit(
    tmp_path: Path,
) -> None:
    project = ProjectSpec("linear", 40).build(tmp_path)
    config = Config(str(project / "alembic.ini"))
    gc.unfreeze()

    async def scenario() -> None:
        app = MigrateApp(config, read_database=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.first_screen_seconds is not None)
            await pilot.pause()
            assert gc.get_freeze_count() > 0
            first_view = weakref.ref(app.view)
            app.load_project()
            await wait_for(pilot, lambda: app.view is not first_view())
            await pilot.pause()
            assert first_view() is None  # the replaced project was collected
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() == 0

    run(scenario())
