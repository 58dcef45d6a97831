"""The preview pane: tabs Info / Upgrade SQL / Downgrade SQL / Source."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane

TABS = (("info", "Info"), ("up", "Upgrade SQL"), ("down", "Downgrade SQL"), ("source", "Source"))


def highlighted(code: str, lexer: str) -> Syntax:
    return Syntax(code, lexer, theme="ansi_dark", word_wrap=False, background_color="default")


class Preview(Vertical):
    """Tabs, each holding a scrollable ``Static``; ``show_*`` fill them."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003 - Widget keyword arguments
        super().__init__(**kwargs)
        self.texts: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="info", id="preview-tabs"):
            for key, title in TABS:
                with TabPane(title, id=key), VerticalScroll(id=f"{key}-scroll"):
                    yield Static("", id=f"{key}-body")

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active

    @active.setter
    def active(self, key: str) -> None:
        self.query_one(TabbedContent).active = key

    def _set(self, key: str, renderable: object, plain: str) -> None:
        self.texts[key] = plain
        self.query_one(f"#{key}-body", Static).update(renderable)

    def show_text(self, key: str, text: str, style: str = "") -> None:
        self._set(key, Text(text, style), text)

    def show_sql(self, key: str, sql: str) -> None:
        self._set(key, highlighted(sql.rstrip() or "-- (no SQL)", "sql"), sql)

    def show_python(self, source: str) -> None:
        self._set("source", highlighted(source.rstrip(), "python"), source)

    def show_info(self, text: Text) -> None:
        self._set("info", text, text.plain)
