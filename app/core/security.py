"""Password hashing (argon2) and short-lived signed access tokens (JWT, HS256)."""

import hashlib
import secrets
import uuid
from datetime import timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from jose import JWTError, jwt

from app.core import clock

_password_hasher = PasswordHasher()
JWT_ALGORITHM = "HS256"
# Verifying against this keeps a sign-in for an unknown email as slow as for a known one.
_UNUSED_HASH = _password_hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _password_hasher.verify(password_hash or _UNUSED_HASH, password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def create_access_token(
    *, user_id: uuid.UUID, session_id: uuid.UUID, secret_key: str, minutes: int
) -> str:
    now = clock.utcnow()
    claims = {
        "sub": str(user_id),
        "sid": str(session_id),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=minutes)).timestamp()),
        "typ": "access",
    }
    return jwt.encode(claims, secret_key, algorithm=JWT_ALGORITHM)


def decode_access_token(token: str, secret_key: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The (user id, session id) a valid, unexpired access token names, else None."""
    claims = _verified_claims(token, secret_key)
    # Expiry is checked against the app's clock here, on every use, not once in the cache.
    if claims is None or claims[2] <= clock.utcnow().timestamp():
        return None
    return claims[0], claims[1]


@lru_cache(maxsize=4096)
def _verified_claims(token: str, secret_key: str) -> tuple[uuid.UUID, uuid.UUID, int] | None:
    """The claims of an access token whose signature checks out. Cached: a device sends the
    same token with every request until it expires, and checking the signature is most of
    the cost of reading a plan. Whether its session is still live is not cached."""
    try:
        claims = jwt.decode(
            token, secret_key, algorithms=[JWT_ALGORITHM], options={"verify_exp": False}
        )
        if claims.get("typ") != "access":
            return None
        return uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"]), int(claims["exp"])
    except (JWTError, KeyError, ValueError, TypeError):
        return None


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Only digests of refresh tokens and invite codes are stored, never the tokens."""
    return hashlib.sha256(token.encode()).hexdigest()
