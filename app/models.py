"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from app.accounts.models import AuthSession, RefreshToken, SignInFailure, User
from app.plans.models import Plan, PlanRevision

__all__ = ["AuthSession", "Plan", "PlanRevision", "RefreshToken", "SignInFailure", "User"]
