"""Per-dialect DDL: the Impl classes behind every migration operation.

``DefaultImpl.get_by_dialect(dialect)`` picks the Impl for a SQLAlchemy dialect:
PostgreSQL, MySQL/MariaDB and SQLite have their own; every other dialect gets
``DefaultImpl`` (generic SQLAlchemy DDL). Importing this package registers them.
"""

from __future__ import annotations

from engine.ddl.impl import DefaultImpl
from engine.ddl.mysql import MariaDBImpl, MySQLImpl
from engine.ddl.postgresql import PostgresqlImpl
from engine.ddl.sqlite import SQLiteImpl

__all__ = ["DefaultImpl", "MariaDBImpl", "MySQLImpl", "PostgresqlImpl", "SQLiteImpl"]
