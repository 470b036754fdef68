"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from app.accounts.models import AuthSession, FailedAttempt, RefreshToken, User
from app.imports.models import ImportPart, PlanAttachment, PlanImport
from app.plans.models import Plan, PlanRevision
from app.sharing.models import (
    AccessEvent,
    Comment,
    CrisisCard,
    Share,
    SharingSwitch,
    Suggestion,
)
from app.sync.models import SyncedOperation

__all__ = [
    "AccessEvent",
    "AuthSession",
    "Comment",
    "CrisisCard",
    "FailedAttempt",
    "ImportPart",
    "Plan",
    "PlanAttachment",
    "PlanImport",
    "PlanRevision",
    "RefreshToken",
    "Share",
    "SharingSwitch",
    "Suggestion",
    "SyncedOperation",
    "User",
]
