"""What ``import alembic`` gives a version file or env.py run by the engine."""

from __future__ import annotations

from engine import __version__ as _engine_version
from engine.compat import context_proxy as context
from engine.compat import op_proxy as op

#: Scripts sometimes check the Alembic version; we implement 1.x semantics.
__version__ = "1.20.1"
engine_version = _engine_version

__all__ = ["context", "op", "__version__"]
