"""Alembic environment: callnext passes its own connection (see store/migrate.py)."""

from __future__ import annotations

from alembic import context

from callnext.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `callnext db upgrade` or callnext.store.migrate")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
