"""``op``: operations as data objects (``ops``), the ``Operations`` façade (``base``),
how each op runs (``toimpl``) and batch mode (``batch``)."""

from __future__ import annotations

from engine.operations import ops, toimpl
from engine.operations.base import BatchOperations, Operations
from engine.operations.ops import MigrateOperation

__all__ = ["BatchOperations", "MigrateOperation", "Operations", "ops", "toimpl"]
