"""Group commit (the access log's writes): writes handed over together are committed
together, each caller returns only once its own writes are in, and one caller's bad
write does not fail the others. Commits keep one connection, and replace it when it fails."""

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    bindparam,
    create_engine,
    event,
    exists,
    insert,
    select,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from app.core.group_commit import GroupCommit
from tests.helpers.faults import StatementFault

metadata = MetaData()
note = Table("note", metadata, Column("id", Integer, primary_key=True))
INSERT_NOTE = insert(note)
INSERT_NOTE_UNLESS_STORED = insert(note).from_select(
    ["id"],
    select(bindparam("id", type_=Integer)).where(~exists().where(note.c.id == bindparam("id"))),
)


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/notes.db")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def stored(engine) -> list[int]:
    with engine.connect() as connection:
        return sorted(connection.execute(select(note.c.id)).scalars())


def test_each_write_is_committed_once_before_its_caller_returns(engine):
    group = GroupCommit(engine)

    def write_and_read_back(number: int) -> bool:
        group.write([(INSERT_NOTE, {"id": number})])
        return number in stored(engine)

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(write_and_read_back, range(200)))
    assert stored(engine) == list(range(200))


def test_a_conditional_write_tells_its_caller_whether_it_wrote(engine):
    group = GroupCommit(engine)
    assert group.write_if((INSERT_NOTE_UNLESS_STORED, {"id": 1})) is True
    assert group.write_if((INSERT_NOTE_UNLESS_STORED, {"id": 1})) is False
    group.write([(INSERT_NOTE, {"id": 2})])
    assert group.write_if((INSERT_NOTE_UNLESS_STORED, {"id": 2})) is False
    assert stored(engine) == [1, 2]


def test_conditional_writes_from_many_callers_each_hear_their_own_outcome(engine):
    group = GroupCommit(engine)

    def write_half(number: int) -> bool:  # two callers for each id: one writes it
        return group.write_if((INSERT_NOTE_UNLESS_STORED, {"id": number // 2}))

    with ThreadPoolExecutor(8) as pool:
        wrote = list(pool.map(write_half, range(200)))
    assert stored(engine) == list(range(100))
    assert [wrote[n] + wrote[n + 1] for n in range(0, 200, 2)] == [1] * 100


class HeldFirstCommit:
    """Holds the first INSERT until two more callers have handed over their writes, so
    those two share the next commit; counts the rows of each INSERT; can make the shared
    one fail as a dropped connection does."""

    def __init__(self, engine, group: GroupCommit, fail_shared: bool = False) -> None:
        self.group = group
        self.fail_shared = fail_shared
        self.release = threading.Event()
        self.inserts: list[int] = []
        event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, _conn, _cursor, statement, parameters, *_args):
        if not statement.startswith("INSERT"):
            return
        self.inserts.append(len(parameters) if isinstance(parameters, list) else 1)
        if len(self.inserts) == 1:
            self.release.wait(timeout=10)
        elif len(self.inserts) == 2 and self.fail_shared:
            raise sqlite3.OperationalError("disk I/O error")

    def run(self, first: int, together: tuple[int, int]) -> list:
        """Writes `first`, then the two ids of `together` in one commit; each outcome."""
        with ThreadPoolExecutor(3) as pool:
            held = pool.submit(self.group.write, [(INSERT_NOTE, {"id": first})])
            while not self.inserts:
                time.sleep(0.01)
            shared = [pool.submit(self.group.write, [(INSERT_NOTE, {"id": n})]) for n in together]
            while len(self.group._handed) < 2:  # both handed over, waiting for the commit
                time.sleep(0.01)
            self.release.set()
            return [future.exception() for future in (held, *shared)]


def test_a_bad_write_fails_only_its_caller_even_in_a_shared_commit(engine):
    group = GroupCommit(engine)
    group.write([(INSERT_NOTE, {"id": 1})])
    held = HeldFirstCommit(engine, group)
    first, repeated, fresh = held.run(2, together=(1, 3))
    assert first is None and fresh is None
    assert isinstance(repeated, IntegrityError)
    assert stored(engine) == [1, 2, 3]
    # The first write alone, the other two together (refused), then each alone.
    assert held.inserts == [1, 2, 1, 1]


def test_a_failed_shared_commit_fails_every_caller_in_it(engine):
    group = GroupCommit(engine)
    held = HeldFirstCommit(engine, group, fail_shared=True)
    first, *shared = held.run(1, together=(2, 3))
    assert first is None
    assert all(isinstance(error, OperationalError) for error in shared)
    assert stored(engine) == [1]


class Checkouts:
    """Counts connections taken from the engine's pool."""

    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "checkout", self._checked_out)

    def _checked_out(self, *_args) -> None:
        self.count += 1


def test_commits_reuse_one_connection(engine):
    group = GroupCommit(engine)
    checkouts = Checkouts(engine)
    for number in range(20):
        group.write([(INSERT_NOTE, {"id": number})])
    assert checkouts.count == 1
    assert stored(engine) == list(range(20))


def test_after_a_failed_commit_the_next_one_takes_another_connection(engine):
    group = GroupCommit(engine)
    held = HeldFirstCommit(engine, group, fail_shared=True)
    held.run(1, together=(2, 3))
    checkouts = Checkouts(engine)
    group.write([(INSERT_NOTE, {"id": 4})])
    assert checkouts.count == 1
    assert stored(engine) == [1, 4]


def closed_connection_at_next_insert(engine) -> StatementFault:
    """Makes the next INSERT fail as a connection the database has closed does."""
    return StatementFault(
        [engine], "^INSERT", sqlite3.ProgrammingError("Cannot operate on a closed database.")
    )


def test_writes_on_a_kept_connection_found_closed_go_again_on_a_fresh_one(engine):
    group = GroupCommit(engine)
    group.write([(INSERT_NOTE, {"id": 1})])
    fault = closed_connection_at_next_insert(engine)
    checkouts = Checkouts(engine)
    group.write([(INSERT_NOTE, {"id": 2})])
    assert fault.fired
    assert checkouts.count == 1
    assert stored(engine) == [1, 2]


def test_a_fresh_connection_found_closed_fails_the_writes(engine):
    group = GroupCommit(engine)
    fault = closed_connection_at_next_insert(engine)
    with pytest.raises(DBAPIError) as failure:
        group.write([(INSERT_NOTE, {"id": 1})])
    assert fault.fired
    assert "closed database" in str(failure.value)
    assert stored(engine) == []
