"""Migration environment: run by every command that talks to the database.

``context.config`` is the project's configuration (alembic.ini and/or
pyproject.toml). Offline mode (``--sql``) writes SQL to stdout instead of
connecting; online mode opens a connection and runs the migrations on it.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

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


def run_migrations_online() -> None:
    """Connect to the database and run the migrations on that connection."""
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
