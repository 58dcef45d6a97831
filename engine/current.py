"""The database's current heads, read straight from the version table.

Used by ``history --indicate-current``, ``history -r current:`` and ``show
current``. It connects with the configured ``sqlalchemy.url`` (or
``TUI_MIGRATE_URL``) and reads ``alembic_version`` (``-x version_table=NAME``
and ``-x version_table_schema=NAME`` choose another); it does not run env.py.
"""

from __future__ import annotations

from typing import Any

from engine.errors import CommandError
from engine.urls import mask_secrets, mask_url

DRIVER_PACKAGES = {
    "psycopg": "tui-migrate[postgresql]  (psycopg)",
    "psycopg2": "psycopg2-binary",
    "pymysql": "tui-migrate[mysql]  (PyMySQL)",
    "mysqldb": "mysqlclient",
    "aiosqlite": "tui-migrate[async]  (aiosqlite)",
    "asyncpg": "tui-migrate[async]  (asyncpg)",
}


def database_error(url: str, err: BaseException) -> CommandError:
    """One readable, password-free message for a connection problem."""
    text = str(getattr(err, "orig", None) or err).strip().splitlines()
    first = mask_secrets(text[0]) if text else type(err).__name__
    return CommandError(
        f"Cannot connect to {mask_url(url)}: {first}",
        hint="Check that the server runs and the URL, user and password are right.",
    )


def missing_driver(url: str, err: BaseException) -> CommandError:
    name = str(getattr(err, "name", None) or "").split(".")[0]
    package = DRIVER_PACKAGES.get(name.lower(), name or "the database driver")
    return CommandError(
        f"The database driver for {mask_url(url)} is not installed",
        hint=f"pip install {package}",
    )


def read_current_heads(config: Any) -> tuple[str, ...]:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise CommandError(
            "No database URL: set sqlalchemy.url in the configuration or TUI_MIGRATE_URL",
        )
    opts = config.x_arguments(as_dictionary=True) if hasattr(config, "x_arguments") else {}
    table_name = opts.get("version_table", "alembic_version")
    schema = opts.get("version_table_schema") or None
    import sqlalchemy as sa
    from sqlalchemy import exc as sa_exc

    try:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    except sa_exc.NoSuchModuleError as err:
        raise CommandError(
            f"Unknown database dialect in {mask_url(url)}", hint=mask_secrets(str(err))
        ) from err
    except sa_exc.ArgumentError as err:
        raise CommandError(f"Malformed database URL {mask_url(url)}") from err
    except ImportError as err:
        raise missing_driver(url, err) from err
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(table_name, schema=schema):
                return ()
            table = sa.table(table_name, sa.column("version_num"), schema=schema)
            rows = conn.execute(sa.select(table.c.version_num)).scalars().all()
            return tuple(rows)
    except ImportError as err:
        raise missing_driver(url, err) from err
    except sa_exc.DBAPIError as err:
        raise database_error(url, err) from err
    finally:
        engine.dispose()
