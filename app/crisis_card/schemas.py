import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from app.core.schemas import StrictInput


class CrisisCardCreate(StrictInput):
    expires_at: AwareDatetime | None = Field(
        default=None, description="Defaults to 90 days from now; at most two years ahead"
    )


class CrisisCardRead(BaseModel):
    id: uuid.UUID
    status: str = Field(description="active, expired or revoked")
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    uses: int
    message: str


class CrisisCardCreated(CrisisCardRead):
    url: str = Field(description="Shown once: the link to the card")
    qr_svg: str = Field(description="A QR code of the link, as an SVG image")
