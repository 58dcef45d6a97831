"""Migration environment for several databases migrated together.

The [alembic] option ``databases`` names them ("engine1, engine2"); each name
is also a config section holding that database's ``sqlalchemy.url``. Every
migration runs once per database with ``engine_name=<name>``.
"""

import logging
import re
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

# Set to True to commit all databases with two-phase commit.
USE_TWOPHASE = False

config = context.config

# Set up Python logging from the [loggers]/[handlers]/[formatters] sections.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

db_names = config.get_main_option("databases", "")

# For autogenerate, map each database name to the MetaData of its tables, e.g.:
#     from myapp import models
#     target_metadata = {"engine1": models.metadata1, "engine2": models.metadata2}
target_metadata = {}


def _names() -> list[str]:
    return re.split(r",\s*", db_names)


def run_migrations_offline() -> None:
    """Write each database's SQL to <name>.sql, with only its URL."""
    for name in _names():
        url = config.get_section_option(name, "sqlalchemy.url")
        filename = f"{name}.sql"
        logger.info("Migrating database %s", name)
        logger.info("Writing output to %s", filename)
        with open(filename, "w") as buffer:
            context.configure(
                url=url,
                output_buffer=buffer,
                target_metadata=target_metadata.get(name),
                literal_binds=True,
                dialect_opts={"paramstyle": "named"},
            )
            with context.begin_transaction():
                context.run_migrations(engine_name=name)


def run_migrations_online() -> None:
    """Open a transaction on every database, migrate them all, then commit all."""
    records = {}
    for name in _names():
        engine = engine_from_config(
            config.get_section(name, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        connection = engine.connect()
        transaction = connection.begin_twophase() if USE_TWOPHASE else connection.begin()
        records[name] = (connection, transaction)

    try:
        for name, (connection, _) in records.items():
            logger.info("Migrating database %s", name)
            context.configure(
                connection=connection,
                upgrade_token=f"{name}_upgrades",
                downgrade_token=f"{name}_downgrades",
                target_metadata=target_metadata.get(name),
            )
            context.run_migrations(engine_name=name)
        if USE_TWOPHASE:
            for _, transaction in records.values():
                transaction.prepare()
        for _, transaction in records.values():
            transaction.commit()
    except BaseException:
        for _, transaction in records.values():
            transaction.rollback()
        raise
    finally:
        for connection, _ in records.values():
            connection.close()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
