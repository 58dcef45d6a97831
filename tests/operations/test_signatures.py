"""Every public name of Alembic's Operations / BatchOperations exists on ours with the
same parameters (names, kinds, defaults), so any migration script calls work."""

from __future__ import annotations

import inspect

import alembic.operations as alembic_ops
import pytest

from engine.operations import BatchOperations, Operations


def _public(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_") and hasattr(cls, n)}


def _params(fn: object) -> list[tuple[str, object, object]]:
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()]


PAIRS = [(Operations, alembic_ops.Operations), (BatchOperations, alembic_ops.BatchOperations)]


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=["Operations", "BatchOperations"])
def test_same_public_names(ours: type, theirs: type) -> None:
    assert _public(ours) == _public(theirs)


@pytest.mark.parametrize(
    ("ours", "theirs", "name"),
    [
        (ours, theirs, name)
        for ours, theirs in PAIRS
        for name in sorted(_public(theirs))
        if callable(getattr(theirs, name))
    ],
    ids=lambda v: v if isinstance(v, str) else getattr(v, "__name__", str(v)),
)
def test_same_parameters(ours: type, theirs: type, name: str) -> None:
    assert _params(getattr(ours, name)) == _params(getattr(theirs, name))
