"""The log pane: every action with time, duration, outcome, SQL and errors."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import RichLog


class LogPane(RichLog):
    """A ``RichLog`` with one entry format (``entry``) and indented details."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003 - Widget keyword arguments
        # min_width=1: wrap at the pane's width. RichLog's default (78) renders every
        # line 78 columns wide and crops it in a narrower pane: the end of a long
        # error, statement or path would be cut off, not wrapped.
        super().__init__(
            wrap=True, markup=False, highlight=False, max_lines=5000, min_width=1, **kwargs
        )
        self.plain_lines: list[str] = []

    def entry(
        self,
        action: str,
        outcome: str,
        duration: float | None = None,
        details: list[str] | None = None,
        style: str = "",
    ) -> None:
        stamp = datetime.now().strftime("%H:%M:%S")
        line = Text()
        line.append(stamp + " ", "dim")
        line.append(action + " ")
        line.append(outcome, style or ("green" if outcome == "ok" else "bold red"))
        if duration is not None:
            line.append(f" {duration:.1f} s", "dim")
        self.write(line)
        plain = f"{stamp} {action} {outcome}" + (f" {duration:.1f} s" if duration else "")
        self.plain_lines.append(plain)
        for detail in details or ():
            for sub in detail.splitlines() or [""]:
                self.write(Text("  " + sub, "dim"))
                self.plain_lines.append("  " + sub)
