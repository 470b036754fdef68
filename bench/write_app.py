"""The real app plus one bare write endpoint for the write benchmark: `POST /bench/bare-write`
inserts one row into a bench-only table in the app's own database and commits, through the
app's own session dependency (so the same engine, pool and SQLite pragmas), with no sign-in,
no plan and no encryption: the cheapest FastAPI + SQLModel write on the same server.

The table lives on a metadata of its own, so it is never part of the app's schema or its
migrations; it is created when this module is loaded (after the benchmark migrated)."""

import uuid

from pydantic import BaseModel
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from app.accounts.dependencies import DbSession
from app.main import create_app


class BenchTable(SQLModel, registry=registry()):
    pass


class BareWrite(BenchTable, table=True):
    __tablename__ = "bench_bare_write"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(index=True)
    body: str


class BareWriteBody(BaseModel):
    owner_id: uuid.UUID
    body: str


class BareWritten(BaseModel):
    id: uuid.UUID


app = create_app()
BenchTable.metadata.create_all(app.state.engine)


def bare_write(body: BareWriteBody, session: DbSession) -> BareWritten:
    row = BareWrite(owner_id=body.owner_id, body=body.body)
    session.add(row)
    session.commit()
    return BareWritten(id=row.id)


app.add_api_route("/bench/bare-write", bare_write, methods=["POST"], status_code=201)
# The PWA is mounted at "/" and would shadow routes added after it: move ours first.
bench_routes = [r for r in app.router.routes if getattr(r, "path", "").startswith("/bench/")]
app.router.routes[:] = bench_routes + [r for r in app.router.routes if r not in bench_routes]
