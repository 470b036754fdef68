import uuid
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.access_log.service import attributed_to, author_view, log_event
from app.accounts.models import User
from app.core import clock
from app.core.errors import Problem
from app.plans import changes as plan_changes
from app.plans import service as plans
from app.plans.draft import PlanDraft
from app.plans.models import Plan
from app.sharing.grants import Grant, log_read_through_share
from app.sharing.words import titles
from app.suggestions.models import Suggestion, SuggestionAction, SuggestionStatus
from app.suggestions.schemas import SuggestionCreate


def _entry(section: dict[str, Any] | None, entry_id: str | None) -> dict[str, Any] | None:
    if section is None or entry_id is None:
        return None
    return next((e for e in section["entries"] if e["id"] == entry_id), None)


def _section_of(plan_sections: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    return next((s for s in plan_sections if s["key"] == key), None)


def _target_changed(suggestion: Suggestion, section: dict[str, Any] | None) -> bool:
    if section is None:
        return True
    if suggestion.action == SuggestionAction.add:
        return False
    entry = _entry(section, suggestion.entry_id)
    return entry is None or entry["text"] != suggestion.text_when_suggested


def _suggested_edit(s: Suggestion, title: str) -> str:
    return {
        SuggestionAction.add: f"adding to {title}: \u201c{s.text}\u201d",
        SuggestionAction.change: f"changing \u201c{s.text_when_suggested}\u201d in {title} to "
        f"\u201c{s.text}\u201d",
        SuggestionAction.remove: f"removing \u201c{s.text_when_suggested}\u201d from {title}",
    }[SuggestionAction(s.action)]


def _suggestion_summary(s: Suggestion, title: str) -> str:
    status = {
        SuggestionStatus.pending: "not decided yet",
        SuggestionStatus.accepted: "accepted",
        SuggestionStatus.rejected: "not accepted",
    }[SuggestionStatus(s.status)]
    return f"{s.author_name} suggested {_suggested_edit(s, title)} ({status})."


def suggestion_view(
    suggestion: Suggestion, plan_sections: list[dict[str, Any]], *, for_owner: bool
) -> dict[str, Any]:
    section = _section_of(plan_sections, suggestion.section_key)
    title = section["title"] if section else suggestion.section_key
    entry = _entry(section, suggestion.entry_id)
    return {
        "id": suggestion.id,
        "status": suggestion.status,
        "summary": _suggestion_summary(suggestion, title),
        "suggested_by": author_view(suggestion),
        "section": {"key": suggestion.section_key, "title": title},
        "action": suggestion.action,
        "entry_id": suggestion.entry_id,
        "text": suggestion.text,
        "prompt": suggestion.prompt,
        "note": suggestion.note,
        "text_when_suggested": suggestion.text_when_suggested,
        "current_text": entry["text"] if entry and for_owner else None,
        "target_changed": suggestion.status == SuggestionStatus.pending
        and _target_changed(suggestion, section),
        "created_at": clock.isoformat(suggestion.created_at),
        "decided_at": clock.isoformat(suggestion.decided_at),
        "decision_note": suggestion.decision_note,
    }


def suggest(session: Session, user: User, grant: Grant, body: SuggestionCreate) -> dict:
    section = grant.section(body.section)
    entry_id = str(body.entry_id) if body.entry_id else None
    entry = _entry(section, entry_id)
    if body.action != SuggestionAction.add and entry is None:
        raise Problem(
            404, f"'{section['title']}' has no entry {entry_id}. Read the plan again for ids."
        )
    if body.prompt is not None and body.prompt not in {p["key"] for p in section["prompts"]}:
        raise Problem(
            422,
            f"'{body.prompt}' is not a prompt of '{section['title']}'. Use one of: "
            f"{', '.join(p['key'] for p in section['prompts']) or 'none (leave it out)'}.",
        )
    suggestion = Suggestion(
        plan_id=grant.plan.id,
        owner_id=grant.plan.owner_id,
        share_id=grant.share.id,
        section_key=section["key"],
        action=body.action,
        entry_id=entry_id,
        text=body.text,
        prompt=body.prompt,
        note=body.note,
        text_when_suggested=entry["text"] if entry else None,
        **attributed_to(user),
    )
    session.add(suggestion)
    session.commit()
    return suggestion_view(suggestion, grant.shown(), for_owner=False)


def grantee_suggestions(session: Session, user: User, grant: Grant) -> list[dict[str, Any]]:
    """Their own suggestions on sections still shared; logged, as they quote the plan."""
    shown = grant.shown()
    suggestions = list(
        session.execute(
            select(Suggestion)
            .where(
                Suggestion.share_id == grant.share.id,
                Suggestion.section_key.in_([s["key"] for s in shown]),
            )
            .order_by(Suggestion.created_at.desc(), Suggestion.id)
        ).scalars()
    )
    keys = {s.section_key for s in suggestions}
    sections = [s for s in shown if s["key"] in keys]
    log_read_through_share(
        session,
        grant,
        user,
        "read_suggestions",
        sections,
        f"looked at the {_count(len(suggestions), 'change')} they suggested to {titles(sections)}."
        if suggestions
        else "looked for changes they suggested; there were none.",
    )
    session.commit()
    return [suggestion_view(s, shown, for_owner=False) for s in suggestions]


def owner_suggestions(session: Session, plan: Plan, status: str | None) -> list[dict[str, Any]]:
    query = select(Suggestion).where(Suggestion.plan_id == plan.id)
    if status:
        query = query.where(Suggestion.status == status)
    suggestions = session.execute(
        query.order_by(Suggestion.created_at.desc(), Suggestion.id)
    ).scalars()
    sections = plan.sections
    return [suggestion_view(s, sections, for_owner=True) for s in suggestions]


def _pending_suggestion(session: Session, plan: Plan, suggestion_id: uuid.UUID) -> Suggestion:
    suggestion = session.get(Suggestion, suggestion_id)
    if suggestion is None or suggestion.plan_id != plan.id:
        raise Problem(404, "There is no suggestion with this id for this plan.")
    if suggestion.status != SuggestionStatus.pending:
        raise Problem(
            409, f"This suggestion was already {suggestion.status}; it can't be decided again."
        )
    return suggestion


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _edit_for(suggestion: Suggestion, text: str):
    entry_id = uuid.UUID(suggestion.entry_id) if suggestion.entry_id else None
    if suggestion.action == SuggestionAction.add:
        return plan_changes.add_entry(suggestion.section_key, text, suggestion.prompt, None)
    if suggestion.action == SuggestionAction.change:
        return plan_changes.edit_entry(suggestion.section_key, entry_id, {"text": text})
    return plan_changes.remove_entry(suggestion.section_key, entry_id)


def _decided(suggestion: Suggestion, plan: Plan) -> dict[str, Any]:
    return {
        "suggestion": suggestion_view(suggestion, plan.sections, for_owner=True),
        "plan_version": plan.version,
    }


def accept_suggestion(
    session: Session,
    owner: User,
    plan: Plan,
    suggestion_id: uuid.UUID,
    apply_although_changed: bool,
    retention_days: int,
    text: str | None = None,
) -> dict[str, Any]:
    """Applies the suggestion as an ordinary versioned edit: the owner's decision, in their
    name, saying whose suggestion it was. With `text`, the owner's own version of the words
    goes in instead of the suggested ones. The suggestion is marked accepted and logged inside
    that same edit, so both happen or neither does, even when the edit is retried after a
    concurrent change."""
    suggestion = _pending_suggestion(session, plan, suggestion_id)
    if text is not None and suggestion.action == SuggestionAction.remove:
        raise Problem(
            422,
            "This suggestion is to remove an entry, so there are no words to change. Accept it "
            "as it is, or say no to it.",
        )
    changed_first = text is not None and text != suggestion.text
    edit = _edit_for(suggestion, suggestion.text if text is None else text)
    section_title = (_section_of(plan.outline, suggestion.section_key) or {}).get(
        "title", suggestion.section_key
    )

    def apply(draft: PlanDraft) -> Any:
        section = _section_of(draft.sections, suggestion.section_key)
        if section is None:
            raise Problem(
                409,
                f"The section '{suggestion.section_key}' is no longer in your plan, so this "
                "suggestion can't be applied. Your plan is unchanged; you can reject it.",
            )
        if suggestion.action != SuggestionAction.add:
            entry = _entry(section, suggestion.entry_id)
            if entry is None:
                raise Problem(
                    409,
                    f"The entry this suggestion {suggestion.action}s has been removed from "
                    f"'{section['title']}' since {suggestion.author_name} suggested it. Your "
                    "plan is unchanged; you can reject the suggestion.",
                )
            if entry["text"] != suggestion.text_when_suggested and not apply_although_changed:
                raise Problem(
                    409,
                    f"The entry changed since {suggestion.author_name} suggested this: it said "
                    f"\u201c{suggestion.text_when_suggested}\u201d and now says "
                    f"\u201c{entry['text']}\u201d. Your plan is unchanged. To apply it anyway, "
                    "accept again with apply_although_changed: true, or reject it.",
                    current_text=entry["text"],
                )
        result = edit(draft)
        suggestion.status = SuggestionStatus.accepted
        suggestion.decided_at = clock.utcnow()
        if changed_first:
            suggestion.decision_note = "Accepted with changes to the words."
        session.add(suggestion)
        log_event(
            session,
            owner_id=owner.id,
            plan_id=plan.id,
            event="suggestion_accepted",
            by=owner,
            sections=[section],
            summary=f"You accepted {suggestion.author_name}'s suggestion of "
            f"{_suggested_edit(suggestion, section['title'])}.",
        )
        return result

    plan, _ = plans.change_plan(
        session,
        plan,
        author=owner,
        summary=f"Accepted {suggestion.author_name}'s suggestion of "
        f"{_suggested_edit(suggestion, section_title)}"
        + (", with changes" if changed_first else ""),
        expected_version=None,
        change=apply,
        retention_days=retention_days,
    )
    return _decided(suggestion, plan)


def reject_suggestion(
    session: Session, owner: User, plan: Plan, suggestion_id: uuid.UUID, reason: str
) -> dict[str, Any]:
    suggestion = _pending_suggestion(session, plan, suggestion_id)
    suggestion.status = SuggestionStatus.rejected
    suggestion.decided_at = clock.utcnow()
    suggestion.decision_note = reason
    session.add(suggestion)
    session.commit()
    return _decided(suggestion, plan)
