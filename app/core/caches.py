"""Every in-process cache of plan content, declared in this one place: what it holds, its
key, and what empties it. Nothing else in the app may keep a plan's words in memory.

Two rules make a cache unable to serve the wrong person:

- Its key names the plan's owner and the plan row's `generation`, a random id made with
  the row (app/plans/models.py) that no other row has, nor a plan re-created under the same
  id would have (which can't happen anyway: plan ids are never used twice, `used_plan_id`).
  A key with only a plan id and version once let a re-created plan be served a deleted
  person's plan from memory.
- Its entries are forgotten when their plan is deleted or purged and when their owner's
  account is deleted (`forget_plan`, `forget_owner`), in this process. Another worker
  process keeps its entries until they are evicted, but its keys can never match a plan
  again, and the grantee's checked read (`LAST_READS`) is re-checked in SQL each time.

docs/scaling.md says how each cache's worth was measured; one that did not pay for itself
was removed (decrypted titles and share keys, and the outlines and shown sections that
"shared with me" and a grantee's read kept apart from the caches below)."""

import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam

from app.core.lru import LRUCache

V = TypeVar("V")


@dataclass
class PlanContentCache(Generic[V]):
    """A least-recently-used map of something derived from one plan. Each entry is stored
    with the owner and plan it came from, so it can be forgotten with them."""

    name: str
    size: int
    key: tuple[str, ...]  # what the key tuple holds, in order
    holds: str
    # For an entry whose freshness is checked in SQL rather than by its key: the columns
    # compared. `unchanged_in` builds the check from them and `remembered_values` keeps
    # them, so a column named here is both checked and remembered.
    checked_in_sql: tuple[str, ...] = ()
    _entries: LRUCache[Hashable, tuple[uuid.UUID, uuid.UUID, V]] = field(init=False)

    def __post_init__(self) -> None:
        self._entries = LRUCache(self.size)
        _REGISTRY.append(self)

    def get(self, key: Hashable) -> V | None:
        found = self._entries.get(key)
        return None if found is None else found[2]

    def put(self, key: Hashable, value: V, *, owner_id: uuid.UUID, plan_id: uuid.UUID) -> V:
        self._entries.put(key, (owner_id, plan_id, value))
        return value

    def forget(self, owner_id: uuid.UUID, plan_id: uuid.UUID | None = None) -> None:
        self._entries.discard_where(
            lambda _key, entry: entry[0] == owner_id and plan_id in (None, entry[1])
        )

    def unchanged_in(self, read: Select) -> ColumnElement[bool]:
        """The SQL condition that each column of `read` named in `checked_in_sql` still
        holds the value remembered for it, bound under the column's own name (the values
        `remembered_values` gave)."""
        columns = read.selected_columns
        return and_(
            *(
                columns[name].is_not_distinct_from(bindparam(name, type_=columns[name].type))
                for name in self.checked_in_sql
            )
        )

    def remembered_values(self, row: Row) -> dict[str, Any]:
        """What to remember of a row `read` found, for `unchanged_in` to compare."""
        return {name: row._mapping[name] for name in self.checked_in_sql}

    def plans_held(self) -> set[tuple[uuid.UUID, uuid.UUID]]:
        """The (owner id, plan id) of every entry, for checking what is remembered."""
        return {(owner_id, plan_id) for owner_id, plan_id, _ in self._entries.values()}


_REGISTRY: list[PlanContentCache] = []


def registered() -> list[PlanContentCache]:
    return list(_REGISTRY)


def forget_plan(owner_id: uuid.UUID, plan_id: uuid.UUID) -> None:
    """Called when the plan is deleted (soft or for good)."""
    for cache in _REGISTRY:
        cache.forget(owner_id, plan_id)


def forget_owner(owner_id: uuid.UUID) -> None:
    """Called when the owner's account is deleted."""
    for cache in _REGISTRY:
        cache.forget(owner_id)


# ---- the caches ------------------------------------------------------------------------

SECTIONS_JSON = PlanContentCache[str](
    "sections_json",
    1_000,
    key=("owner_id", "plan_id", "generation", "version"),
    holds="A plan version's sections as decrypted JSON text: every answer holding a whole "
    "plan (the owner's read, a 409's current plan, sync, a grantee's first read) splices it "
    "in. A version never changes.",
)

LISTED_SHARES = PlanContentCache[str](
    "listed_shares",
    5_000,
    key=("keyring", "share_owner_id", "share_id", "plan_id", "generation", "version", "..."),
    holds="A share's item in a grantee's \"shared with me\" list, as JSON, by the whole row it "
    "was built from (ciphertexts as stored, not text), so any change to the share, the plan "
    "or the owner's name is a new key.",
)

LAST_READS = PlanContentCache(
    "last_reads",
    2_000,
    key=("share_id", "reader_id"),
    holds="A grantee's read of a share as answered and logged, answered again only when the "
    "log line's insert finds the share live and every column in `checked_in_sql` unchanged.",
    # Columns of the grantee's checked read (`app.sharing.queries._SCOPED_READ`): the SQL
    # check `_LOG_READ_IF_UNCHANGED` is built from this list, and the remembered read keeps
    # exactly these values to compare.
    checked_in_sql=(
        "generation",
        "version",
        "archived_at",
        "stored_sections",
        "expires_at",
        "permission",
        "label",
        "reader_name",
        "reader_role",
        "reader_organisation",
    ),
)
