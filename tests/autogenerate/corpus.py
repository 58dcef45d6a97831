"""The comparison corpus: shared vocabulary.

* ``Case``: one model change ("before" model in the database, "after" model
  compared with it), with what our comparison must find and what Alembic finds;
* builders of small models (``table``, ``tables``, ``users``, ``parent_child``...),
  each building fresh objects on every call;
* ``normalise``: diff tuples as sorted text (kind + object names), the form in
  which both tools' results are compared.

The cases are in ``corpus_cases_columns``, ``corpus_cases_constraints`` and
``corpus_cases_sql``; the test that runs them is ``test_compare_corpus`` (and
``test_compare_quick`` compares each with the quick check on and off).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

ALL = ("sqlite", "postgresql", "mariadb")
SERVERS = ("postgresql", "mariadb")
FIXTURE = {"sqlite": "ag_sqlite", "postgresql": "ag_pg", "mariadb": "ag_maria"}
MARKS = {"sqlite": (), "postgresql": (pytest.mark.postgresql,), "mariadb": (pytest.mark.mariadb,)}

#: builds a model into the MetaData it is given; may instead return a list of
#: MetaData objects (a model spread over several)
Builder = Callable[[sa.MetaData], Any]


# ------------------------------------------------------------------ normalising


def _t(table: Any) -> str:
    return f"{table.schema}.{table.name}" if table.schema else table.name


def _tn(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _cols(obj: Any) -> str:
    return ",".join(c.name if hasattr(c, "name") else str(c) for c in obj.columns)


def _constraint(c: Any) -> str:
    if isinstance(c, sa.PrimaryKeyConstraint):
        return f"pk({_cols(c)})"
    if isinstance(c, sa.UniqueConstraint):
        return f"uq({_cols(c)})"
    if isinstance(c, sa.CheckConstraint):
        return f"ck({c.name})"
    return f"{type(c).__name__}({c.name})"


def normalise(diffs: Sequence[Any]) -> list[str]:
    out: list[str] = []
    for d in diffs:
        if isinstance(d, list):
            out.extend(normalise(d))
            continue
        kind = d[0]
        if kind in ("add_table", "remove_table", "add_table_comment", "remove_table_comment"):
            out.append(f"{kind} {_t(d[1])}")
        elif kind in ("add_column", "remove_column"):
            out.append(f"{kind} {_tn(d[1], d[2])}.{d[3].name}")
        elif kind in ("add_enum", "remove_enum", "modify_enum"):
            out.append(f"{kind} {d[2]}")
        elif kind.startswith("modify_"):
            out.append(f"{kind} {_tn(d[1], d[2])}.{d[3]}")
        elif kind in ("add_index", "remove_index"):
            out.append(f"{kind} {_t(d[1].table)}.{d[1].name}")
        elif kind in ("add_constraint", "remove_constraint"):
            out.append(f"{kind} {_t(d[1].table)}.{_constraint(d[1])}")
        elif kind in ("add_fk", "remove_fk"):
            fk = d[1]
            target = fk.elements[0].target_fullname.split(".")[-2]
            out.append(f"{kind} {_t(fk.table)}({_cols(fk)})->{target}")
        else:
            out.append(repr(d))
    return sorted(out)


# ------------------------------------------------------------------ cases


@dataclass
class Case:
    id: str
    before: Builder
    after: Builder
    expected: list[str] | dict[str, list[str]]
    backends: tuple[str, ...] = ALL
    opts: dict[str, Any] = field(default_factory=dict)
    #: what Alembic finds when it differs (a documented improvement), per backend
    alembic: list[str] | dict[str, list[str]] | None = None
    #: Alembic fails on this case with this exception (a documented improvement)
    alembic_raises: type[Exception] | None = None
    setup_sql: dict[str, list[str]] = field(default_factory=dict)
    roundtrip: bool = True
    #: what comparing "before" finds after the downgrade (objects no model declares)
    leftover: list[str] = field(default_factory=list)

    def for_backend(self, value: Any, backend: str) -> list[str]:
        if isinstance(value, dict):
            return sorted(value.get(backend, value.get("default", [])))
        return sorted(value)


def id_column(n: int = 0) -> sa.Column[Any]:
    return sa.Column("id", sa.Integer, primary_key=True)


def table(name: str, *items: Any, **kw: Any) -> Builder:
    def build(md: sa.MetaData) -> None:
        # the items stay unattached: each build gets its own copies
        copies = [i._copy() if isinstance(i, sa.Column) else copy.deepcopy(i) for i in items]
        sa.Table(name, md, id_column(), *copies, **kw)

    return build


def tables(*builders: Builder) -> Builder:
    def build(md: sa.MetaData) -> None:
        for b in builders:
            b(md)

    return build


C = sa.Column
NOTHING: Builder = lambda md: None  # noqa: E731


def users(*extra: Any, **kw: Any) -> Builder:
    return table("users", C("name", sa.String(50)), *extra, **kw)


def parent_child(ondelete: str | None = None, onupdate: str | None = None, **fkkw: Any) -> Builder:
    def build(md: sa.MetaData) -> None:
        sa.Table("parent", md, id_column())
        sa.Table(
            "child",
            md,
            id_column(),
            C("parent_id", sa.Integer),
            sa.ForeignKeyConstraint(
                ["parent_id"],
                ["parent.id"],
                name="fk_child_parent",
                ondelete=ondelete,
                onupdate=onupdate,
                **fkkw,
            ),
        )

    return build


def build(builder: Builder) -> Any:
    """The model of ``builder``: a MetaData, or the list it returned."""
    md = sa.MetaData()
    result = builder(md)
    return result if isinstance(result, list) else md
