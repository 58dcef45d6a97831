"""The revision graph pane: the lane layout, newest first, one line per row.

A Line-API ``ScrollView``: only the visible rows are rendered, so 10,000
revisions scroll as fast as ten. Rendered lines are kept (``_lines``) until
their content changes (``redraw``), so a cursor move that scrolls by one line
builds two lines (the new one and the cursor's), not a screenful. The cursor
moves over revision rows (the connector rows between them are skipped).
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_migrate.graph_layout import NodeRow
from tui_migrate.tui_model import APPLIED, CURRENT, PENDING, UNKNOWN, ProjectView

STATE_STYLES = {
    CURRENT: Style(color="bright_green", bold=True),
    APPLIED: Style(color="green"),
    PENDING: Style(color="yellow"),
    UNKNOWN: Style(color="bright_black"),
}
LINE_STYLE = Style(color="bright_black")
ID_STYLE = Style(color="cyan")
HEAD_STYLE = Style(color="magenta", bold=True)
LABEL_STYLE = Style(color="blue", bold=True)
DB_STYLE = Style(color="bright_green", bold=True)
MARK_STYLE = Style(color="bright_white", bgcolor="dark_magenta", bold=True)
DEP_STYLE = Style(color="bright_black", italic=True)


class RevisionGraph(ScrollView, can_focus=True):
    """Lanes + id + marks + message, with a cursor over revision rows."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", show=False),
        Binding("g,home", "first", "First", show=False),
        Binding("G,end", "last", "Last", show=False),
        Binding("space", "toggle_mark", "Mark head", show=False),
    ]

    DEFAULT_CSS = """
    RevisionGraph { background: $surface; }
    """

    # repaint=False: watch_cursor repaints what the move changed (the two cursor lines,
    # or the whole pane when it scrolls); a repainting reactive would redraw every
    # visible line on every move.
    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        """The cursor is on another revision (``rev_id`` None: nothing shown)."""

        def __init__(self, rev_id: str | None) -> None:
            super().__init__()
            self.rev_id = rev_id

    class MarkRefused(Message):
        def __init__(self, rev_id: str) -> None:
            super().__init__()
            self.rev_id = rev_id

    def __init__(self, **kwargs) -> None:  # noqa: ANN003 - Widget keyword arguments
        super().__init__(**kwargs)
        self.view: ProjectView | None = None
        self.marked: list[str] = []
        self.id_width = 12
        self.placeholder = "loading revisions…"
        # layout row index -> its rendered line (the cursor's excepted); cleared by
        # redraw() and whenever _lines_key (style, width, horizontal scroll) changes
        self._lines: LRUCache[int, Strip] = LRUCache(1024)
        self._lines_key: tuple[Style, int, int] = (Style(), 0, 0)

    def redraw(self) -> None:
        """Repaint after the content changed (view, database state, marks, widths)."""
        self._lines.clear()
        self.refresh()

    # --- data ----------------------------------------------------------------------

    def set_view(self, view: ProjectView, keep: str | None = None) -> None:
        """Show ``view``; keep the cursor on ``keep`` when it is still shown."""
        self.view = view
        self.marked = [m for m in self.marked if m in view.rmap]
        rows = view.layout.rows
        width = view.layout.width + self.id_width + 40
        self.virtual_size = Size(width, len(rows))
        index = 0
        if keep is not None:
            try:
                row = view.layout.row_of(keep)
            except KeyError:
                row = None
            if row is not None:
                index = view.node_rows.index(row)
        self._lines.clear()
        self.cursor = min(index, max(0, len(view.node_rows) - 1))
        self.refresh()

    @property
    def selected(self) -> str | None:
        view = self.view
        if view is None or not view.node_rows:
            return None
        row = view.layout.rows[view.node_rows[self.cursor]]
        assert isinstance(row, NodeRow)
        return row.node_id

    def select(self, rev_id: str) -> bool:
        view = self.view
        if view is None:
            return False
        try:
            row = view.layout.row_of(rev_id)
        except KeyError:
            return False
        self.cursor = view.node_rows.index(row)
        return True

    def watch_cursor(self, old: int, value: int) -> None:
        view = self.view
        if view is not None and view.node_rows and old < len(view.node_rows):
            top = int(self.scroll_offset.y)
            self._scroll_to_row(view.node_rows[value])
            if int(self.scroll_offset.y) == top:  # only the two cursor lines change
                # ScrollView.refresh_lines takes layout rows (it subtracts the scroll)
                self.refresh_lines(view.node_rows[old])
                self.refresh_lines(view.node_rows[value])
            else:
                self.refresh()
        else:
            self.refresh()
        self.post_message(self.Highlighted(self.selected))

    def _scroll_to_row(self, row: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_offset.y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    # --- actions ---------------------------------------------------------------------

    def _count(self) -> int:
        return len(self.view.node_rows) if self.view else 0

    def action_move(self, delta: int) -> None:
        if self._count():
            self.cursor = max(0, min(self._count() - 1, self.cursor + delta))

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.action_move(direction * height)

    def action_first(self) -> None:
        if self._count():
            self.cursor = 0

    def action_last(self) -> None:
        if self._count():
            self.cursor = self._count() - 1

    def action_toggle_mark(self) -> None:
        rev_id = self.selected
        if rev_id is None or self.view is None:
            return
        if rev_id in self.marked:
            self.marked.remove(rev_id)
        elif not self.view.revision(rev_id).is_head:
            self.post_message(self.MarkRefused(rev_id))
            return
        else:
            self.marked.append(rev_id)
        self.redraw()

    def on_click(self, event: events.Click) -> None:
        view = self.view
        if view is None or not view.node_rows:
            return
        row = int(self.scroll_offset.y) + event.y
        nearest = min(range(len(view.node_rows)), key=lambda i: abs(view.node_rows[i] - row))
        self.cursor = nearest

    # --- rendering ---------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        base = self.rich_style  # once per paint, not once per line
        key = (base, self.scrollable_content_region.width, int(self.scroll_offset.x))
        if key != self._lines_key:  # the theme, the width or the horizontal scroll changed
            self._lines.clear()
            self._lines_key = key
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        base, width, scroll_x = self._lines_key
        view = self.view
        if view is None or not view.layout.rows:
            text = self.placeholder if y == 0 else ""
            if view is not None and y == 0:
                text = "no revisions match the filter" if view.filter_text else "no revisions"
            return Strip([Segment(text, base + LINE_STYLE)]).crop_extend(0, width, base)
        index = int(self.scroll_offset.y) + y
        rows = view.layout.rows
        if index >= len(rows):
            return Strip.blank(width, base)
        on_cursor = bool(view.node_rows) and view.node_rows[self.cursor] == index
        strip = None if on_cursor else self._lines.get(index)
        if strip is None:
            row = rows[index]
            if isinstance(row, NodeRow):
                segments = self._node_segments(view, row, base)
            else:
                segments = [Segment(row.cells, base + LINE_STYLE)]
            if on_cursor:
                cursor = Style(reverse=True) if self.has_focus else Style(underline=True)
                segments = [Segment(s.text, (s.style or base) + cursor) for s in segments]
            strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, base)
            if not on_cursor:
                self._lines[index] = strip
        return strip

    def _node_segments(self, view: ProjectView, row: NodeRow, base: Style) -> list[Segment]:
        rev = view.revision(row.node_id)
        state = view.state_of(row.node_id)
        cells = row.cells
        col = row.column
        out = [
            Segment(cells[:col], base + LINE_STYLE),
            Segment(state, base + STATE_STYLES[state]),
            Segment(cells[col + 1 :].rstrip() + " ", base + LINE_STYLE),
        ]
        if row.node_id in self.marked:
            out.append(Segment("[✓]", base + MARK_STYLE))
            out.append(Segment(" ", base))
        out.append(Segment(row.node_id[: self.id_width], base + ID_STYLE))
        if rev is not None and rev.is_head:
            out.append(Segment(" (head)", base + HEAD_STYLE))
        if rev is not None and rev.is_base:
            out.append(Segment(" (base)", base + LINE_STYLE))
        for label in sorted(getattr(rev, "_orig_branch_labels", ()) or ()):
            out.append(Segment(f" [{label}]", base + LABEL_STYLE))
        if state == CURRENT:
            out.append(Segment(" ◀ DB", base + DB_STYLE))
        doc = getattr(rev, "doc", "") or ""
        if doc:
            out.append(Segment(" " + doc, base))
        if row.dependencies:
            deps = ", ".join(d[:8] for d in row.dependencies)
            out.append(Segment(f" (needs {deps})", base + DEP_STYLE))
        return out

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        if self.view is not None and self.view.node_rows:
            self._scroll_to_row(self.view.node_rows[self.cursor])
