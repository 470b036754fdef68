"""Alembic environment: migrates the database named by DATABASE_URL (or the caller's engine)."""

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.core.config import get_settings
from app.core.db import build_engine
from app.core.encryption import use_keyring_of

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:  # the caller has picked the encryption keys too
        _run(connection)
        return
    settings = get_settings()
    use_keyring_of(settings)  # the encryption migration encrypts rows under these keys
    engine = build_engine(settings.database_url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a table by copying and dropping it, and dropping a table
        # with foreign keys on deletes every row that cascades from it (a plan's revisions,
        # shares, ...). The pragma only takes effect outside a transaction, hence the
        # driver's own connection, before SQLAlchemy's transaction starts.
        _sqlite_foreign_keys(connection, "OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        _sqlite_foreign_keys(connection, "ON")


def _sqlite_foreign_keys(connection, state: str) -> None:
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={state}")


run_migrations_online()
