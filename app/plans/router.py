import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Response
from fastapi.responses import JSONResponse

from app.accounts.dependencies import CurrentUser, DbSession
from app.core.config import AppSettings
from app.core.errors import Problem, problem_responses
from app.core.schemas import MAX_STORED_INT, SPACES
from app.plans import changes as plan_changes
from app.plans import contradictions, service
from app.plans.dependencies import (
    OwnedPlan,
    OwnedPlanChange,
    OwnedPlanDocument,
    OwnedPlanList,
    change_owned_plan,
)
from app.plans.schemas import (
    CLEARABLE_FIELDS,
    EntryCreate,
    EntryOrder,
    EntryUpdate,
    EntryWritten,
    PlanCreate,
    PlanRead,
    PlanRestore,
    PlanSummary,
    PlanUpdate,
    RevisionRead,
    RevisionSummary,
    SectionCreate,
    SectionKey,
    SectionOrder,
    SectionUpdate,
    SectionWritten,
)
from app.plans.templates import CRISIS_SECTION, TEMPLATES

router = APIRouter(prefix="/api/v1", tags=["plans"])

IfMatch = Annotated[
    str | None,
    Header(
        description="The plan's ETag when you read it. A stale one gets 409 and the current "
        "copy; leave it out to apply the change to whatever is current.",
        # What service.parse_if_match accepts; anything else is answered 400.
        json_schema_extra={"pattern": f'^[{SPACES}]*(\\*|(W/)?"*[0-9]+"*)[{SPACES}]*$'},
    ),
]
CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {
    400: {"description": "If-Match is not an ETag"},
    409: {"description": "The plan changed since the given ETag; `current` holds it."},
}
RevisionNumber = Annotated[int, Path(ge=1, le=MAX_STORED_INT)]


def _plan_response(session, plan, settings, status_code: int = 200) -> Response:
    return Response(
        service.plan_document_json(session, plan, settings.deleted_plan_retention_days),
        status_code=status_code,
        media_type="application/json",
        headers={"ETag": service.etag(plan)},
    )


def _written(plan, body: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return JSONResponse(
        body | {"plan_version": plan.version},
        status_code=status_code,
        headers={"ETag": service.etag(plan)},
    )


def _changed_fields(body) -> dict[str, Any]:
    fields = body.model_dump(mode="json", exclude_unset=True)
    if not fields:
        raise Problem(422, "Nothing to change: send at least one field.")
    emptied = [f for f, value in fields.items() if value is None and f not in CLEARABLE_FIELDS]
    if emptied:
        raise Problem(422, f"'{emptied[0]}' can't be empty; leave it out to keep it as it is.")
    return fields


@router.get("/templates", tags=["plans"])
def list_templates() -> dict[str, Any]:
    """The Green Book and WRAP templates: sections, prompts and what "today" opens."""
    return {key.value: template for key, template in TEMPLATES.items()}


@router.get("/plans", response_model=list[PlanSummary])
async def list_plans(plans: OwnedPlanList):
    """Your plans (archived ones included, marked). `deleted=true` lists deleted plans that
    can still be restored, with the date each is gone for good."""
    return plans


@router.post("/plans", response_model=PlanRead, status_code=201)
def create_plan(body: PlanCreate, user: CurrentUser, session: DbSession, settings: AppSettings):
    plan = service.create_plan(session, user, body.template, body.title)
    response = _plan_response(session, plan, settings, 201)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return response


@router.get("/plans/{plan_id}", response_model=PlanRead)
async def read_plan(plan: OwnedPlanDocument):
    body, etag = plan
    return Response(body, media_type="application/json", headers={"ETag": etag})


@router.patch("/plans/{plan_id}", response_model=PlanRead, responses=CONFLICT_RESPONSE)
def update_plan(
    plan: OwnedPlan,
    body: PlanUpdate,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    if_match: IfMatch = None,
):
    """Rename a plan, or archive it (`archived: true`) and bring it back."""
    fields = _changed_fields(body)
    expected = service.parse_if_match(if_match)
    if expected is not None and expected != plan.version:
        raise service.conflict(session, plan, settings.deleted_plan_retention_days)
    if "title" in fields and fields["title"] != plan.title:
        plan, _ = change_owned_plan(
            session,
            user,
            plan,
            settings,
            if_match,
            "Renamed the plan",
            plan_changes.rename_plan(fields["title"]),
        )
    if "archived" in fields:
        plan = service.set_archived(session, plan, fields["archived"])
    return _plan_response(session, plan, settings)


@router.delete("/plans/{plan_id}", status_code=204)
def delete_plan(plan: OwnedPlan, session: DbSession):
    """Move a plan to deleted plans. It can be restored for 30 days, then it is gone."""
    service.soft_delete(session, plan)
    return Response(status_code=204)


@router.post("/plans/{plan_id}/restore", response_model=PlanRead, responses=problem_responses(409))
def restore_deleted_plan(
    plan_id: uuid.UUID,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    body: PlanRestore | None = None,
):
    """Bring back a deleted plan, within 30 days of deleting it. Its shares and crisis card
    link come back only with `with_sharing: true`; otherwise they stay turned off."""
    plan = service.restore_deleted(
        session,
        user,
        plan_id,
        settings.deleted_plan_retention_days,
        with_sharing=body is not None and body.with_sharing,
    )
    return _plan_response(session, plan, settings)


@router.get(
    "/plans/{plan_id}/contradictions", response_model=list[contradictions.ContradictionRead]
)
def list_contradictions(plan: OwnedPlan):
    """Where your crisis plan says two things that may not agree (a medicine both preferred
    and avoided; someone both a helper and not to be involved; two people to speak for
    you). Nothing is changed for you: change or remove an entry, or keep both knowingly by
    adding its `key` to the crisis section's `kept_contradictions`."""
    crisis = next((s for s in plan.sections if s["key"] == CRISIS_SECTION), None)
    return contradictions.in_crisis_section(crisis)


@router.get("/plans/{plan_id}/revisions", response_model=list[RevisionSummary])
def list_revisions(plan: OwnedPlan, session: DbSession):
    """Every version of the plan, newest first: who changed what, and when."""
    return [service.revision_summary(r) for r in service.list_revisions(session, plan)]


@router.get("/plans/{plan_id}/revisions/{number}", response_model=RevisionRead)
def read_revision(plan: OwnedPlan, number: RevisionNumber, session: DbSession):
    revision = service.get_revision(session, plan, number)
    sections = service.revision_sections(session, plan, number)
    return service.revision_summary(revision) | {"sections": sections}


@router.post(
    "/plans/{plan_id}/revisions/{number}/restore",
    response_model=PlanRead,
    responses=CONFLICT_RESPONSE,
)
def restore_revision(
    plan: OwnedPlan,
    number: RevisionNumber,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    if_match: IfMatch = None,
):
    """Make an earlier version current again. This adds a new version; nothing is lost."""
    revision = service.get_revision(session, plan, number)
    sections = service.revision_sections(session, plan, number)
    plan, _ = change_owned_plan(
        session,
        user,
        plan,
        settings,
        if_match,
        f"Restored version {number}",
        plan_changes.restore_revision(revision.title, sections),
    )
    return _plan_response(session, plan, settings)


@router.post(
    "/plans/{plan_id}/sections",
    response_model=SectionWritten,
    status_code=201,
    responses=CONFLICT_RESPONSE,
)
async def add_section(
    change: OwnedPlanChange,
    body: SectionCreate,
    if_match: IfMatch = None,
):
    """Add a section of your own. Its key is made from the title."""
    plan, section = await change(
        f"Added section \u201c{body.title}\u201d",
        plan_changes.add_section(body.title, body.description),
        if_match,
    )
    return _written(plan, section, 201)


@router.patch(
    "/plans/{plan_id}/sections/{key}", response_model=SectionWritten, responses=CONFLICT_RESPONSE
)
async def update_section(
    change: OwnedPlanChange,
    key: SectionKey,
    body: SectionUpdate,
    if_match: IfMatch = None,
):
    """Rename a section, change its description, or hide it (and show it again)."""
    fields = _changed_fields(body)
    plan, section = await change(
        lambda sections: f"Changed section {plan_changes.section_title(sections, key)}",
        plan_changes.edit_section(key, fields),
        if_match,
    )
    return _written(plan, section)


@router.delete("/plans/{plan_id}/sections/{key}", status_code=204, responses=CONFLICT_RESPONSE)
async def remove_section(
    change: OwnedPlanChange,
    key: SectionKey,
    if_match: IfMatch = None,
):
    """Remove a section you added (template sections can be hidden instead).
    The plan's history keeps it."""
    plan, _ = await change(
        lambda sections: f"Removed section {plan_changes.section_title(sections, key)}",
        plan_changes.remove_section(key),
        if_match,
    )
    return Response(status_code=204, headers={"ETag": service.etag(plan)})


@router.put("/plans/{plan_id}/section-order", response_model=PlanRead, responses=CONFLICT_RESPONSE)
def reorder_sections(
    plan: OwnedPlan,
    body: SectionOrder,
    user: CurrentUser,
    session: DbSession,
    settings: AppSettings,
    if_match: IfMatch = None,
):
    """Put the sections in a new order: list every section key once."""
    plan, _ = change_owned_plan(
        session,
        user,
        plan,
        settings,
        if_match,
        "Reordered sections",
        plan_changes.reorder_sections(body.keys),
    )
    return _plan_response(session, plan, settings)


@router.post(
    "/plans/{plan_id}/sections/{key}/entries",
    response_model=EntryWritten,
    status_code=201,
    responses=CONFLICT_RESPONSE,
)
async def add_entry(
    change: OwnedPlanChange,
    key: SectionKey,
    body: EntryCreate,
    if_match: IfMatch = None,
):
    """Add an entry, in your own words, to a section."""
    goal = body.goal.model_dump(mode="json") if body.goal else None
    page = body.page.model_dump(mode="json") if body.page else None
    plan, entry = await change(
        lambda sections: f"Added an entry to {plan_changes.section_title(sections, key)}",
        plan_changes.add_entry(key, body.text, body.prompt, goal, page=page),
        if_match,
    )
    return _written(plan, entry, 201)


@router.patch(
    "/plans/{plan_id}/sections/{key}/entries/{entry_id}",
    response_model=EntryWritten,
    responses=CONFLICT_RESPONSE,
)
async def update_entry(
    change: OwnedPlanChange,
    key: SectionKey,
    entry_id: uuid.UUID,
    body: EntryUpdate,
    if_match: IfMatch = None,
):
    fields = _changed_fields(body)
    plan, entry = await change(
        lambda sections: f"Edited an entry in {plan_changes.section_title(sections, key)}",
        plan_changes.edit_entry(key, entry_id, fields),
        if_match,
    )
    return _written(plan, entry)


@router.delete(
    "/plans/{plan_id}/sections/{key}/entries/{entry_id}",
    status_code=204,
    responses=CONFLICT_RESPONSE,
)
async def remove_entry(
    change: OwnedPlanChange,
    key: SectionKey,
    entry_id: uuid.UUID,
    if_match: IfMatch = None,
):
    """Remove an entry. The plan's history keeps it, so it can be restored."""
    plan, _ = await change(
        lambda sections: f"Removed an entry from {plan_changes.section_title(sections, key)}",
        plan_changes.remove_entry(key, entry_id),
        if_match,
    )
    return Response(status_code=204, headers={"ETag": service.etag(plan)})


@router.put(
    "/plans/{plan_id}/sections/{key}/entry-order",
    response_model=SectionWritten,
    responses=CONFLICT_RESPONSE,
)
async def reorder_entries(
    change: OwnedPlanChange,
    key: SectionKey,
    body: EntryOrder,
    if_match: IfMatch = None,
):
    """Put a section's entries in a new order: list every entry id once."""
    plan, section = await change(
        lambda sections: f"Reordered entries in {plan_changes.section_title(sections, key)}",
        plan_changes.reorder_entries(key, body.entry_ids),
        if_match,
    )
    return _written(plan, section)
