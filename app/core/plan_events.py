"""What happens to a plan, told to the packages that keep something about it (sharing keeps
copies of plan columns on its shares, and ends them on a restore without sharing).

`plans` publishes and imports none of its subscribers, so the dependency runs one way: a
subscriber imports `plans`, never the reverse. Subscribers run inside the change's own
transaction, with its session, and write nothing the change's commit does not commit."""

from collections.abc import Callable
from enum import Enum
from typing import Any

from sqlmodel import Session


class PlanEvent(Enum):
    deleted = "deleted"  # moved to deleted plans
    restored = "restored"  # back from deleted plans; details: by (the owner), with_sharing


Subscriber = Callable[..., None]
_SUBSCRIBERS: dict[PlanEvent, list[Subscriber]] = {event: [] for event in PlanEvent}


def subscribe(event: PlanEvent, subscriber: Subscriber) -> None:
    """`subscriber(session, plan, **details)` runs on every `event` from now on."""
    if subscriber not in _SUBSCRIBERS[event]:
        _SUBSCRIBERS[event].append(subscriber)


def publish(event: PlanEvent, session: Session, plan: Any, **details: Any) -> None:
    for subscriber in _SUBSCRIBERS[event]:
        subscriber(session, plan, **details)
