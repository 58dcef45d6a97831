"""The revision-spec grammar, as a pure parser.

Forms (Alembic's, all of them)::

    head  heads  base  current          symbolic
    1a2b3c4d5e6f  1a2b                  full or partial id (4+ chars to be safe)
    mybranch                            a branch label (names its labelled revision)
    mybranch@head  mybranch@heads  mybranch@base  mybranch@1a2b
    +2  -1                              relative to the database's current revision
    1a2b+2  head-1  heads-1  base+1     relative to a symbol or id
    mybranch@+1  mybranch@head-2        relative along a branch
    a:b  :b  a:  current:head  -1:+2    ranges (history, offline upgrade/downgrade)

``parse_spec`` turns a string into a ``Spec`` the TUI and error messages can
inspect; the revision map resolves specs through ``parse_relative`` and the
``@`` split, exactly as Alembic does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import ResolutionError

_RELATIVE = re.compile(r"(?:(?P<branch>.+?)@)?(?P<symbol>\w+)?(?P<steps>[+-]\d+)")
_SYMBOLS = frozenset({"head", "heads", "base", "current"})


@dataclass(frozen=True)
class Relative:
    """``[branch@][symbol](+|-)N``; ``symbol`` None means "from the current revision"."""

    branch: str | None
    symbol: str | None
    steps: int


@dataclass(frozen=True)
class Spec:
    """One end of a range, parsed."""

    text: str
    branch: str | None  # the part before '@'
    symbol: str | None  # head/heads/base/current, an id, a label; None for "+N"
    steps: int | None  # relative move, if any

    @property
    def is_relative(self) -> bool:
        return self.steps is not None

    @property
    def is_symbolic(self) -> bool:
        return self.symbol in _SYMBOLS


@dataclass(frozen=True)
class Range:
    lower: Spec | None
    upper: Spec | None


def parse_relative(text: str) -> Relative | None:
    """The relative form of ``text``, or None when it is not relative."""
    m = _RELATIVE.fullmatch(text)
    if m is None:
        return None
    return Relative(m.group("branch"), m.group("symbol"), int(m.group("steps")))


def parse_spec(text: str) -> Spec:
    """Parse one revision spec; raises ``ResolutionError`` when malformed."""
    if not isinstance(text, str) or not text.strip():
        raise ResolutionError("An empty revision spec was given", text or "")
    text = text.strip()
    if ":" in text:
        raise ResolutionError(
            f"Revision spec {text!r} is a range; a single revision is expected here",
            text,
        )
    rel = parse_relative(text)
    if rel is not None:
        return Spec(text, rel.branch, rel.symbol, rel.steps)
    branch, at, symbol = text.partition("@")
    if not at:
        return Spec(text, None, text, None)
    if not branch or not symbol:
        raise ResolutionError(
            f"Revision spec {text!r} is malformed: expected 'label@revision'", text
        )
    if "@" in symbol:
        raise ResolutionError(f"Revision spec {text!r} has more than one '@'", text)
    return Spec(text, branch, symbol, None)


def parse_range(text: str) -> Range:
    """Parse ``lower:upper`` where either side may be empty."""
    if text.count(":") != 1:
        raise ResolutionError(
            f"Revision range {text!r} must have the form [start]:[end]",
            text,
            hint="For example 'base:head', 'ae10:', ':head' or 'current:'.",
        )
    lower, upper = (part.strip() for part in text.split(":"))
    return Range(parse_spec(lower) if lower else None, parse_spec(upper) if upper else None)
