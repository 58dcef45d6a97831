"""Executing a version file, as Alembic does, with errors that name the file.

The module runs under Alembic's name for it (``re.sub(r"\\W", "_", filename)``,
what ``__name__`` is inside a version file) and sits in ``sys.modules`` only
while its body runs (so that dataclasses, pickling ... work during import);
it is never left there.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import sys
import threading
import traceback
from types import ModuleType

from engine.errors import ScriptError


def syntax_error(path: str, exc: SyntaxError) -> ScriptError:
    """``ScriptError`` for a ``SyntaxError`` in ``path`` (message names file and line)."""
    where = f" line {exc.lineno}" if exc.lineno else ""
    err = ScriptError(
        f"Syntax error in {path}{where}: {exc.msg}",
        path=path,
        hint="Fix the Python syntax of the version file.",
    )
    err.lineno = exc.lineno  # type: ignore[attr-defined]
    return err


_load_lock = threading.RLock()


def module_name_for(path: str) -> str:
    """The ``__name__`` a version file runs under (the one Alembic gives it)."""
    return re.sub(r"\W", "_", os.path.basename(path))


def _find_pyc(path: str) -> str | None:
    try:
        cached = importlib.util.cache_from_source(path)
    except (NotImplementedError, ValueError):
        cached = None
    if cached and os.path.exists(cached):
        return cached
    stem = os.path.splitext(path)[0]
    for suffix in (*importlib.machinery.BYTECODE_SUFFIXES, ".pyo"):
        if os.path.exists(stem + suffix):
            return stem + suffix
    return None


def load_module(
    path: str | os.PathLike[str],
    *,
    what: str = "version file",
    passthrough: tuple[type[BaseException], ...] = (),
) -> ModuleType:
    """Execute a version file (``.py``, or ``.pyc``/``.pyo`` when sourceless).

    A ``.py`` path that does not exist falls back to its compiled file, as in
    Alembic's sourceless mode. Any exception raised while the module body runs
    (``SyntaxError``, ``ImportError`` ...) becomes ``ScriptError`` naming the
    file (and the line, when known), with the original as ``__cause__``;
    exceptions of the ``passthrough`` types propagate as they are (env.py
    raising a migration failure or a database error, say).
    """
    path = os.fspath(path)
    name = module_name_for(path)
    target = path
    if path.endswith(".py") and not os.path.exists(path):
        target = _find_pyc(path) or path
    if not os.path.exists(target):
        raise ScriptError(f"{what.capitalize()} {path} does not exist", path=path)
    if target.endswith((".pyc", ".pyo")):
        loader: importlib.machinery.SourcelessFileLoader | None = (
            importlib.machinery.SourcelessFileLoader(name, target)
        )
        spec = importlib.util.spec_from_file_location(name, target, loader=loader)
    else:
        spec = importlib.util.spec_from_file_location(
            name, target, loader=importlib.machinery.SourceFileLoader(name, target)
        )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with _load_lock:
        previous = sys.modules.get(name)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            raise syntax_error(path, exc) from exc
        except passthrough:
            raise
        except Exception as exc:
            line = _failing_line(exc, target)
            where = f" line {line}" if line else ""
            raise ScriptError(
                f"Error in {what} {path}{where}: {type(exc).__name__}: {exc}",
                path=path,
            ) from exc
        finally:
            if sys.modules.get(name) is module:
                if previous is None:
                    del sys.modules[name]
                else:
                    sys.modules[name] = previous
    return module


def _failing_line(exc: BaseException, path: str) -> int | None:
    line = None
    real = os.path.realpath(path)
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        fn = frame.f_code.co_filename
        if fn == path or os.path.realpath(fn) == real:
            line = lineno
    return line
