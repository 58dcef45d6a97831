"""Benchmarks against Alembic (not collected by pytest): python -m tests.benchmarks.run."""
