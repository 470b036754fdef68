"""The one place the app reads the time, so tests can move it (e.g. past 30 days)."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(moment: datetime | None) -> str | None:
    """UTC timestamps in one spelling everywhere (the one pydantic writes): ...Z.
    An unset moment stays None, as JSON null."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
