"""The test database: migrated, emptied between tests, or reset to nothing."""

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlmodel import SQLModel

import app.models  # noqa: F401  (every table on the metadata)
from app.core.config import PROJECT_ROOT
from app.core.db import build_engine


def migrate(database_url: str, revision: str = "head", *, down: bool = False) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    engine = build_engine(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


def reset_schema(database_url: str) -> None:
    """An empty database: PostgreSQL gets a fresh public schema, SQLite a missing file."""
    engine = build_engine(database_url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def empty_all_tables(engine) -> None:
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())
