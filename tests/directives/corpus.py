"""The whole corpus and its pytest parameters (ids name the case and dialect)."""

from __future__ import annotations

import pytest

from tests.directives import cases_batch, cases_columns, cases_constraints, cases_data
from tests.directives.case import MARIA, PG, Case

CASES: list[Case] = [
    *cases_columns.CASES,
    *cases_constraints.CASES,
    *cases_data.CASES,
    *cases_batch.CASES,
]
assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"

DIALECT_ORDER = ("sqlite", "postgresql", "mariadb")
_MARKS = {PG: [pytest.mark.postgresql], MARIA: [pytest.mark.mariadb]}


def dialect_param(
    dialect: str, *values: object, id_prefix: str = "", server: bool = True
) -> object:
    """``server=False``: offline, so no server marker (nothing connects)."""
    ident = f"{id_prefix}-{dialect}" if id_prefix else dialect
    marks = _MARKS.get(dialect, []) if server else []
    return pytest.param(*values, dialect, id=ident, marks=marks)


def online_params() -> list[object]:
    return [
        dialect_param(d, case, id_prefix=case.id)
        for case in CASES
        for d in DIALECT_ORDER
        if d in case.dialects
    ]


def offline_params() -> list[object]:
    """(case, url kind): MariaDB cases run offline with both URL spellings."""
    out = []
    for case in CASES:
        for d in DIALECT_ORDER:
            if d in case.offline_dialects:
                out.append(dialect_param(d, case, id_prefix=case.id, server=False))
                if d == MARIA:
                    out.append(dialect_param("mysql", case, id_prefix=case.id, server=False))
    return out


def dialect_params() -> list[object]:
    return [dialect_param(d) for d in DIALECT_ORDER]
