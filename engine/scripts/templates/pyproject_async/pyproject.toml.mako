[tool.alembic]
# Migration settings (read by Alembic and tui-migrate). The database URL and
# logging stay in alembic.ini. %(here)s is the directory of this file.

# Where env.py, script.py.mako and versions/ live (forward slashes).
script_location = "${script_location}"

# Name of new revision files (without .py). Default: "%%(rev)s_%%(slug)s"
# Tokens: %%(rev)s %%(slug)s %%(epoch)s %%(year)d %%(month).2d %%(day).2d
# %%(hour).2d %%(minute).2d %%(second).2d. A "/" makes sub-directories (then
# also set recursive_version_locations = true). For example:
# file_template = "%%(year)d_%%(month).2d_%%(day).2d_%%(hour).2d%%(minute).2d-%%(rev)s_%%(slug)s"

# Paths put in front of sys.path.
prepend_sys_path = [
    "."
]

# Time zone (an IANA name such as "UTC") for the Create Date and the file
# name tokens; absent means local time.
# timezone = "UTC"

# Longest %%(slug)s, in characters.
# truncate_slug_length = 40

# Run env.py on "revision" even without --autogenerate.
# revision_environment = false

# Accept .pyc/.pyo files without a .py source as revisions.
# sourceless = false

# Directories holding revision files; default <script_location>/versions.
# With several, a first revision in a new one needs --version-path.
# version_locations = [
#     "%(here)s/alembic/versions",
#     "%(here)s/other/versions"
# ]

# Look for revision files in sub-directories of the version locations too.
# recursive_version_locations = false

# Encoding of revision files written from script.py.mako.
# output_encoding = "utf-8"

# Commands run on each new revision file, e.g. a formatter:
# [[tool.alembic.post_write_hooks]]
# name = "ruff"
# type = "exec"
# executable = "ruff"
# options = "format REVISION_SCRIPT_FILENAME"
