"""Module-level proxies: ``op.x`` / ``context.x`` forward to the object the
runner installs for the duration of a migration run."""

from __future__ import annotations

import threading
from typing import Any

from engine.errors import CommandError

_local = threading.local()


def install(kind: str, target: Any) -> None:
    setattr(_local, kind, target)


def get(kind: str) -> Any:
    return getattr(_local, kind, None)


def uninstall(kind: str) -> None:
    if hasattr(_local, kind):
        delattr(_local, kind)


def current(kind: str, attr: str) -> Any:
    target = getattr(_local, kind, None)
    if target is None:
        raise CommandError(
            f"alembic.{kind}.{attr} is only available while a migration runs",
            hint=f"Call {kind}.{attr}() inside upgrade()/downgrade() or env.py, "
            "not at import time.",
        )
    return getattr(target, attr)
