"""``renderers``: which function renders which operation class.

Projects add renderers for their own operations the way Alembic documents it::

    from alembic.autogenerate import renderers

    @renderers.dispatch_for(CreateSequenceOp)
    def render_create_sequence(autogen_context, op):
        return "op.create_sequence(%r)" % op.sequence_name

A renderer returns one string (possibly several lines) or a list of strings.
Lookup follows the op's class hierarchy; a renderer registered with a dialect
name as ``qualifier`` wins on that dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


class RendererRegistry:
    def __init__(self) -> None:
        self._fns: dict[tuple[type, str], Callable[..., Any]] = {}

    def dispatch_for(self, op_cls: type, qualifier: str = "default") -> Callable[[_F], _F]:
        def register(fn: _F) -> _F:
            self._fns[(op_cls, qualifier)] = fn
            return fn

        return register

    def dispatch(self, obj: Any, qualifier: str = "default") -> Callable[..., Any]:
        for cls in type(obj).__mro__:
            for name in dict.fromkeys((qualifier, "default")):
                fn = self._fns.get((cls, name))
                if fn is not None:
                    return fn
        raise ValueError(f"no renderer for operation {type(obj).__name__}")

    def branch(self) -> RendererRegistry:
        """A copy to register into without changing this registry."""
        other = RendererRegistry()
        other._fns = dict(self._fns)
        return other


renderers = RendererRegistry()
