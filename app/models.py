"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from app.accounts.models import AttemptCounter, AuthSession, RefreshToken, User
from app.checkins.models import CheckIn, CheckInSettings
from app.statements.models import ImportPart, PlanAttachment, PlanImport
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
    "AttemptCounter",
    "AuthSession",
    "CheckIn",
    "CheckInSettings",
    "Comment",
    "CrisisCard",
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
