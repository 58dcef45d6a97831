"""End-to-end directive corpus (issue 3): every ``op`` directive on SQLite,
PostgreSQL and MariaDB, online (checked by reflection) and offline (``--sql``
text compared with Alembic's), plus round trips, Alembic interop and failures.

The tool under test is our engine; ``TUI_MIGRATE_DIRECTIVES_TOOL=alembic`` runs
every suite with real Alembic instead, which is how the cases and checks
themselves are validated::

    TUI_MIGRATE_DIRECTIVES_TOOL=alembic python -m pytest -q -n 2 tests/directives
"""
