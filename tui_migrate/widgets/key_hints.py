"""The key hints line: Textual's ``Footer``, rebuilt only when its keys change.

The stock footer throws its keys away and mounts new ones every time the
screen's bindings are refreshed (focus moves, a dialog closes, the app opens:
eight times before the first screen is up), even when the keys it shows are
the same. Each rebuild restyles the footer's widgets on the main thread, where
it competes with the loading of a big project. Here a rebuild is skipped when
the keys, their descriptions and their enabled state are those already shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer


def shown_keys(screen: Screen) -> tuple[Any, ...]:
    """What the footer shows for ``screen``: its keys, bindings, enabled state, tooltips."""
    return tuple(
        (key, binding, enabled, tooltip)
        for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show
    )


class KeyHints(Footer):
    """A ``Footer`` that keeps its keys while they stay the same."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._composed_for: tuple[Any, ...] | None = None  # the keys on show
        self._rebuild_pending = False

    def compose(self) -> Iterator[Widget]:  # type: ignore[override]
        # What is composed now is what the footer shows until the next rebuild.
        self._rebuild_pending = False
        self._composed_for = shown_keys(self.screen) if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        # As Footer.bindings_changed, but no rebuild while one is on its way (it
        # reads the bindings when it runs) or when the keys shown would not change.
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if self._rebuild_pending or shown_keys(screen) == self._composed_for:
            return
        self._rebuild_pending = True
        self.call_after_refresh(self.recompose)
