import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from app.access_log.schemas import PersonRead, SectionName
from app.core.schemas import ChangeInput, StrictInput
from app.plans.schemas import PlanRead, SectionKey
from app.sharing.models import Permission, ShareLabel

# ---- requests --------------------------------------------------------------------------


class ShareCreate(StrictInput):
    sections: list[SectionKey] = Field(min_length=1, max_length=100)
    permission: Permission
    label: ShareLabel
    expires_at: AwareDatetime | None = Field(
        default=None, description="When the share ends by itself; leave out for no end date"
    )

    model_config = {
        "json_schema_extra": {
            "examples": [{"sections": ["crisis"], "permission": "view", "label": "carer"}]
        }
    }


class ShareUpdate(ChangeInput):
    clearable = frozenset({"expires_at"})
    sections: list[SectionKey] | None = Field(default=None, min_length=1, max_length=100)
    permission: Permission | None = None
    label: ShareLabel | None = None
    expires_at: AwareDatetime | None = Field(
        default=None, description="A new end date; send null to remove the end date"
    )


class InviteAcceptance(StrictInput):
    code: str = Field(min_length=1, max_length=100, description="The invite code or link code")


class SharingSwitchUpdate(StrictInput):
    enabled: bool


# ---- responses -------------------------------------------------------------------------


class SharedSection(SectionName):
    hidden: bool = Field(description="Hidden sections are not shown to anyone you share with")


class ShareRead(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    status: str = Field(
        description="waiting (invite not accepted yet), active, invite_expired, expired, "
        "revoked, sharing_switched_off, plan_deleted (the plan was restored without its "
        "sharing), account_closed"
    )
    summary: str = Field(description="Who can see what, until when, in plain words")
    grantee: PersonRead | None
    label: ShareLabel
    permission: Permission
    sections: list[SharedSection]
    created_at: datetime
    invite_expires_at: datetime
    accepted_at: datetime | None
    expires_at: datetime | None
    ended_at: datetime | None


class ShareCreated(ShareRead):
    invite_code: str = Field(description="Shown once: give it to the person you share with")
    invite_link: str = Field(description="A link path holding the code, for the app")


class ShareRevoked(ShareRead):
    message: str


class SharingSwitchRead(BaseModel):
    enabled: bool
    changed_at: datetime | None
    message: str


class SharedWithMe(BaseModel):
    share_id: uuid.UUID
    plan_id: uuid.UUID
    plan_title: str
    person: PersonRead
    label: ShareLabel
    permission: Permission
    sections: list[SectionName]
    since: datetime
    until: datetime | None
    plan_version: int
    last_viewed_at: datetime | None = Field(description="When you last opened it, to the minute")
    last_viewed_version: int | None
    changed_since_last_view: bool
    changed_sections: list[str] = Field(description="Keys of shared sections changed since")
    summary: str


class SharedWithMeList(BaseModel):
    shares: list[SharedWithMe]
    total: int
    limit: int
    offset: int


class ShareGrant(BaseModel):
    share_id: uuid.UUID
    permission: Permission
    until: datetime | None


class ScopedPlan(PlanRead):
    share: ShareGrant
