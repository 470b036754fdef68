"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from app.access_log.models import AccessEvent
from app.accounts.models import (
    AttemptCounter,
    AuthSession,
    Passkey,
    PasskeyCeremony,
    PasswordReset,
    RefreshToken,
    User,
)
from app.checkins.models import CheckIn, CheckInSettings
from app.comments.models import Comment
from app.plans.models import Plan, PlanEntry, PlanRevision
from app.sharing.models import CrisisCard, Share, SharingSwitch
from app.statements.models import ImportPart, PlanAttachment, PlanImport
from app.suggestions.models import Suggestion
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
    "Passkey",
    "PasskeyCeremony",
    "PasswordReset",
    "Plan",
    "PlanAttachment",
    "PlanEntry",
    "PlanImport",
    "PlanRevision",
    "RefreshToken",
    "Share",
    "SharingSwitch",
    "Suggestion",
    "SyncedOperation",
    "User",
]
