"""The revision graph repaints what a cursor move changes, and only that.

A move that does not scroll redraws two lines (the one the cursor leaves, the one
it lands on); a move that scrolls redraws the pane. Either way exactly one line
shows the cursor, at the cursor's row, also after the pane has scrolled (the
lines to redraw are counted in layout rows, not from the top of the pane).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.config import Config
from tests.benchmarks.projects import ProjectSpec
from tests.tui.helpers import run, wait_for
from tui_migrate.app import MigrateApp


def cursor_lines(app: Any) -> list[int]:
    """The graph's lines (0: its top line) drawn in the cursor's style, as the screen
    would show them now: every widget's lines as last rendered (a line not marked for
    a repaint keeps what it showed before)."""
    graph = app.graph
    region = app.screen.find_widget(graph).region
    width = graph.scrollable_content_region.width  # not the scrollbar
    strips = app.screen._compositor.render_strips()
    found = []
    for y in range(region.height):
        strip = strips[region.y + y].crop(region.x, region.x + width)
        if any(seg.style is not None and seg.style.reverse for seg in strip):
            found.append(y)
    return found


def test_a_move_redraws_the_lines_it_changes(tmp_path: Path) -> None:
    project = ProjectSpec("linear", 60).build(tmp_path)
    config = Config(str(project / "alembic.ini"))

    async def scenario() -> None:
        app = MigrateApp(config, read_database=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.view is not None)
            await pilot.pause()
            graph = app.graph
            rendered: list[int] = []
            render_line = graph.render_line

            def counting(y: int) -> Any:
                rendered.append(y)
                return render_line(y)

            graph.render_line = counting  # type: ignore[method-assign]
            height = graph.scrollable_content_region.height
            assert cursor_lines(app) == [0]

            await pilot.press("down")  # no scroll: two lines
            assert sorted(rendered) == [0, 1]
            assert cursor_lines(app) == [1]

            for _ in range(height + 10):  # past the bottom: the pane scrolls
                await pilot.press("down")
            top = int(graph.scroll_offset.y)
            assert top > 0
            assert cursor_lines(app) == [graph.cursor - top] == [height - 1]

            rendered.clear()
            await pilot.press("up")  # back up one line, no scroll, pane scrolled
            assert int(graph.scroll_offset.y) == top
            assert sorted(rendered) == [height - 2, height - 1]
            assert cursor_lines(app) == [height - 2]

            rendered.clear()
            await pilot.press("g")  # to the top: a scroll, the whole pane
            assert int(graph.scroll_offset.y) == 0
            assert len(rendered) >= height
            assert cursor_lines(app) == [0]

    run(scenario())
