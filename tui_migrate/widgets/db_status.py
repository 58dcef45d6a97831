"""The database status pane: URL, dialect, heads, pending count, warnings."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from tui_migrate.tui_model import DbState, join_ids, warnings_for


def status_text(db: DbState, rmap: Any | None, pending: int | None, narrow: bool) -> Text:
    text = Text(no_wrap=False, overflow="fold")
    text.append("URL ", "dim")
    text.append(db.url or "(none)", "bold")
    if db.dialect:
        text.append(f"  {db.dialect}", "cyan")
    text.append("\n")
    if db.loading and db.heads is None:
        text.append("connecting…", "yellow")
        return text
    if db.heads is None:
        text.append("OFFLINE", "bold reverse red")
        text.append("  r: retry", "bold")
        if db.error:
            first = db.error.splitlines()[0]
            text.append("\n" + first, "red")
        return text
    text.append("DB at ", "dim")
    text.append(join_ids(db.heads, 8 if narrow else 12), "bold green")
    if pending is not None:
        text.append("  pending ", "dim")
        text.append(str(pending), "bold yellow" if pending else "bold green")
    if rmap is not None:
        for warning in warnings_for(db, rmap):
            text.append("\n⚠ " + warning, "bold yellow")
    return text


class DbStatus(Static):
    """Shows a ``DbState``; the app calls ``show``."""

    def show(self, db: DbState, rmap: Any | None, pending: int | None, narrow: bool) -> None:
        self.update(status_text(db, rmap, pending, narrow))
