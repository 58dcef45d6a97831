"""Rendering SQLAlchemy types as Python source for a migration script.

A type is written as ``<prefix><repr>``: ``sa.String(length=50)`` for SQLAlchemy's
generic types, ``postgresql.JSONB(astext_type=sa.Text())`` for a dialect's types
(and ``from sqlalchemy.dialects import postgresql`` goes into the imports), and
``<user_module_prefix or module.>MyType(...)`` for everything else.

The arguments come from the type's own ``repr()``, so user types with their own
``__repr__`` keep it. Types nested inside a type (an ARRAY's item type, JSONB's
``astext_type``, a variant) are rendered by this same code, so they get their
prefix and import too, on every dialect.
"""

from __future__ import annotations

import copy
import inspect
import warnings
from typing import Any

from sqlalchemy import types as sqltypes
from sqlalchemy.types import TypeEngine

#: Attribute names never rendered through repr() replacement (internal wiring).
_SKIP_ATTRS = frozenset({"impl", "impl_instance", "_variant_mapping", "metadata"})


class _Source:
    """Stands for already-rendered source inside another object's ``repr()``."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:  # never equal to a default value
        return isinstance(other, _Source) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def user_hook(autogen_context: Any, kind: str, obj: Any) -> Any:
    """The ``render_item`` hook's answer for ``obj``, or ``False`` to render it ourselves."""
    hook = (getattr(autogen_context, "opts", None) or {}).get("render_item")
    if hook is None:
        return False
    return hook(kind, obj, autogen_context)


def sqlalchemy_prefix(autogen_context: Any) -> str:
    return (
        (autogen_context.opts.get("sqlalchemy_module_prefix") or "") if autogen_context else "sa."
    )


def alembic_prefix(autogen_context: Any) -> str:
    return (autogen_context.opts.get("alembic_module_prefix") or "") if autogen_context else "op."


def render_type(type_: Any, autogen_context: Any) -> str:
    """``type_`` (a TypeEngine instance or class) as Python source."""
    if isinstance(type_, type) and issubclass(type_, TypeEngine):
        type_ = type_()
    rendered = user_hook(autogen_context, "type", type_)
    if rendered is not False:
        return rendered
    variants = getattr(type_, "_variant_mapping", None) or {}
    if variants:
        base = copy.copy(type_)
        base._variant_mapping = type(variants)()
        text = _render_plain(base, autogen_context)
        for dialect_name in variants:  # the model's order, as written
            variant = render_type(variants[dialect_name], autogen_context)
            text += f".with_variant({variant}, {dialect_name!r})"
        return text
    return _render_plain(type_, autogen_context)


def _render_plain(type_: Any, autogen_context: Any) -> str:
    prefix = _module_prefix(type(type_), autogen_context)
    return prefix + _repr_with_nested(type_, autogen_context)


def _module_prefix(cls: type, autogen_context: Any) -> str:
    module = cls.__module__
    if module.startswith("sqlalchemy.dialects."):
        dialect = module.split(".")[2]
        _add_import(autogen_context, f"from sqlalchemy.dialects import {dialect}")
        return f"{dialect}."
    if module.startswith("sqlalchemy."):
        return sqlalchemy_prefix(autogen_context)
    user_prefix = autogen_context.opts.get("user_module_prefix") if autogen_context else None
    if user_prefix is not None:
        return user_prefix
    if module not in ("__main__", "builtins"):
        # Beyond Alembic: the script imports the type's module, so it runs as written.
        _add_import(autogen_context, f"import {module}")
    return f"{module}."


def _add_import(autogen_context: Any, line: str) -> None:
    imports = getattr(autogen_context, "imports", None)
    if imports is not None:
        imports.add(line)


def _init_arg_names(cls: type) -> list[str]:
    names: list[str] = []
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            continue
        for name, param in params.items():
            if name != "self" and param.kind not in (param.VAR_KEYWORD,) and name not in names:
                names.append(name)
    return names


def _repr_with_nested(type_: Any, autogen_context: Any) -> str:
    """``repr(type_)`` with every nested type rendered by ``render_type``."""
    nested: dict[str, Any] = {}
    candidates = set(vars(type_)) | set(_init_arg_names(type(type_)))
    impl = None
    if isinstance(type_, sqltypes.TypeDecorator):
        impl = getattr(type_, "impl_instance", None)
    if impl is not None:
        candidates |= set(_init_arg_names(type(impl)))
    for name in sorted(candidates - _SKIP_ATTRS):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # deprecated properties
                value = getattr(type_, name)
        except Exception:  # noqa: BLE001 - some attributes only exist once bound
            continue
        if isinstance(value, TypeEngine) or (
            isinstance(value, type) and issubclass(value, TypeEngine)
        ):
            nested[name] = _Source(render_type(value, autogen_context))
        elif (
            isinstance(value, (list, tuple))
            and value
            and all(isinstance(v, TypeEngine) for v in value)
        ):
            nested[name] = type(value)(_Source(render_type(v, autogen_context)) for v in value)
    if not nested:
        return repr(type_)
    try:
        shadow = copy.copy(type_)
        for name, value in nested.items():
            setattr(shadow, name, value)
        return repr(shadow)
    except Exception:  # noqa: BLE001 - a type that can't be shadowed renders as it is
        return repr(type_)
