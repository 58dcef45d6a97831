"""Look at a real database after a migration: a small reflection helper and a
normalised dump of the whole schema for equality checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool


def sync_url(url: str) -> str:
    """The URL with an async driver swapped for a sync one (for reflection)."""
    return url.replace("+asyncpg", "+psycopg").replace("+aiosqlite", "")


class DB:
    """A connection plus an inspector, with shortcuts the case checks use."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.insp = sa.inspect(conn)
        self.dialect = "mariadb" if conn.dialect.name == "mysql" else conn.dialect.name

    @property
    def tables(self) -> set[str]:
        return set(self.insp.get_table_names())

    def columns(self, table: str) -> dict[str, dict[str, Any]]:
        return {c["name"]: c for c in self.insp.get_columns(table)}

    def column_names(self, table: str) -> list[str]:
        return [c["name"] for c in self.insp.get_columns(table)]

    def indexes(self, table: str) -> dict[str, dict[str, Any]]:
        return {i["name"]: i for i in self.insp.get_indexes(table)}

    def uniques(self, table: str) -> dict[str | None, list[str]]:
        return {u["name"]: u["column_names"] for u in self.insp.get_unique_constraints(table)}

    def unique_column_sets(self, table: str) -> set[tuple[str, ...]]:
        """Column tuples made unique by a constraint or a unique index."""
        out = {tuple(cols) for cols in self.uniques(table).values()}
        out |= {tuple(i["column_names"]) for i in self.insp.get_indexes(table) if i.get("unique")}
        return out

    def fks(self, table: str) -> list[dict[str, Any]]:
        return self.insp.get_foreign_keys(table)

    def checks(self, table: str) -> dict[str | None, str]:
        return {c["name"]: c["sqltext"] for c in self.insp.get_check_constraints(table)}

    def pk(self, table: str) -> list[str]:
        return self.insp.get_pk_constraint(table)["constrained_columns"]

    def table_comment(self, table: str) -> str | None:
        return self.insp.get_table_comment(table)["text"]

    def default(self, table: str, column: str) -> str | None:
        """Reflected server default with quotes/casts stripped ('x'::character varying -> x)."""
        return norm_default(self.columns(table)[column].get("default"))

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.conn.execute(sa.text(sql))]

    def scalar(self, sql: str) -> Any:
        return self.conn.execute(sa.text(sql)).scalar()

    def versions(self) -> list[str]:
        if "alembic_version" not in self.tables:
            return []
        return sorted(
            self.conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
        )


_ENGINES: dict[str, sa.Engine] = {}


def _engine(url: str) -> sa.Engine:
    """One engine per URL, kept for its compiled-statement cache; NullPool, so
    no connection outlives its ``connect()`` block."""
    url = sync_url(url)
    if url not in _ENGINES:
        _ENGINES[url] = sa.create_engine(url, poolclass=NullPool)
    return _ENGINES[url]


@contextmanager
def connect(url: str) -> Iterator[DB]:
    """A short-lived connection (closed before the next migration step runs)."""
    with _engine(url).connect() as conn:
        yield DB(conn)


def norm_default(value: str | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    # A move-and-copy batch on PostgreSQL creates the new table's serial under a
    # temporary name (_alembic_tmp_child_id_seq1); Alembic does the same, and what
    # matters is that the column still draws from a sequence.
    text = re.sub(r"^nextval\('[^']*'::regclass\)$", "nextval(<sequence>)", text)
    text = re.sub(r"::[a-z ]+(\(\d+\))?$", "", text)  # PostgreSQL casts
    if len(text) >= 2 and text[0] == text[-1] == "'":
        text = text[1:-1]
    return text


def _norm_tmp_name(name: str | None) -> str | None:
    """PostgreSQL names a recreated table's primary key after the temporary table
    (_alembic_tmp_child_pkey1); Alembic's batch does the same, so compare the stem."""
    if name is None:
        return None
    return re.sub(r"^_alembic_tmp_(.*?)\d*$", r"\1", name)


def _norm_sql(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def dump(url: str, *, with_data: bool = True) -> dict[str, Any]:
    """Everything reflection tells about every table, in comparable form.

    Includes the version table rows and, with ``with_data``, every table's rows
    (sorted), so data migrations are compared too. Uses the inspector's bulk
    ``get_multi_*`` calls (one catalogue query per kind on PostgreSQL).
    """
    out: dict[str, Any] = {}
    with connect(url) as db:
        insp = db.insp
        names = sorted(db.tables)
        if not names:
            return out
        kw: dict[str, Any] = {"filter_names": names}
        columns = insp.get_multi_columns(**kw)
        pks = insp.get_multi_pk_constraint(**kw)
        fks = insp.get_multi_foreign_keys(**kw)
        indexes = insp.get_multi_indexes(**kw)
        uniques = insp.get_multi_unique_constraints(**kw)
        checks = insp.get_multi_check_constraints(**kw)
        try:
            comments = insp.get_multi_table_comment(**kw)
        except NotImplementedError:  # SQLite
            comments = {}
        for table in names:
            key = (None, table)
            pk = pks.get(key) or {"constrained_columns": []}
            entry = {
                "comment": (comments.get(key) or {}).get("text"),
                "columns": [
                    (
                        c["name"],
                        repr(c["type"]),
                        c["nullable"],
                        norm_default(c.get("default")),
                        c.get("comment"),
                    )
                    for c in columns.get(key, [])
                ],
                "pk": (_norm_tmp_name(pk.get("name")), tuple(pk["constrained_columns"])),
                "fks": sorted(
                    (
                        str(fk.get("name")),
                        tuple(fk["constrained_columns"]),
                        fk["referred_table"],
                        tuple(fk["referred_columns"]),
                        tuple(sorted((fk.get("options") or {}).items())),
                    )
                    for fk in fks.get(key, [])
                ),
                "indexes": sorted(
                    (
                        str(i["name"]),
                        tuple(str(c) for c in i["column_names"]),
                        tuple(_norm_sql(e) for e in i.get("expressions") or ()),
                        bool(i.get("unique")),
                    )
                    for i in indexes.get(key, [])
                ),
                "uniques": sorted(
                    (str(u["name"]), tuple(u["column_names"])) for u in uniques.get(key, [])
                ),
                "checks": sorted(
                    (str(c["name"]), _norm_sql(c["sqltext"])) for c in checks.get(key, [])
                ),
            }
            if with_data:
                quoted = db.conn.dialect.identifier_preparer.quote(table)
                rows = db.conn.execute(sa.text(f"SELECT * FROM {quoted}"))
                entry["rows"] = sorted((tuple(map(repr, r)) for r in rows), key=repr)
            out[table] = entry
    return out


def schema_diff(actual: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Readable differences between two dumps (empty when equal)."""
    out = []
    for table in sorted(set(actual) | set(expected)):
        if table not in actual:
            out.append(f"missing table {table}")
        elif table not in expected:
            out.append(f"unexpected table {table}")
        else:
            for key in sorted(set(actual[table]) | set(expected[table])):
                got, want = actual[table].get(key), expected[table].get(key)
                if got != want:
                    out.append(f"{table}.{key}: got {got!r}, expected {want!r}")
    return out


def assert_same_schema(actual: dict[str, Any], expected: dict[str, Any], where: str = "") -> None:
    diff = schema_diff(actual, expected)
    assert not diff, f"schema differs{' after ' + where if where else ''}:\n  " + "\n  ".join(diff)
