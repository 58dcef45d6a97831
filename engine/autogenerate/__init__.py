"""Autogenerate: compare ``target_metadata`` with the live database, produce
operation objects, render them as a revision script.

``compare_metadata`` and ``produce_migrations`` (the comparison half) live in
``api``; ``render_python_code`` (the rendering half) in ``render`` and is imported
on first use, so comparing never loads the renderer.
"""

from __future__ import annotations

from typing import Any

from engine.autogenerate.api import (
    AutogenContext,
    RevisionContext,
    autogenerate_script,
    autogenerate_scripts,
    compare_metadata,
    produce_migrations,
)
from engine.autogenerate.compare_registry import comparators

__all__ = [
    "AutogenContext",
    "RevisionContext",
    "autogenerate_script",
    "autogenerate_scripts",
    "comparators",
    "compare_metadata",
    "produce_migrations",
    "render_op_text",
    "render_python_code",
    "renderers",
    "Rewriter",
]


def __getattr__(name: str) -> Any:
    """Alembic exports these at the package level; they load the renderer."""
    if name in ("renderers", "render_op_text"):
        from engine.autogenerate import render

        return getattr(render, name)
    if name == "Rewriter":
        from engine.autogenerate.rewriter import Rewriter

        return Rewriter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def render_python_code(*args: Any, **kw: Any) -> str:
    """Render an ``UpgradeOps``/``DowngradeOps`` as Python source (see ``render``)."""
    from engine.autogenerate.render import render_python_code as _render

    return _render(*args, **kw)
