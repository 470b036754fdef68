import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from app.core.schemas import SPACES, StrictInput, WithoutNul, trimmed_text

PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_CHARS = 256


def _normalise_email(value: str) -> str:
    value = value.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in value) or "@" in domain:
        raise ValueError("enter an email address like name@example.org")
    return value


# What _normalise_email accepts, for the schema: something@something.something, no spaces
# inside (around them they are taken off).
EMAIL_PATTERN = (
    f"^[{SPACES}]*[^@{SPACES}\\x00]+@[^@{SPACES}\\x00]*\\.[^@{SPACES}\\x00]*[{SPACES}]*$"
)
Email = Annotated[
    str,
    StringConstraints(max_length=254),
    WithoutNul,
    AfterValidator(_normalise_email),
    Field(json_schema_extra={"pattern": EMAIL_PATTERN}),
]
Password = Annotated[
    str, StringConstraints(min_length=PASSWORD_MIN_CHARS, max_length=PASSWORD_MAX_CHARS)
]
DisplayName = Annotated[trimmed_text(100), WithoutNul]


class Registration(StrictInput):
    email: Email
    password: Password
    display_name: DisplayName

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"email": "sam@example.org", "password": "a long passphrase", "display_name": "Sam"}
            ]
        }
    }


class RefreshRequest(StrictInput):
    refresh_token: str = Field(min_length=1, max_length=200)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int = Field(description="Seconds until the access token expires")


class Me(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: str
    organisation: str | None
    created_at: datetime


class MeUpdate(StrictInput):
    display_name: DisplayName
