"""What sharing keeps in step with its plans, told by `plans` through app/core/plan_events.py
in the plan change's own transaction: the plan's deleted_at, which each share keeps a copy
of (see the Share model), and on a restore without sharing, the plan's shares and crisis
card link ended. The copy of the plan's updated_at, written by every edit, is kept by the
database itself (a trigger, migrations/versions/0014), in the plan update's own statement.
Imported by app/main.py, which subscribes it."""

from sqlalchemy import update
from sqlmodel import Session

from app.access_log.service import log_event
from app.accounts.models import User
from app.core import plan_events
from app.core.plan_events import PlanEvent
from app.plans.models import Plan
from app.sharing.models import EndReason, Share
from app.sharing.service import end_sharing


def _copy_to_shares(session: Session, plan: Plan, *, open_only: bool = False, **copies) -> None:
    shares = update(Share).where(Share.owner_id == plan.owner_id, Share.plan_id == plan.id)
    if open_only:
        shares = shares.where(Share.ended_at.is_(None))
    session.execute(shares.values(**copies).execution_options(synchronize_session=False))


def _plan_deleted(session: Session, plan: Plan) -> None:
    _copy_to_shares(session, plan, plan_deleted_at=plan.deleted_at)


def _plan_restored(session: Session, plan: Plan, *, by: User, with_sharing: bool) -> None:
    """Its shares and crisis card link come back only `with_sharing`: otherwise they end
    now, so a restore never quietly reopens the plan to anyone the person may have deleted
    it to shut out."""
    _copy_to_shares(session, plan, plan_deleted_at=None)
    if with_sharing:
        summary = (
            "You restored this plan with its sharing: the shares and crisis card link it "
            "had when you deleted it work again."
        )
    else:
        shares, cards = end_sharing(session, plan.owner_id, EndReason.plan_deleted, plan.id)
        summary = _restored_without_sharing(shares, cards > 0)
    log_event(
        session,
        owner_id=plan.owner_id,
        plan_id=plan.id,
        event="plan_restored",
        by=by,
        summary=summary,
    )


def _restored_without_sharing(shares: int, card: bool) -> str:
    ended = [f"its {shares} share{'' if shares == 1 else 's'}"] if shares else []
    ended += ["its crisis card link"] if card else []
    if not ended:
        return "You restored this plan. It had no shares or crisis card link to bring back."
    return (
        f"You restored this plan without its sharing: {' and '.join(ended)} stayed turned "
        "off. Share it again if you want to."
    )


plan_events.subscribe(PlanEvent.deleted, _plan_deleted)
plan_events.subscribe(PlanEvent.restored, _plan_restored)
