"""The one place the app reads the time, so tests can move it (e.g. past 30 days)."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(moment: datetime) -> str:
    """UTC timestamps in one spelling everywhere (the one pydantic writes): ...Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
