# Migration settings for a single database with an asyncio DBAPI.

[alembic]
# Where env.py, script.py.mako and versions/ live. %(here)s is the directory
# of this file; use forward slashes.
script_location = ${script_location}

# Name of new revision files (without .py). Default: %%(rev)s_%%(slug)s
# Tokens: %%(rev)s %%(slug)s %%(epoch)s %%(year)d %%(month).2d %%(day).2d
# %%(hour).2d %%(minute).2d %%(second).2d. A "/" makes sub-directories (then
# also set recursive_version_locations = true). For example:
# file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s

# Paths put in front of sys.path (split by path_separator below).
prepend_sys_path = .

# Time zone (an IANA name such as UTC) for the Create Date and the file name
# tokens; empty means local time.
# timezone =

# Longest %%(slug)s, in characters.
# truncate_slug_length = 40

# Run env.py on "revision" even without --autogenerate.
# revision_environment = false

# Accept .pyc/.pyo files without a .py source as revisions.
# sourceless = false

# Directories holding revision files; default <script_location>/versions.
# With several, a first revision in a new one needs --version-path.
# version_locations = %(here)s/bar:%(here)s/bat:%(here)s/alembic/versions

# Separator of version_locations and prepend_sys_path: one of
# os (os.pathsep), :, ;, space, newline.
path_separator = os

# Look for revision files in sub-directories of the version locations too.
# recursive_version_locations = false

# Encoding of revision files written from script.py.mako.
# output_encoding = utf-8

# Database URL, used by env.py.
sqlalchemy.url = driver://user:pass@localhost/dbname


[post_write_hooks]
# Commands run on each new revision file, e.g. a formatter:
# hooks = ruff
# ruff.type = exec
# ruff.executable = ruff
# ruff.options = format REVISION_SCRIPT_FILENAME
#
# Other runners: type = console_scripts (entrypoint = black) or
# type = module (module = ruff).


# Python logging, configured by env.py.
[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
