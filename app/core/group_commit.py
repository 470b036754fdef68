"""Group commit: small writes from many requests made durable in one transaction.

A grantee's every plan read writes an access-log line. A transaction of its own per read
costs more than the read (and on SQLite, whose one writer lock is waited for in sleeps, far
more under load). So a request hands its writes over and waits: whichever waiting request
finds no commit under way writes everything handed over so far in one transaction. Each
request returns only once its own writes are committed, so nothing acknowledged is lost.

The commits go through one connection kept for them, with each statement compiled once for
the database driver: checking a connection out of the pool and SQLAlchemy's per-execution
compiling cost more than the database's own insert and commit.

A write can also be conditional (an INSERT from a SELECT whose WHERE says when it applies):
it is executed on its own in the shared transaction, and its caller learns whether it wrote.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.core.driver import DriverStatement, Write, compiled_for_driver

# Each statement's rows of driver parameters, for one commit.
_Parameters = dict[DriverStatement, list[tuple | dict[str, Any]]]


@dataclass(eq=False)
class _Handed:
    writes: Sequence[Write]
    conditional: bool = False
    wrote: bool = False
    done: bool = False
    error: BaseException | None = None


# Each conditional write of a commit: whose it is, its statement and its driver parameters.
_Conditionals = list[tuple[_Handed, DriverStatement, tuple | dict[str, Any]]]


class GroupCommit:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._committing = threading.Lock()
        self._handing = threading.Lock()
        self._handed: list[_Handed] = []
        # Used only while holding `_committing`.
        self._kept: Connection | None = None

    def write(self, writes: Sequence[Write]) -> None:
        """Returns once these writes are committed; raises what the database raised if
        they could not be (none of them is then kept)."""
        self._hand_over(_Handed(writes))

    def write_if(self, conditional: Write) -> bool:
        """Commits a statement that writes rows only where its own conditions hold; True
        if it wrote any. Raises as `write` does."""
        return self._hand_over(_Handed([conditional], conditional=True)).wrote

    def _hand_over(self, mine: _Handed) -> _Handed:
        with self._handing:
            self._handed.append(mine)
        with self._committing:
            if not mine.done:
                with self._handing:
                    batch, self._handed = self._handed, []
                self._commit(batch)
        if mine.error is not None:
            raise mine.error
        return mine

    def close(self) -> None:
        """Gives the kept connection back (when the app stops)."""
        with self._committing:
            if self._kept is not None:
                self._kept.close()
                self._kept = None

    def _commit(self, batch: list[_Handed]) -> None:
        try:
            self._execute(batch)
        except IntegrityError as error:
            if len(batch) == 1:
                self._finish(batch, error)
                return
            # One request's writes broke a constraint (say its plan was deleted meanwhile):
            # the others are not refused for it.
            for handed in batch:
                self._commit([handed])
            return
        except BaseException as error:  # every waiter must hear of it, whatever it is
            self._finish(batch, error)
            return
        self._finish(batch, None)

    def _execute(self, batch: list[_Handed]) -> None:
        # One execution per statement, with every request's values; conditional writes one
        # by one, as each caller needs to know whether its own wrote.
        parameters: _Parameters = {}
        conditionals: _Conditionals = []
        for handed in batch:
            for statement, values in handed.writes:
                driver = compiled_for_driver(statement, tuple(values), self._engine.dialect)
                if handed.conditional:
                    conditionals.append((handed, driver, driver.parameters(values)))
                else:
                    parameters.setdefault(driver, []).append(driver.parameters(values))
        kept, self._kept = self._kept, None
        # A kept connection may have died while kept (the database restarted); then nothing
        # was written, and the writes go again on a connection the pool has checked.
        if kept is None or not self._execute_on(kept, parameters, conditionals, may_be_gone=True):
            self._execute_on(self._engine.connect(), parameters, conditionals, may_be_gone=False)

    def _execute_on(
        self,
        connection: Connection,
        parameters: _Parameters,
        conditionals: _Conditionals,
        may_be_gone: bool,
    ) -> bool:
        """Commits the writes on this connection, then keeps it; False, with nothing
        written, if the connection `may_be_gone` and was."""
        try:
            transaction = connection.begin()
            try:
                for driver, rows in parameters.items():
                    connection.exec_driver_sql(driver.sql, rows)
                wrote = [
                    (handed, connection.exec_driver_sql(driver.sql, row).rowcount > 0)
                    for handed, driver, row in conditionals
                ]
            except DBAPIError as error:
                if may_be_gone and error.connection_invalidated:
                    connection.close()
                    return False
                raise
            transaction.commit()
        except BaseException:
            connection.close()  # it may be broken: the next commit takes another
            raise
        for handed, did in wrote:
            handed.wrote = did
        self._kept = connection
        return True

    @staticmethod
    def _finish(batch: list[_Handed], error: BaseException | None) -> None:
        for handed in batch:
            handed.error = error
            handed.done = True
