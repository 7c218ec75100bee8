"""Alembic migrations of the bridge store (run with `python -m handoff db upgrade`)."""
