"""New revision with autogenerate: the preview (changes, warnings, rename questions,
script) before anything is written, against real SQLite and PostgreSQL databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, Input

from engine import commands
from tests.autogenerate.commands_project import ag_project, set_models, version_files
from tests.tui.helpers import run, screen_text, tables, wait_for, wait_ready
from tui_migrate.app import MigrateApp
from tui_migrate.screens.autogen import AutogenerateScreen
from tui_migrate.screens.forms import NewRevisionScreen
from tui_migrate.widgets.rename_question import RenameQuestion

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

# person -> people (a table rename), pet.nick -> pet.handle (a column rename), and a
# NOT NULL column without a server default on a table that exists (a warning)
V2 = (
    V1.replace('"person"', '"people"')
    .replace('"nick"', '"handle"')
    .replace(
        'sa.Column("handle", sa.String(20)),',
        'sa.Column("handle", sa.String(20)),\n    sa.Column("weight", sa.Integer, nullable=False),',
    )
)


def _project(tmp_path: Path, url: str, upgraded: bool = True):  # noqa: ANN202 - a Project
    project = ag_project(tmp_path / "p", url, V1)
    config = project.config()
    commands.revision(config, "v1", autogenerate=True)
    if upgraded:
        commands.upgrade(config, "head")
    set_models(project, V2)
    return project


async def _open_preview(pilot, message: str, keys: bool = False) -> AutogenerateScreen:  # noqa: ANN001
    """n, the message, tick "autogenerate from the models", Preview: typed and ticked
    from the keyboard when ``keys``, else set directly (Pilot's keys are slow)."""
    app = pilot.app
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, NewRevisionScreen))
    form = app.screen
    if keys:
        await pilot.press(*message)
        await pilot.press("tab", "tab", "tab", "tab")  # parent, label, depends_on, autogenerate
        assert app.focused is form.query_one("#autogenerate")
        await pilot.press("space")
        await pilot.pause()
        assert str(form.query_one("#create", Button).label) == "Preview…"
    else:
        form.query_one("#message", Input).value = message
        form.query_one("#autogenerate", Checkbox).value = True
    form.query_one("#create", Button).press()
    await wait_for(pilot, lambda: isinstance(app.screen, AutogenerateScreen))
    screen = app.screen
    await wait_for(pilot, lambda: not screen.comparing)
    await pilot.pause()
    return screen


def _without_date(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("Create Date:")]


@pytest.mark.parametrize("db", ["sqlite_url", "pg_db"])
def test_autogenerate_preview_rename_and_write(
    tmp_path: Path, db: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue(db)
    project = _project(tmp_path, url)
    config = project.config()
    before = version_files(project)

    async def scenario() -> None:
        app = MigrateApp(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)

            # 1. cancel: the preview was shown, nothing is written
            screen = await _open_preview(pilot, "v2", keys=True)
            preview = screen.preview
            assert "add table 'people'" in preview.changes
            assert "remove table 'person'" in preview.changes
            assert "remove column pet.nick" in preview.changes
            assert [w.kind for w in preview.warnings] == ["not_null_without_default"]
            assert [c.accepted for c in preview.candidates] == [False, False]  # default No
            text = screen_text(app)
            assert "Did you rename table person to people?" in text
            assert "Detected changes (" in text
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, AutogenerateScreen))
            assert version_files(project) == before
            assert "cancelled: nothing written" in "\n".join(app.log_pane.plain_lines)

            # 2. yes to the table rename (the first question has the focus), no to the
            #    column: the preview is compared again with the answers, then written
            screen = await _open_preview(pilot, "people renamed")
            questions = list(screen.query(RenameQuestion))
            assert [q.candidate.kind for q in questions] == ["table", "column"]
            assert app.focused is questions[0]
            await pilot.press("y")
            await wait_for(pilot, lambda: not screen.comparing)
            await pilot.pause()
            preview = screen.preview
            assert [(c.kind, c.accepted) for c in preview.candidates] == [
                ("table", True),
                ("column", False),
            ]
            assert "rename table 'person' to 'people'" in preview.changes
            assert "op.rename_table('person', 'people')" in preview.source
            assert "op.drop_table('person')" not in preview.source
            assert "op.drop_column('pet', 'nick')" in preview.source
            assert "WARNING" in preview.source
            assert "rename_table" in screen_text(app) or "Detected" in screen_text(app)
            assert version_files(project) == before  # still nothing written
            screen.query_one("#confirm", Button).press()
            await wait_for(pilot, lambda: len(version_files(project)) == len(before) + 1)
            await wait_for(pilot, lambda: app.view is not None and len(app.view.rmap) == 2)
            (new,) = set(version_files(project)) - set(before)
            written = new.read_text()
            assert "op.rename_table('person', 'people')" in written
            assert _without_date(written) == _without_date(preview.source)
            log = "\n".join(app.log_pane.plain_lines)
            assert "renamed (answered yes): table person -> people" in log

    run(scenario())
    # the written revision runs, and keeps the table (renamed, not dropped)
    commands.upgrade(config, "head")
    assert {"people", "pet"} <= tables(project.url)
    assert "person" not in tables(project.url)


def test_autogenerate_refuses_a_database_behind_the_heads(tmp_path: Path, sqlite_url: str) -> None:
    project = _project(tmp_path, sqlite_url, upgraded=False)
    before = version_files(project)

    async def scenario() -> None:
        app = MigrateApp(project.config())
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_ready(pilot)
            screen = await _open_preview(pilot, "too early")
            assert screen.error is not None and "not up to date" in screen.error
            assert screen.query_one("#confirm", Button).disabled
            assert "Target database is not up to date" in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
            assert version_files(project) == before

    run(scenario())
