"""The preview pane: tabs Info / Upgrade SQL / Downgrade SQL / Source."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane

from tui_migrate.tui_model import STATE_NAMES, join_ids

if TYPE_CHECKING:  # Pygments (through rich.syntax) loads with the first highlighted text
    from rich.syntax import Syntax

# (key, title, title under 100 columns)
TABS = (
    ("info", "Info", "Info"),
    ("up", "Upgrade SQL", "Up SQL"),
    ("down", "Downgrade SQL", "Down SQL"),
    ("source", "Source", "Source"),
)


def highlighted(code: str, lexer: str) -> Syntax:
    from rich.syntax import Syntax

    return Syntax(code, lexer, theme="ansi_dark", word_wrap=False, background_color="default")


class Preview(Vertical):
    """Tabs, each holding a scrollable ``Static``; ``show_*`` fill them.

    Only the visible tab is repainted at once; the others keep what they were
    given and take it when they are shown, so following the cursor costs one
    pane's layout, not four (and no highlighting of a hidden source).
    """

    def __init__(self, *, narrow: bool = False, **kwargs) -> None:  # noqa: ANN003 - Widget keyword arguments
        super().__init__(**kwargs)
        self.texts: dict[str, str] = {}  # plain text of every tab, shown or not
        self._pending: dict[str, object] = {}
        self._narrow = narrow

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="info", id="preview-tabs"):
            for key, title, short in TABS:
                label = short if self._narrow else title
                with TabPane(label, id=key), VerticalScroll(id=f"{key}-scroll"):
                    yield Static("", id=f"{key}-body")

    def set_narrow(self, narrow: bool) -> None:
        """Short tab titles under 100 columns."""
        self._narrow = narrow
        tabs = self.query_one(TabbedContent)
        for key, title, short in TABS:
            tabs.get_tab(key).label = short if narrow else title

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active

    @active.setter
    def active(self, key: str) -> None:
        self.query_one(TabbedContent).active = key
        self._flush(key)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._flush(event.pane.id or "")

    def _flush(self, key: str) -> None:
        if key in self._pending:
            self.query_one(f"#{key}-body", Static).update(self._pending.pop(key))

    def _set(self, key: str, renderable: object, plain: str) -> None:
        self.texts[key] = plain
        self._pending[key] = renderable
        if self.active == key:
            self._flush(key)

    def show_text(self, key: str, text: str, style: str = "") -> None:
        self._set(key, Text(text, style), text)

    def show_sql(self, key: str, sql: str) -> None:
        self._set(key, highlighted(sql.rstrip() or "-- (no SQL)", "sql"), sql)

    def show_python(self, source: str) -> None:
        self._set("source", highlighted(source.rstrip(), "python"), source)

    def show_info(self, text: Text) -> None:
        self._set("info", text, text.plain)


def info_text(rev: Any, state: str) -> Text:
    """The Info tab: id, state, message, parents, children, labels, path, date."""
    text = Text()

    def row(name: str, value: str, style: str = "") -> None:
        text.append(f"{name:<11}", "bold")
        text.append(value + "\n", style)

    row("Revision", rev.revision, "cyan")
    row("State", f"{state} {STATE_NAMES[state]}")
    row("Message", rev.doc or "")
    row("Parents", join_ids(rev.versioned_down_revisions))
    row("Children", ", ".join(sorted(c[:12] for c in rev.nextrev)) or "(none)")
    labels = sorted(getattr(rev, "_orig_branch_labels", ()) or ())
    if labels:
        row("Labels", ", ".join(labels), "blue")
    deps = rev.dependencies
    if deps:
        deps = (deps,) if isinstance(deps, str) else deps
        resolved = ", ".join(d[:12] for d in rev.resolved_dependencies)
        row("Depends on", f"{', '.join(deps)} (→ {resolved})")
    shape = [
        name
        for name, yes in (
            ("head", rev.is_head),
            ("base", rev.is_base),
            ("branch point", rev.is_branch_point),
            ("merge point", rev.is_merge_point),
        )
        if yes
    ]
    if shape:
        row("Shape", ", ".join(shape))
    if getattr(rev, "create_date", None):
        row("Date", str(rev.create_date))
    row("Path", getattr(rev, "path", "") or "")
    rest = (getattr(rev, "longdoc", "") or "").split("\n\n", 1)
    if len(rest) > 1 and rest[1].strip() and not rest[1].startswith("Revision ID:"):
        text.append("\n" + rest[1].strip() + "\n", "dim")
    return text
