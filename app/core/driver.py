"""Statements compiled once for the database driver, for the hottest paths, where
SQLAlchemy's per-execution work (its compiled-cache lookup, each value through its layers,
the result's column descriptions read and matched on every execution) cost more than the
database's own work: several hundred microseconds against about a hundred for the round
trip of a plan read.

Writes (the group commit) run through `exec_driver_sql`. Reads (`DriverRead`) run on a
pooled driver connection itself, and do by hand what SQLAlchemy would: its cursor-execute
listeners are called, driver errors become SQLAlchemy's (a lost database is still a 503),
and a connection found dead is discarded with the others pooled beside it."""

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable, Select


@dataclass(frozen=True, eq=False)
class DriverStatement:
    """A statement compiled for the driver, with what turns values into the driver's
    parameters (the columns' own conversions: encryption, UUIDs, times)."""

    sql: str
    names: tuple[str, ...]
    conversions: tuple[Callable[[Any], Any] | None, ...]
    positional: bool

    @classmethod
    def compile(cls, statement: Executable, keys: tuple[str, ...], dialect: Dialect):
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        names = tuple(compiled.positiontup if compiled.positional else compiled.binds)
        conversions = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        return cls(str(compiled), names, conversions, compiled.positional)

    def parameters(self, values: dict[str, Any]) -> tuple | dict[str, Any]:
        converted = [
            values[name] if convert is None else convert(values[name])
            for name, convert in zip(self.names, self.conversions, strict=True)
        ]
        if self.positional:
            return tuple(converted)
        return dict(zip(self.names, converted, strict=True))


@dataclass(frozen=True, eq=False)
class _CompiledRead:
    statement: DriverStatement
    conversions: tuple[Callable[[Any], Any] | None, ...]


class DriverRead:
    """A SELECT run as a `DriverStatement`, its rows converted by the columns' own types
    (decryption, times) into named tuples with the columns' names."""

    def __init__(self, select: Select) -> None:
        self.select = select
        self.row = namedtuple("DriverRow", select.selected_columns.keys())
        self._compiled: dict[str, _CompiledRead] = {}

    def first(self, engine: Engine, values: dict[str, Any]) -> tuple | None:
        """The first row for these values, or None."""
        read = self._compiled_for(engine.dialect)
        sql, parameters = read.statement.sql, read.statement.parameters(values)
        driver_error = engine.dialect.loaded_dbapi.Error
        try:
            pooled = engine.raw_connection()
        except driver_error as error:
            raise _as_sqlalchemy_error(engine, error, disconnected=False) from error
        try:
            cursor = pooled.cursor()
            try:
                # As for any statement: instrumentation (and the fault tests) see it too.
                if listeners := engine.dispatch.before_cursor_execute:
                    listeners(None, cursor, sql, parameters, None, False)
                cursor.execute(sql, parameters)
                found = cursor.fetchone()
            finally:
                cursor.close()
        except driver_error as error:
            disconnected = engine.dialect.is_disconnect(error, pooled.dbapi_connection, None)
            if disconnected:
                pooled.invalidate(error)
                engine.pool.dispose()  # its other connections are as likely dead
            raise _as_sqlalchemy_error(engine, error, disconnected) from error
        finally:
            pooled.close()
        if found is None:
            return None
        return self.row._make(
            value if convert is None else convert(value)
            for value, convert in zip(found, read.conversions, strict=True)
        )

    def _compiled_for(self, dialect: Dialect) -> _CompiledRead:
        # Compiled on first use, when the database is known; a race compiles it twice.
        read = self._compiled.get(dialect.name)
        if read is None:
            read = _CompiledRead(
                DriverStatement.compile(self.select, (), dialect),
                tuple(
                    column.type.dialect_impl(dialect).result_processor(dialect, None)
                    for column in self.select.selected_columns
                ),
            )
            self._compiled[dialect.name] = read
        return read


def _as_sqlalchemy_error(engine: Engine, error: Exception, disconnected: bool) -> DBAPIError:
    return DBAPIError.instance(
        None,
        None,
        error,
        engine.dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=disconnected,
        dialect=engine.dialect,
    )
