"""tui-migrate's engine: an Alembic-compatible migration library on SQLAlchemy and Mako.

The engine never imports ``alembic``, ``textual``, ``rich`` or ``tui_migrate``.
"""

__version__ = "0.1.0"
