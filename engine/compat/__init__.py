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
from typing import Any

#: alembic module name -> where its names come from. A string is an engine
#: module served as it is; a tuple lists engine modules searched in order for
#: each attribute, with ``{"name": "module"}`` (the module itself) or
#: ``{"name": "module:attr"}`` entries for aliases.
#: Those are served as fresh shim modules that resolve names lazily, so
#: serving ``alembic.operations`` does not import the DDL layer until used.
SERVED: dict[str, str | tuple[Any, ...]] = {
    "alembic": "engine.compat.alembic_pkg",
    "alembic.op": "engine.compat.op_proxy",
    "alembic.context": "engine.compat.context_proxy",
    "alembic.operations": (
        "engine.operations.base",
        {
            "ops": "engine.operations.ops",
            "MigrateOperation": "engine.operations.ops:MigrateOperation",
        },
    ),
    "alembic.operations.ops": ("engine.operations.ops",),
    "alembic.operations.base": ("engine.operations.base",),
    "alembic.operations.schemaobj": ("engine.operations.schemaobj",),
    "alembic.operations.batch": ("engine.operations.batch",),
    "alembic.config": ("engine.config",),
    "alembic.command": ("engine.commands",),
    "alembic.script": (
        "engine.scripts.directory",
        "engine.scripts.script",
        {"revision": "engine.revisions.revision_map"},
    ),
    "alembic.script.revision": (
        "engine.revisions.revision_map",
        "engine.revisions.revision",
        "engine.errors",
    ),
    "alembic.runtime": (
        {
            "migration": "engine.runtime.migration",
            "environment": "engine.runtime.environment",
        },
    ),
    "alembic.runtime.migration": ("engine.runtime.migration", "engine.runtime.step_info"),
    "alembic.runtime.environment": ("engine.runtime.environment",),
    "alembic.util": ("engine.compat.alembic_util", {"exc": "engine.errors"}),
    "alembic.util.exc": ("engine.errors",),
    "alembic.ddl": (
        "engine.ddl.impl",
        {
            "impl": "engine.ddl.impl",
            "postgresql": "engine.ddl.postgresql",
            "mysql": "engine.ddl.mysql",
            "sqlite": "engine.ddl.sqlite",
            "base": "engine.ddl.elements",
        },
    ),
    "alembic.ddl.impl": ("engine.ddl.impl",),
    "alembic.ddl.base": ("engine.ddl.elements",),
    "alembic.ddl.postgresql": ("engine.ddl.postgresql",),
    "alembic.ddl.mysql": ("engine.ddl.mysql",),
    "alembic.ddl.sqlite": ("engine.ddl.sqlite",),
}

#: Served names that other served names live under (imported as packages).
_PACKAGES = {
    "alembic",
    "alembic.operations",
    "alembic.script",
    "alembic.runtime",
    "alembic.util",
    "alembic.ddl",
}


def _resolve(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    mod = importlib.import_module(module)
    return getattr(mod, attr) if attr else mod


def _shim(name: str, sources: tuple[Any, ...]) -> ModuleType:
    """A module whose attributes come lazily from ``sources``."""
    shim = ModuleType(name, f"Served by tui-migrate's engine in place of {name}.")

    def __getattr__(attr: str) -> Any:  # noqa: N807 - module-level __getattr__
        if attr.startswith("__"):
            raise AttributeError(attr)
        for source in sources:
            if isinstance(source, dict):
                if attr in source:
                    value = _resolve(source[attr])
                    setattr(shim, attr, value)
                    return value
                continue
            mod = importlib.import_module(source)
            if hasattr(mod, attr):
                value = getattr(mod, attr)
                setattr(shim, attr, value)
                return value
        raise AttributeError(f"{name} (served by tui-migrate) has no attribute {attr!r}")

    shim.__getattr__ = __getattr__  # type: ignore[method-assign]
    return shim


_lock = threading.RLock()
_depth = 0
_saved: dict[str, ModuleType] = {}


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):  # type: ignore[override]
        if fullname == "alembic" or fullname.startswith("alembic."):
            if fullname not in SERVED:
                return None  # not served: let the import fail as it would
            return importlib.util.spec_from_loader(fullname, self, is_package=fullname in _PACKAGES)
        return None

    def create_module(self, spec):  # type: ignore[override]
        source = SERVED[spec.name]
        if isinstance(source, str):
            return importlib.import_module(source)
        return _shim(spec.name, source)

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
