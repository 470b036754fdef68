"""Watching the statements the app sends its database, from real requests: to see them, or
to step in between two of them."""

import re
import uuid

from sqlalchemy import event, update
from sqlmodel import Session

from app.main import read_engines
from app.plans.models import Plan
from app.plans.storage import write_changes


class Statements:
    """Every statement sent on `engines`, as the driver receives it, while in use."""

    def __init__(self, engines) -> None:
        self.engines = engines
        self.seen: list[str] = []
        for engine in engines:
            event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, _conn, _cursor, statement, *_args) -> None:
        self.seen.append(statement)

    def remove(self) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._before)


class EditBetweenReads:
    """While in use, commits an edit of the plan (a new version with one more crisis
    entry, its rows only) from another connection just before the app first fetches a
    version's sections, from its rows or as the changes since a version it kept: the
    moment a read has the plan's version but not yet its sections."""

    SECTIONS_FETCH = re.compile(r'^SELECT ("?plan"?\.outline|plan_revision\.number)\b', re.I)

    def __init__(self, app, plan_id: str, text: str) -> None:
        self.engine = app.state.engine
        self.read_engines = read_engines(app)  # where reads fetch sections
        self.plan_id = uuid.UUID(plan_id)
        self.text = text
        self.fired = False
        for engine in self.read_engines:
            event.listen(engine, "before_cursor_execute", self._before)

    def _before(self, _conn, _cursor, statement, *_args) -> None:
        if self.fired or not self.SECTIONS_FETCH.search(statement):
            return
        self.fired = True
        with Session(self.engine) as session:
            plan = session.get(Plan, self.plan_id)
            session.execute(
                update(Plan).where(Plan.id == self.plan_id).values(version=Plan.version + 1)
            )
            write_changes(session, plan, [["add", "crisis", _entry(self.text)]])
            session.commit()

    def __enter__(self) -> "EditBetweenReads":
        return self

    def __exit__(self, *_exc) -> None:
        for engine in self.read_engines:
            event.remove(engine, "before_cursor_execute", self._before)


def _entry(text: str) -> dict:
    now = "2026-01-01T00:00:00Z"
    return {
        "id": str(uuid.uuid4()),
        "text": text,
        "prompt": None,
        "goal": None,
        "created_at": now,
        "updated_at": now,
    }
