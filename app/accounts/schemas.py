import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from app.accounts.passwords import (
    PASSWORD_MAX_CHARS,
    PASSWORD_MIN_CHARS,
    refuse_common_password,
    refuse_password_like_email,
)
from app.core.schemas import SPACES, ShownName, StrictInput, WithoutNul, trimmed_text


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
# A password being chosen (NIST SP 800-63B rules: app/accounts/passwords.py).
NewPassword = Annotated[
    str,
    StringConstraints(min_length=PASSWORD_MIN_CHARS, max_length=PASSWORD_MAX_CHARS),
    AfterValidator(refuse_common_password),
]
# A password being checked: only bounded, as it may be one chosen under older rules.
CurrentPassword = Annotated[str, StringConstraints(min_length=1, max_length=PASSWORD_MAX_CHARS)]
DisplayName = Annotated[trimmed_text(100), WithoutNul, ShownName]
Organisation = Annotated[trimmed_text(200), WithoutNul, ShownName]


class Registration(StrictInput):
    email: Email
    password: NewPassword
    display_name: DisplayName

    @model_validator(mode="after")
    def _password_is_not_the_email(self):
        refuse_password_like_email(self.password, self.email)
        return self

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"email": "sam@example.org", "password": "a long passphrase", "display_name": "Sam"}
            ]
        }
    }


class ProfessionalAccount(Registration):
    """An account an administrator makes (`python -m app create-user`)."""

    organisation: Organisation | None = None


class RegistrationReceived(BaseModel):
    """The same answer whether the email was new or already had an account, so registering
    cannot be used to find out who has one."""

    email: str
    detail: str


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
    has_password: bool = Field(description="False for an account that signs in only with passkeys")


class MeUpdate(StrictInput):
    display_name: DisplayName


class PasswordChange(StrictInput):
    current_password: CurrentPassword
    new_password: NewPassword

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"current_password": "a long passphrase", "new_password": "another long one"}
            ]
        }
    }


class Device(BaseModel):
    """A signed-in device: one sign-in and the refresh tokens it has swapped since."""

    id: uuid.UUID
    name: str = Field(description="The browser and system in plain words: 'Chrome on Android'")
    signed_in_at: datetime
    last_used_at: datetime = Field(
        description="When it last renewed its sign-in (about every 15 minutes while in use)"
    )
    this_device: bool = Field(description="The device that asked")
    signed_in_with: str = Field(
        description="How the sign-in began: 'password', 'passkey' or 'reset_link'"
    )


class PasskeyOptions(BaseModel):
    """What the browser needs to make or use a passkey: hand `public_key` (binary values
    in base64url) to navigator.credentials, then send its answer with `ceremony_id`."""

    ceremony_id: uuid.UUID
    public_key: dict[str, Any]


class PasskeySignUp(StrictInput):
    email: Email
    display_name: DisplayName


class PasskeyAnswer(StrictInput):
    ceremony_id: uuid.UUID
    credential: dict[str, Any] = Field(
        description="The PublicKeyCredential the browser made, as JSON (its toJSON() form: "
        "binary values in base64url)"
    )


class Confirmation(StrictInput):
    """Confirming it's you before something that cannot be undone: the current password,
    or a passkey's answer to a confirmation challenge (POST /me/confirm/options)."""

    password: CurrentPassword | None = None
    passkey: PasskeyAnswer | None = None

    model_config = {"json_schema_extra": {"maxProperties": 1}}

    @model_validator(mode="after")
    def _one_way(self):
        # As the schema says (maxProperties 1): one key, even if the other is sent as null.
        if len(self.model_fields_set) > 1:
            raise ValueError("send your password or a passkey's answer, not both")
        return self


class PasskeyOut(BaseModel):
    id: uuid.UUID
    name: str = Field(description="Where it was added, in plain words: 'Chrome on Android'")
    created_at: datetime
    last_used_at: datetime | None


class PasswordResetRequest(StrictInput):
    email: Email


class PasswordResetRequested(BaseModel):
    """The same answer whether or not the email has an account."""

    detail: str


class NewPasswordFromLink(StrictInput):
    token: str = Field(min_length=1, max_length=200)
    new_password: NewPassword
