"""Executing a version file, as Alembic does, with errors that name the file.

The module runs under Alembic's name for it (``re.sub(r"\\W", "_", filename)``,
what ``__name__`` is inside a version file) and sits in ``sys.modules`` only
while its body runs (so that dataclasses, pickling ... work during import);
it is never left there.
"""

from __future__ import annotations

import _imp
import importlib.machinery
import importlib.util
import marshal
import os
import re
import sys
import threading
import traceback
from types import CodeType, ModuleType

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
    fresh = _fresh_bytecode(path) if path.endswith(".py") else None
    if fresh is not None:
        code, cached = fresh
        module = _source_module(name, path, cached)
    else:
        code = None
        if path.endswith(".py") and not os.path.exists(path):
            target = _find_pyc(path) or path
        if not os.path.exists(target):
            raise ScriptError(f"{what.capitalize()} {path} does not exist", path=path)
        loader: importlib.machinery.SourceFileLoader | importlib.machinery.SourcelessFileLoader
        if target.endswith((".pyc", ".pyo")):
            loader = importlib.machinery.SourcelessFileLoader(name, target)
        else:
            loader = importlib.machinery.SourceFileLoader(name, target)
        spec = importlib.util.spec_from_file_location(name, target, loader=loader)
        assert spec is not None
        module = importlib.util.module_from_spec(spec)
    with _load_lock:
        previous = sys.modules.get(name)
        sys.modules[name] = module
        try:
            if code is not None:
                exec(code, module.__dict__)
            else:
                loader.exec_module(module)
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


def _fresh_bytecode(path: str) -> tuple[CodeType, str] | None:
    """The code of ``path`` (and the cache file's path) from its ``__pycache__`` file
    when that is the plain,
    timestamp-checked kind and matches the source's mtime and size (the check
    importlib makes); else None, and the import system loads the file (compiling
    it and writing the cache as usual).

    Loading a few thousand version files is a visible part of a long run;
    importlib's loader spends more time in its own machinery than in reading
    and unmarshalling the file.
    """
    try:
        cached = importlib.util.cache_from_source(path)
        stat = os.stat(path)
        with open(cached, "rb") as fh:
            data = fh.read()
    except (OSError, NotImplementedError, ValueError):
        return None
    if (
        len(data) < 16
        or data[:4] != importlib.util.MAGIC_NUMBER
        or data[4:8] != b"\0\0\0\0"  # flags: not hash-based
        or int.from_bytes(data[8:12], "little") != int(stat.st_mtime) & 0xFFFFFFFF
        or int.from_bytes(data[12:16], "little") != stat.st_size & 0xFFFFFFFF
    ):
        return None
    try:
        code = marshal.loads(memoryview(data)[16:])
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(code, CodeType):
        return None
    if code.co_filename != path:
        # compiled under another path (the project was moved, or named otherwise):
        # tracebacks must name the file as it is now, as importlib's loader makes them
        fix_co_filename = getattr(_imp, "_fix_co_filename", None)
        if fix_co_filename is None:
            return None
        fix_co_filename(code, path)
    return code, cached


def _source_module(name: str, path: str, cached: str) -> ModuleType:
    """The empty module ``module_from_spec`` would make for a top-level source file
    whose bytecode is ``cached``."""
    loader = importlib.machinery.SourceFileLoader(name, path)
    spec = importlib.machinery.ModuleSpec(name, loader, origin=path)
    spec.has_location = True
    spec.cached = cached
    module = ModuleType(name)
    module.__spec__ = spec
    module.__loader__ = loader
    module.__package__ = spec.parent
    module.__file__ = path
    module.__cached__ = spec.cached
    return module


def _failing_line(exc: BaseException, path: str) -> int | None:
    line = None
    real = os.path.realpath(path)
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        fn = frame.f_code.co_filename
        if fn == path or os.path.realpath(fn) == real:
            line = lineno
    return line
