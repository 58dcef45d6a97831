"""``alembic.context``: forwards to the context object of the migration run in progress."""

from __future__ import annotations

from typing import Any

from engine.compat._proxy import current


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return current("context", name)
