"""Faults in tests: the database failing at a chosen statement, or, on PostgreSQL, the app's
connections killed for real."""

import os
import re

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

# "plan" is quoted in SQL (a reserved word in some databases).
PLAN_UPDATE = r'^\s*UPDATE "?plan"?\s'
PLAN_READ = r'^\s*SELECT\b.*\b(FROM|JOIN) "?plan"?\s'
REVISION_INSERT = r'^\s*INSERT INTO "?plan_revision"?\s'
ACCESS_LOG_INSERT = r"^\s*INSERT INTO access_log\s"


class StatementFault:
    """Raises `error` at the next statement matching `pattern` on any of `engines`, once,
    then gets out of the way (so the test can read what is left)."""

    def __init__(self, engines, pattern: str, error: Exception) -> None:
        self.engines = engines
        self.pattern = re.compile(pattern, re.IGNORECASE | re.DOTALL)
        self.error = error
        self.fired = False
        for engine in engines:
            event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, _conn, _cursor, statement, *_args) -> None:
        if not self.fired and self.pattern.search(statement):
            self.fired = True
            raise self.error

    def remove(self) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._before)


on_postgresql = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"),
    reason="kills real PostgreSQL connections",
)


def backend_pid(cursor) -> int:
    """The server process behind a cursor the app is about to run: psycopg's own, or one
    of SQLAlchemy's asyncio adaptation (sessions run on the event loop)."""
    connection = getattr(cursor, "_adapt_connection", None) or cursor.connection
    return connection.info.backend_pid


def admin_connection(database_url: str) -> psycopg.Connection:
    url = make_url(database_url).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def terminate_connections(admin: psycopg.Connection, only_pid: int | None = None) -> int:
    """Kills the app's connections to this database (or just one), as a restart would. The
    timeout makes pg_terminate_backend wait until each backend has exited."""
    rows = admin.execute(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend'"
        " AND (%(pid)s::int IS NULL OR pid = %(pid)s::int)",
        {"pid": only_pid},
    ).fetchall()
    return len(rows)
