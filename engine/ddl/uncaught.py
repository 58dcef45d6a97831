"""Whether an exception raised here would reach the migration runner uncaught.

A statement may run after the call that issued it has returned (engine/ddl/
sqlite_ahead.py) only if no code between that call and the runner could have
caught its error: otherwise a script that catches a failure and carries on
(``try: op.drop_index(...) except OperationalError: pass``, which SQLite allows,
since a failed statement does not end its transaction) would behave otherwise.

Since Python 3.11 every ``try``, ``except``, ``finally`` and ``with`` of a
function is an entry of its code object's exception table: the range of
instructions it covers and where the handler starts. A frame can catch an
exception raised in the call it is making exactly when an entry covers the
instruction it is at (``f_lasti``). Frames of the engine and of SQLAlchemy are
trusted (they re-raise what they catch); any other frame with a covering entry
means "it could be caught". Without exception tables (Python 3.10), every such
frame is assumed to catch.

The format of ``co_exceptiontable`` (CPython's Objects/exception_handling_notes.txt):
a sequence of entries, each five variable-length numbers (start, length, target,
depth and lasti flag); a number is written six bits per byte, high bits first,
bit 6 set on every byte but its last, bit 7 set on an entry's first byte.
Offsets are in code units (two bytes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from types import CodeType, FrameType

import sqlalchemy

import engine

_TRUSTED = tuple(
    os.path.dirname(os.path.abspath(package.__file__)) + os.sep
    for package in (engine, sqlalchemy)
    if package.__file__
)

#: Code objects of the runner's own frames: an exception that gets there unhandled
#: by anything else is the runner's to report (registered by engine/runtime/steps.py).
_BOUNDARIES: set[CodeType] = set()

_RANGES: dict[CodeType, tuple[tuple[int, int], ...]] = {}
_TRUSTED_FILES: dict[str, bool] = {}


def mark_boundary(*codes: CodeType) -> None:
    """Register the code of runner functions that report every exception themselves."""
    _BOUNDARIES.update(codes)


def reaches_runner(frame: FrameType | None) -> bool:
    """Whether an exception raised in the call ``frame`` is making would propagate
    to a runner frame (``mark_boundary``) with no frame on the way able to catch it."""
    while frame is not None:
        code = frame.f_code
        if code in _BOUNDARIES:
            return True
        if not _trusted(code.co_filename) and _covered(code, frame.f_lasti):
            return False
        frame = frame.f_back
    return False  # not called under the runner (another thread, a callback ...)


def _trusted(filename: str) -> bool:
    known = _TRUSTED_FILES.get(filename)
    if known is None:
        known = _TRUSTED_FILES[filename] = filename.startswith(_TRUSTED)
    return known


def _covered(code: CodeType, offset: int) -> bool:
    ranges = _RANGES.get(code)
    if ranges is None:
        table = getattr(code, "co_exceptiontable", None)
        if table is None:  # Python 3.10: no table to read; assume the worst
            return True
        ranges = _RANGES[code] = handler_ranges(table)
    return any(start <= offset < end for start, end in ranges)


def handler_ranges(table: bytes) -> tuple[tuple[int, int], ...]:
    """The byte ranges ``[start, end)`` of the instructions each entry of an
    exception table covers."""
    numbers = _numbers(table)
    ranges = []
    while True:
        try:
            start = next(numbers)
            length = next(numbers)
        except StopIteration:
            break
        next(numbers)  # handler target
        next(numbers)  # stack depth and lasti flag
        ranges.append((start * 2, (start + length) * 2))
    return tuple(ranges)


def _numbers(table: bytes) -> Iterator[int]:
    value = 0
    for byte in table:
        value = (value << 6) | (byte & 0x3F)
        if not byte & 0x40:  # the last byte of this number
            yield value
            value = 0
