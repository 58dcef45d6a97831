"""Migration environment for an asyncio DBAPI (asyncpg, aiosqlite, ...).

Offline mode (``--sql``) writes SQL to stdout. Online mode creates an
AsyncEngine, and runs the (synchronous) migrations on its connection with
``run_sync``.
"""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_engine_from_config

config = context.config

# Set up Python logging from the [loggers]/[handlers]/[formatters] sections.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# For autogenerate, point this at your models' MetaData, e.g.:
#     from myapp.models import Base
#     target_metadata = Base.metadata
target_metadata = None

# Other settings of the [alembic] section can be read with
# config.get_main_option("some_option").


def run_migrations_offline() -> None:
    """Emit the migrations as SQL text, with only a URL (no DBAPI needed)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """Create an AsyncEngine and run the migrations on one of its connections."""
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


def run_migrations_online() -> None:
    asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
