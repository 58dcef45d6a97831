"""Statement text rendered on first use.

Online, the text of a statement is wanted only sometimes (a listener that logs
it, the message of a failure), but rendering it means compiling the construct a
second time, next to the compile SQLAlchemy does to execute it. Listeners get
a ``PendingSQL`` instead: it behaves as the string it renders to, and renders
(once) only when read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class PendingSQL:
    __slots__ = ("_render", "_text")

    def __init__(self, source: str | Callable[[], str]) -> None:
        if isinstance(source, str):
            self._text: str | None = source
            self._render: Callable[[], str] | None = None
        else:
            self._text = None
            self._render = source

    @property
    def text(self) -> str:
        if self._text is None:
            assert self._render is not None
            self._text = self._render()
            self._render = None
        return self._text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"PendingSQL({self.text!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PendingSQL):
            return self.text == other.text
        return self.text == other

    def __hash__(self) -> int:
        return hash(self.text)

    def __contains__(self, item: str) -> bool:
        return item in self.text

    def __len__(self) -> int:
        return len(self.text)

    def __add__(self, other: str) -> str:
        return self.text + other

    def __radd__(self, other: str) -> str:
        return other + self.text

    def __getattr__(self, name: str) -> Any:
        # str methods: startswith, splitlines, strip, lower ...
        return getattr(self.text, name)
