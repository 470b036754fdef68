"""Group commit: small writes from many requests made durable in one transaction.

A grantee's every plan read writes an access-log line. A transaction of its own per read
costs more than the read (and on SQLite, whose one writer lock is waited for in sleeps, far
more under load). So a request hands its writes over and waits: whichever waiting request
finds no commit under way writes everything handed over so far in one transaction. Each
request returns only once its own writes are committed, so nothing acknowledged is lost.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Executable

# A statement built once (it is grouped by identity) and the values for one execution.
Write = tuple[Executable, dict[str, Any]]


@dataclass(eq=False)
class _Handed:
    writes: Sequence[Write]
    done: bool = False
    error: BaseException | None = None


class GroupCommit:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._committing = threading.Lock()
        self._handing = threading.Lock()
        self._handed: list[_Handed] = []

    def write(self, writes: Sequence[Write]) -> None:
        """Returns once these writes are committed; raises what the database raised if
        they could not be (none of them is then kept)."""
        mine = _Handed(writes)
        with self._handing:
            self._handed.append(mine)
        with self._committing:
            if not mine.done:
                with self._handing:
                    batch, self._handed = self._handed, []
                self._commit(batch)
        if mine.error is not None:
            raise mine.error

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
        # One execution per statement, with every request's values: a multi-row INSERT.
        values: dict[Executable, list[dict[str, Any]]] = {}
        for handed in batch:
            for statement, params in handed.writes:
                values.setdefault(statement, []).append(params)
        with self._engine.begin() as connection:
            for statement, rows in values.items():
                connection.execute(statement, rows)

    @staticmethod
    def _finish(batch: list[_Handed], error: BaseException | None) -> None:
        for handed in batch:
            handed.error = error
            handed.done = True
