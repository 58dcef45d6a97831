"""The registry of comparison functions (``engine.autogenerate.comparators``).

Each comparison function is registered for a *target*:

* ``"schema"``: ``fn(autogen_context, upgrade_ops, schemas)``: once per run.
* ``"table"``:  ``fn(autogen_context, modify_table_ops, schema, table_name,
  conn_table, metadata_table)``: once per table; ``conn_table`` is None for a
  table being created, ``metadata_table`` None for one being dropped.
* ``"column"``: ``fn(autogen_context, alter_column_op, schema, table_name,
  column_name, conn_column, metadata_column)``: once per column present on both
  sides; setting ``modify_*`` on the op records a change.

A *qualifier* restricts a function to one dialect name (``"postgresql"``...);
``"default"`` runs everywhere. The built-in comparisons register themselves here
the same way a project's own would, and run in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])

TARGETS = ("schema", "table", "column")


class ComparatorRegistry:
    def __init__(self) -> None:
        self._fns: dict[str, list[tuple[str, Callable[..., Any]]]] = {t: [] for t in TARGETS}

    def dispatch_for(self, target: str, qualifier: str = "default") -> Callable[[_F], _F]:
        """Decorator: register ``fn`` as a comparison for ``target``."""
        if target not in self._fns:
            raise ValueError(f"unknown comparison target {target!r}; one of {TARGETS}")

        def register(fn: _F) -> _F:
            self._fns[target].append((qualifier, fn))
            return fn

        return register

    def remove(self, fn: Callable[..., Any]) -> None:
        for entries in self._fns.values():
            entries[:] = [e for e in entries if e[1] is not fn]

    def functions(self, target: str, dialect_name: str) -> list[Callable[..., Any]]:
        names = {"default", dialect_name}
        if dialect_name == "mariadb":
            names.add("mysql")
        return [fn for qualifier, fn in self._fns[target] if qualifier in names]

    def run(self, target: str, autogen_context: Any, *args: Any) -> None:
        for fn in self.functions(target, autogen_context.dialect.name):
            fn(autogen_context, *args)


comparators = ComparatorRegistry()
