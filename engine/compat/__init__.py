"""Serving ``import alembic`` from the engine while project code runs.

Version files and env.py say ``from alembic import op, context``. While the
engine executes them it installs a meta-path finder that answers every
``alembic`` / ``alembic.*`` import with the engine's own modules (listed in
``SERVED``), whether or not real Alembic is installed, and puts the previous
``sys.modules`` entries back afterwards, so nothing leaks into the rest of the
user's process (including a real Alembic imported elsewhere).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

#: alembic module name -> engine module that stands in for it.
SERVED: dict[str, str] = {
    "alembic": "engine.compat.alembic_pkg",
    "alembic.op": "engine.compat.op_proxy",
    "alembic.context": "engine.compat.context_proxy",
}

_lock = threading.RLock()
_depth = 0
_saved: dict[str, ModuleType] = {}


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):  # type: ignore[override]
        if fullname == "alembic" or fullname.startswith("alembic."):
            if fullname not in SERVED:
                return None  # not served: let the import fail as it would
            return importlib.util.spec_from_loader(
                fullname, self, is_package=fullname == "alembic"
            )
        return None

    def create_module(self, spec):  # type: ignore[override]
        return importlib.import_module(SERVED[spec.name])

    def exec_module(self, module):  # type: ignore[override]
        return None


_finder = _Finder()


def _alembic_names() -> list[str]:
    return [n for n in sys.modules if n == "alembic" or n.startswith("alembic.")]


@contextmanager
def alembic_served() -> Iterator[None]:
    """Within this block ``import alembic...`` gives the engine's modules."""
    global _depth
    with _lock:
        if _depth == 0:
            _saved.clear()
            for name in _alembic_names():
                _saved[name] = sys.modules.pop(name)
            sys.meta_path.insert(0, _finder)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _finder in sys.meta_path:
                    sys.meta_path.remove(_finder)
                for name in _alembic_names():
                    del sys.modules[name]
                sys.modules.update(_saved)
                _saved.clear()
