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


# Spelt out rather than from strftime("%B"), which follows the server's locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day(moment: datetime) -> str:
    """A date as people write it: 5 December 2026."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
