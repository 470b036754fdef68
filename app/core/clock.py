"""The one place the app reads the time, so tests can move it (e.g. past 30 days)."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
