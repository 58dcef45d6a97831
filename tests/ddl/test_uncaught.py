"""Reading exception tables (engine/ddl/uncaught.py): whether an error raised in a
call would reach the runner with nothing on the way able to catch it."""

from __future__ import annotations

import contextlib
import dis
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest

from engine.ddl import uncaught

needs_tables = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="exception tables came with Python 3.11"
)


def _functions(*modules: types.ModuleType) -> list[types.FunctionType]:
    found = []
    for module in modules:
        for value in vars(module).values():
            members = vars(value).values() if isinstance(value, type) else [value]
            found.extend(f for f in members if isinstance(f, types.FunctionType))
    return found


@needs_tables
def test_handler_ranges_match_the_interpreters_own_reading() -> None:
    import asyncio.base_events
    import logging
    import threading

    functions = _functions(asyncio.base_events, logging, threading, contextlib, uncaught)
    with_handlers = 0
    for function in functions:
        code = function.__code__
        expected = tuple((e.start, e.end) for e in dis._parse_exception_table(code))  # type: ignore[attr-defined]
        assert uncaught.handler_ranges(code.co_exceptiontable) == expected, function
        with_handlers += bool(expected)
    assert with_handlers > 50


def test_handler_ranges_of_literal_tables() -> None:
    assert uncaught.handler_ranges(b"") == ()
    # one entry: start 2, length 3, target 9, depth/lasti 2 (units of two bytes)
    assert uncaught.handler_ranges(bytes([0x80 | 2, 3, 9, 2])) == ((4, 10),)
    # a start of 70 takes two bytes: 1 << 6 | 6 (continuation bit 0x40 on the first)
    assert uncaught.handler_ranges(bytes([0x80 | 0x40 | 1, 6, 1, 0, 0])) == ((140, 142),)


# ---------------------------------------------------------------- reaches_runner


def _probe() -> bool:
    """What the engine asks where a statement is issued: from its caller upwards."""
    return uncaught.reaches_runner(sys._getframe(1))


def _runner(body: Callable[[], Any]) -> Any:
    return body()


uncaught.mark_boundary(_runner.__code__)


def plain() -> bool:
    return _probe()


def in_try() -> bool:
    try:
        return _probe()
    except ValueError:
        return True


def in_finally() -> bool:
    try:
        pass
    finally:
        result = _probe()
    return result


def in_except_body() -> bool:
    try:
        raise KeyError
    except KeyError:
        return _probe()


def in_with() -> bool:
    with contextlib.nullcontext():
        return _probe()


def helper() -> bool:
    return _probe()


def helper_in_callers_try() -> bool:
    try:
        return helper()
    except ValueError:
        return True


def after_a_try() -> bool:
    try:
        value = int("1")
    except ValueError:
        value = 0
    return _probe() and value == 1


@needs_tables
@pytest.mark.parametrize(
    ("body", "reaches"),
    [
        (plain, True),
        (helper, True),
        (after_a_try, True),
        (in_try, False),
        # a finally block that runs because nothing was raised is code of its own,
        # outside any handler: an error there propagates
        (in_finally, True),
        (in_except_body, False),
        (in_with, False),
        (helper_in_callers_try, False),
    ],
)
def test_reaches_the_runner_unless_something_could_catch(body, reaches) -> None:
    assert _runner(body) is reaches


def test_outside_the_runner_nothing_reaches_it() -> None:
    assert plain() is False


class _CodeOfPython310:
    """A code object as Python 3.10 has it: no exception table."""

    co_filename = __file__


def test_without_exception_tables_any_other_frame_could_catch() -> None:
    assert uncaught._covered(_CodeOfPython310(), 0) is True  # type: ignore[arg-type]
    frame = types.SimpleNamespace(f_code=_CodeOfPython310(), f_lasti=0, f_back=None)
    assert uncaught.reaches_runner(frame) is False  # type: ignore[arg-type]


def test_engine_and_sqlalchemy_frames_are_trusted() -> None:
    import sqlalchemy.engine.base

    import engine.runtime.steps

    assert uncaught._trusted(engine.runtime.steps.__file__)
    assert uncaught._trusted(sqlalchemy.engine.base.__file__)
    assert not uncaught._trusted(__file__)
