"""What ``import alembic`` gives a version file or env.py run by the engine."""

from __future__ import annotations

from engine import __version__ as _engine_version
from engine.compat import context_proxy as context
from engine.compat import op_proxy as op

#: Scripts sometimes check the Alembic version; we implement 1.x semantics.
__version__ = "1.20.1"
engine_version = _engine_version

__all__ = ["context", "op", "__version__"]


def __getattr__(name: str) -> object:
    """``from alembic import command`` etc.: the served submodule."""
    if name.startswith("__"):
        raise AttributeError(name)
    import importlib

    try:
        return importlib.import_module(f"alembic.{name}")
    except ImportError as err:
        raise AttributeError(f"alembic (served by tui-migrate) has no attribute {name!r}") from err
