"""Online backup of a SQLite database (on PostgreSQL, pg_dump: see docs/operations.md)."""

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from app.core.db import normalise_database_url


def sqlite_path(database_url: str) -> Path | None:
    """The database file a SQLite URL names, or None for other databases."""
    url = make_url(normalise_database_url(database_url))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def backup_sqlite(database: Path, destination: Path) -> None:
    """Copies a consistent snapshot of the database, the write-ahead log included, while
    the app keeps serving. The copy is written beside the destination and renamed into
    place at the end, so an interrupted backup never looks like a finished one."""
    if destination.exists():
        raise FileExistsError(f"{destination} already exists; choose a new file name.")
    if not database.is_file():
        raise FileNotFoundError(f"There is no database at {database}.")
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(database)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    partial.rename(destination)
