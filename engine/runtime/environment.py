"""``EnvironmentContext``: what env.py sees as ``alembic.context``.

A command builds one with the function that plans its steps (``fn``) and the
command's arguments, enters it (which makes ``from alembic import context``
answer with it) and runs env.py; env.py calls ``configure()`` and
``run_migrations()``.
"""

from __future__ import annotations

from typing import Any, TextIO

from engine.compat import _proxy
from engine.errors import CommandError
from engine.runtime.events import RunControl
from engine.runtime.migration import MigrationContext

#: Options of ``configure()`` that are kept for autogenerate (issue 5) and
#: handed to the MigrationContext untouched.
AUTOGENERATE_DEFAULTS: dict[str, Any] = {
    "render_as_batch": False,
    "target_metadata": None,
    "include_name": None,
    "include_object": None,
    "include_schemas": False,
    "process_revision_directives": None,
    "compare_type": True,
    "compare_server_default": False,
    "render_item": None,
    "upgrade_token": "upgrades",
    "downgrade_token": "downgrades",
    "alembic_module_prefix": "op.",
    "sqlalchemy_module_prefix": "sa.",
    "user_module_prefix": None,
    "autogenerate_plugins": None,
}


class EnvironmentContext:
    _migration_context: MigrationContext | None = None

    def __init__(self, config: Any, script: Any, **kw: Any) -> None:
        self.config = config
        self.script = script
        self.context_opts = kw
        self.run_control: RunControl = kw.pop("run_control", None) or RunControl()
        self._previous: Any = None

    # --- installing as ``alembic.context`` ------------------------------------

    def __enter__(self) -> EnvironmentContext:
        self._previous = _proxy.get("context")
        _proxy.install("context", self)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            _proxy.install("context", self._previous)
        else:
            _proxy.uninstall("context")

    # --- what env.py asks ------------------------------------------------------

    def is_offline_mode(self) -> bool:
        return bool(self.context_opts.get("as_sql", False))

    def requires_connection(self) -> bool:
        return not self.is_offline_mode()

    def is_transactional_ddl(self) -> bool:
        return bool(self.get_context().impl.transactional_ddl)

    def get_head_revision(self) -> str | None:
        return self.script.as_revision_number("head")

    def get_head_revisions(self) -> Any:
        return self.script.as_revision_number("heads")

    def get_starting_revision_argument(self) -> Any:
        if self._migration_context is not None:
            start = self._migration_context._start_from_rev
        elif "starting_rev" in self.context_opts:
            start = self.context_opts["starting_rev"]
        else:
            raise CommandError("No starting revision argument is available.")
        return self.script.as_revision_number(start)

    def get_revision_argument(self) -> Any:
        return self.script.as_revision_number(self.context_opts.get("destination_rev"))

    def get_tag_argument(self) -> str | None:
        return self.context_opts.get("tag")

    def get_x_argument(self, as_dictionary: bool = False) -> Any:
        return self.config.x_arguments(as_dictionary=as_dictionary)

    # --- configure ---------------------------------------------------------------

    def configure(
        self,
        connection: Any = None,
        url: Any = None,
        dialect_name: str | None = None,
        dialect_opts: dict[str, Any] | None = None,
        transactional_ddl: bool | None = None,
        transaction_per_migration: bool = False,
        output_buffer: TextIO | None = None,
        starting_rev: str | None = None,
        tag: str | None = None,
        template_args: dict[str, Any] | None = None,
        render_as_batch: bool = False,
        target_metadata: Any = None,
        include_name: Any = None,
        include_object: Any = None,
        include_schemas: bool = False,
        process_revision_directives: Any = None,
        compare_type: Any = True,
        compare_server_default: Any = False,
        render_item: Any = None,
        literal_binds: bool = False,
        upgrade_token: str = "upgrades",
        downgrade_token: str = "downgrades",
        alembic_module_prefix: str = "op.",
        sqlalchemy_module_prefix: str = "sa.",
        user_module_prefix: str | None = None,
        on_version_apply: Any = None,
        autogenerate_plugins: Any = None,
        **kw: Any,
    ) -> None:
        opts = dict(self.context_opts)
        if transactional_ddl is not None:
            opts["transactional_ddl"] = transactional_ddl
        if output_buffer is not None:
            opts["output_buffer"] = output_buffer
        elif getattr(self.config, "output_buffer", None) is not None:
            opts["output_buffer"] = self.config.output_buffer
        if starting_rev:
            opts["starting_rev"] = starting_rev
        if tag:
            opts["tag"] = tag
        if template_args and "template_args" in opts:
            opts["template_args"].update(template_args)
        opts["transaction_per_migration"] = transaction_per_migration
        opts["on_version_apply"] = _as_list(on_version_apply)
        opts.update(
            render_as_batch=render_as_batch,
            target_metadata=target_metadata,
            include_name=include_name,
            include_object=include_object,
            include_schemas=include_schemas,
            process_revision_directives=process_revision_directives,
            compare_type=compare_type,
            compare_server_default=compare_server_default,
            render_item=render_item,
            literal_binds=literal_binds,
            upgrade_token=upgrade_token,
            downgrade_token=downgrade_token,
            alembic_module_prefix=alembic_module_prefix,
            sqlalchemy_module_prefix=sqlalchemy_module_prefix,
            user_module_prefix=user_module_prefix,
            autogenerate_plugins=autogenerate_plugins,
        )
        opts.update(kw)
        opts["script"] = self.script
        if connection is None and url is None and dialect_name is None and not opts.get("as_sql"):
            raise CommandError(
                "env.py called context.configure() without a connection, url or dialect_name",
                hint="Pass connection=... (online) or url=... (offline) to context.configure().",
            )
        self._migration_context = MigrationContext.configure(
            connection=connection,
            url=url,
            dialect_name=dialect_name,
            dialect_opts=dialect_opts,
            environment_context=self,
            opts=opts,
        )

    # --- running -------------------------------------------------------------------

    def run_migrations(self, **kw: Any) -> None:
        from engine.operations.base import Operations

        context = self.get_context()
        with Operations.context(context):
            context.run_migrations(**kw)

    def execute(self, sql: Any, execution_options: dict[str, Any] | None = None) -> None:
        self.get_context().execute(sql, execution_options=execution_options)

    def static_output(self, text: str) -> None:
        self.get_context().impl.static_output(text)

    def begin_transaction(self) -> Any:
        return self.get_context().begin_transaction()

    def get_context(self) -> MigrationContext:
        if self._migration_context is None:
            raise CommandError(
                "No context has been configured yet.",
                hint="env.py must call context.configure() before using the context.",
            )
        return self._migration_context

    def get_bind(self) -> Any:
        return self.get_context().bind

    def get_impl(self) -> Any:
        return self.get_context().impl


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
