"""Run the same DDL request through Alembic (the oracle) and through our Impl, offline."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import URL

from engine.ddl import DefaultImpl

DIALECTS = ("postgresql", "mysql", "mariadb", "sqlite")


def make_dialect(name: str) -> Any:
    return URL.create(name).get_dialect()()


def normalize(sql: str) -> str:
    return " ".join(sql.split())


def _capture(run: Callable[[], Any]) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            run()
        except Exception as exc:  # both sides must fail alike: report as a marker
            return f"!! {type(exc).__name__}"
    return ""


def alembic_sql(dialect_name: str, fn: Callable[[Any], Any], **opts: Any) -> str:
    """Offline SQL Alembic writes for ``fn(op)``; ``!! <Error>`` when it raises."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    buf = io.StringIO()
    ctx = MigrationContext.configure(
        dialect_name=dialect_name, opts={"as_sql": True, "output_buffer": buf, **opts}
    )
    error = _capture(lambda: fn(Operations(ctx)))
    return error or buf.getvalue()


def our_impl(dialect_name: str, buf: io.StringIO, **opts: Any) -> DefaultImpl:
    dialect = make_dialect(dialect_name)
    impl_cls = DefaultImpl.get_by_dialect(dialect)
    return impl_cls(dialect, None, True, None, buf, {"as_sql": True, **opts})


def our_sql(dialect_name: str, fn: Callable[[DefaultImpl], Any], **opts: Any) -> str:
    """Offline SQL our Impl writes for ``fn(impl)``; ``!! <Error>`` when it raises."""
    buf = io.StringIO()
    impl = our_impl(dialect_name, buf, **opts)
    error = _capture(lambda: fn(impl))
    return error or buf.getvalue()


def assert_same(dialect_name: str, alembic_fn, our_fn, *, unordered=False, **opts) -> str:
    """Both write the same SQL (whitespace-normalised), or both raise."""
    theirs = alembic_sql(dialect_name, alembic_fn, **opts)
    ours = our_sql(dialect_name, our_fn, **opts)
    if theirs.startswith("!!") or ours.startswith("!!"):
        assert theirs.startswith("!!") and ours.startswith("!!"), (theirs, ours)
        return ours
    if unordered:
        assert sorted(normalize(s) for s in theirs.split(";")) == sorted(
            normalize(s) for s in ours.split(";")
        ), (theirs, ours)
    else:
        assert normalize(ours) == normalize(theirs), f"\nalembic: {theirs!r}\nours:    {ours!r}"
    return ours
