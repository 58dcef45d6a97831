"""Printing results: Alembic's plain lines, coloured by Rich on a terminal.

Rich is imported only when stdout is a terminal, so piped output (and the
start-up time of ``heads`` / ``history``) pays nothing for it.
"""

from __future__ import annotations

import re
import sys
from typing import Any, TextIO

from engine.urls import mask_secrets

_REV = re.compile(r"\b[0-9a-f]{12}\b")
_MARKS = re.compile(r"\((head|effective head|branchpoint|mergepoint|current)\)")


class Output:
    def __init__(
        self,
        *,
        quiet: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        color: bool | None = None,
    ) -> None:
        self.quiet = quiet
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.color = self.stdout.isatty() if color is None else color
        self._console: Any = None
        self._err_console: Any = None

    # --- Rich, on demand ------------------------------------------------------

    def _rich(self, err: bool = False) -> Any:
        from rich.console import Console

        if err:
            if self._err_console is None:
                self._err_console = Console(file=self.stderr, highlight=False)
            return self._err_console
        if self._console is None:
            self._console = Console(file=self.stdout, highlight=False, soft_wrap=True)
        return self._console

    # --- normal output --------------------------------------------------------

    def line(self, text: str = "") -> None:
        if self.quiet:
            return
        self.stdout.write(text + "\n")

    def revision_line(self, text: str) -> None:
        """A line in Alembic's format; coloured (same characters) on a terminal."""
        if self.quiet:
            return
        if not self.color:
            self.stdout.write(text + "\n")
            return
        from rich.text import Text

        styled = Text(text)
        styled.highlight_regex(_REV, "bold cyan")
        styled.highlight_regex(_MARKS, "bold green")
        styled.highlight_regex(r"\(current\)", "bold magenta")
        styled.highlight_regex(
            r"^(Rev|Parent|Merges|Branches into|Path|Branch names"
            r"|Revises|Create Date|Revision ID):",
            "dim",
        )
        self._rich().print(styled)

    def status(self, message: str) -> None:
        """``  Generating x ...  done`` — Alembic's status line."""
        if self.quiet:
            return
        if self.color:
            from rich.text import Text

            t = Text("  " + message + " ...  ")
            t.append("done", style="green")
            self._rich().print(t)
        else:
            self.stdout.write(f"  {message} ...  done\n")

    def note(self, message: str) -> None:
        """A human note about what happened (stderr, so stdout stays parseable)."""
        if self.quiet:
            return
        if self.stderr.isatty():
            self._rich(err=True).print(message, style="green", highlight=False)
        else:
            self.stderr.write(message + "\n")

    # --- errors ---------------------------------------------------------------

    def error(self, err: BaseException) -> None:
        from engine.errors import MigrateError

        if isinstance(err, MigrateError):
            message, hint = err.message, err.hint
            where_now = getattr(err, "where_now", None)
            if where_now is not None:
                here = ", ".join(where_now) or "base (no version rows)"
                hint = (
                    f"{hint}\n  The database is now at: {here}"
                    if hint
                    else (f"The database is now at: {here}")
                )
        else:
            message = f"internal error: {type(err).__name__}: {err}"
            hint = "Run again with --raiseerr for the full traceback."
        self.error_text(mask_secrets(message), mask_secrets(hint) if hint else None)

    def error_text(self, message: str, hint: str | None = None) -> None:
        if self.stderr.isatty():
            from rich.text import Text

            t = Text("FAILED: ", style="bold red")
            t.append(message)
            if hint:
                t.append("\n  hint: ", style="yellow")
                t.append(hint)
            self._rich(err=True).print(t)
            return
        self.stderr.write(f"FAILED: {message}\n")
        if hint:
            self.stderr.write(f"  hint: {hint}\n")
