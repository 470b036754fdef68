"""Settings, read once from the environment (see README "Configuration")."""

from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core.db import WORKER_THREADS
from app.core.encryption import MAKE_A_KEY, parse_key, previous_keys
from app.core.security import key_id

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"  # noqa: S105
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# SMTP_URL's schemes: (default port, how the connection is secured).
SMTP_SCHEMES = {"smtp": (25, None), "smtp+starttls": (587, "starttls"), "smtps": (465, "tls")}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    app_env: str = Field("development", description="development | production | test")
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'plans.db'}"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    # Comma-separated keys that signed earlier access tokens; they verify until those expire.
    previous_secret_keys: str = ""
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    max_body_bytes: int = 1_048_576
    max_import_bytes: int = 20_971_520
    max_upload_bytes: int = 10_485_760  # one file sent to a plan (imports of crisis statements)
    # Each uploaded file is read in its own limited process (app/statements/containment.py).
    import_parse_workers: int = Field(2, ge=1)
    import_parse_memory_mb: int = Field(512, ge=64)
    import_parse_cpu_seconds: int = Field(10, ge=1)
    import_parse_timeout_seconds: float = Field(15, gt=0)
    print_font_dir: str = "/usr/share/fonts/truetype/dejavu"  # Debian's fonts-dejavu-core
    login_max_failures: int = 5
    login_window_minutes: int = 15
    lockout_minutes: int = 15
    # Failed sign-ins from one client address, across emails (credential stuffing).
    login_max_failures_per_address: int = 50
    invite_max_failures: int = 5
    invite_max_failures_per_address: int = 20
    invite_window_minutes: int = 15
    # Registrations from one client address (new or already-used emails alike).
    registration_max_per_address: int = 20
    registration_window_minutes: int = 60
    deleted_plan_retention_days: int = 30
    # Database connections each process keeps, one per worker thread; what that adds up to
    # on PostgreSQL is in README.md (DATABASE_POOL_SIZE) and docs/scaling.md.
    database_pool_size: int = WORKER_THREADS
    # Comma-separated exact origins (https://app.example.org) whose pages may call the API
    # from a browser; none by default, as the PWA is served from the API's own origin.
    cors_allow_origins: str = ""
    frontend_dir: Path = PROJECT_ROOT / "frontend"
    # Where `python -m app serve` listens.
    host: str = "127.0.0.1"
    port: int = 8000
    # The address people reach the app at (https://plans.example.org): every link and QR
    # code the app makes starts with it, never with a request's Host header, which a client
    # chooses. Required outside development.
    public_base_url: str = ""
    # Encrypts plan content at rest (app/core/encryption.py). Unset in development: a key
    # is made once into `development_key_file`, next to the default database.
    encryption_key: str | None = None
    # Comma-separated keys that still decrypt until `python -m app reencrypt` has run.
    encryption_previous_keys: str = ""
    development_key_file: Path = PROJECT_ROOT / "data" / "encryption.key"
    # Passkeys (WebAuthn): the relying party id is the host people reach the app at
    # (PUBLIC_BASE_URL's) unless set to a parent domain of it; a passkey made for one id
    # never works under another.
    webauthn_rp_id: str = ""
    webauthn_rp_name: str = "Your wellbeing plan"
    passkey_ceremony_minutes: int = Field(5, ge=1, le=30)
    # Emails ("forgot password"): smtp://host:25 (a local relay), smtp+starttls://user:
    # password@host:587 or smtps://user:password@host:465. Unset in development: messages
    # are written to the log instead; in production nothing is sent without it.
    smtp_url: str = ""
    mail_from: str = ""
    password_reset_minutes: int = Field(30, ge=5, le=120)
    # "Forgot password" requests per email and per client address.
    reset_max_per_email: int = 3
    reset_max_per_address: int = 20
    reset_window_minutes: int = 60

    @property
    def is_development(self) -> bool:
        return self.app_env in {"development", "test"}

    def check_safe_to_start(self) -> None:
        """Refuse to run a real deployment on the published development secret."""
        if not self.is_development and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise RuntimeError(
                "SECRET_KEY is the development default; set a long random SECRET_KEY "
                "before running with APP_ENV=" + self.app_env
            )
        if len(self.secret_key) < 32:
            raise RuntimeError("SECRET_KEY must be at least 32 characters long")
        if any(len(key) < 32 for key in self._previous_keys()):
            raise RuntimeError("Each of PREVIOUS_SECRET_KEYS must be at least 32 characters long")
        self._check_encryption_keys()
        self._check_public_base_url()
        self._check_relying_party_id()
        self._check_smtp_url()

    def _check_encryption_keys(self) -> None:
        """Refuse a deployment whose plan data could not be read, or would be written under
        a key nobody kept."""
        if not self.encryption_key and not self.is_development:
            raise RuntimeError(
                f"ENCRYPTION_KEY is not set; it is required with APP_ENV={self.app_env}. "
                f"Set it to a new key ({MAKE_A_KEY}) and keep a copy apart from the database."
            )
        try:
            if self.encryption_key:
                parse_key(self.encryption_key)
            previous_keys(self)
        except ValueError as error:
            raise RuntimeError(str(error)) from None

    def _check_public_base_url(self) -> None:
        if not self.public_base_url:
            if self.is_development:
                return
            raise RuntimeError(
                f"PUBLIC_BASE_URL is not set; it is required with APP_ENV={self.app_env}. Set "
                "it to the address people reach the app at, e.g. https://plans.example.org"
            )
        parts = urlsplit(self.public_base_url)
        secure_enough = parts.scheme == "https" or (parts.scheme == "http" and self.is_development)
        if not secure_enough or not parts.hostname or parts.query or parts.fragment:
            raise RuntimeError(
                "PUBLIC_BASE_URL must be an https:// address with no query or fragment, e.g. "
                "https://plans.example.org (http:// is accepted only in development)"
            )

    def _check_relying_party_id(self) -> None:
        host = urlsplit(self.base_url).hostname or ""
        rp_id = self.webauthn_rp_id
        if rp_id and host != rp_id and not host.endswith("." + rp_id):
            raise RuntimeError(
                f"WEBAUTHN_RP_ID must be the host of PUBLIC_BASE_URL ({host}) or a domain it "
                "belongs to; browsers refuse passkeys for any other"
            )

    def _check_smtp_url(self) -> None:
        parts = urlsplit(self.smtp_url)
        if self.smtp_url and (parts.scheme not in SMTP_SCHEMES or not parts.hostname):
            raise RuntimeError(
                "SMTP_URL must look like smtp://host:25, smtp+starttls://user:password@host:"
                "587 or smtps://user:password@host:465"
            )

    @property
    def base_url(self) -> str:
        """The start of every link the app makes, without a trailing slash: PUBLIC_BASE_URL,
        or in development where `python -m app serve` listens."""
        return (self.public_base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def public_origin(self) -> str:
        """The web origin (scheme, host, port) of `base_url`: where passkeys are used."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def relying_party_id(self) -> str:
        return self.webauthn_rp_id or urlsplit(self.base_url).hostname or ""

    @property
    def sender_address(self) -> str:
        return self.mail_from or f"Your wellbeing plan <no-reply@{self.relying_party_id}>"

    def _previous_keys(self) -> list[str]:
        return [key.strip() for key in self.previous_secret_keys.split(",") if key.strip()]

    @property
    def cors_origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_allow_origins.split(",") if origin.strip()]

    def model_copy(self, *, update=None, deep=False):
        """A copy with other values derives its own keys: a cached_property's value would
        otherwise be copied with the rest, still built from the original's values."""
        copy = super().model_copy(update=update, deep=deep)
        for name, attribute in vars(type(self)).items():
            if isinstance(attribute, cached_property):
                copy.__dict__.pop(name, None)
        return copy

    @cached_property
    def access_token_keys(self) -> dict[str, str]:
        """Every key that verifies access tokens, by key id. Built once: every signed-in
        request looks its token's key up here."""
        keys = [*self._previous_keys(), self.secret_key]
        return {key_id(key): key for key in keys}


@lru_cache
def get_settings() -> Settings:
    return Settings()


async def settings_of(request: Request) -> Settings:
    """The settings the running app was built with (tests build apps with their own).
    Async only so that FastAPI does not hand this lookup to a worker thread."""
    return request.app.state.settings


AppSettings = Annotated[Settings, Depends(settings_of)]
