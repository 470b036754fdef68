"""Password hashing (argon2) and short-lived signed access tokens (JWT, HS256, with a key
id so the signing key can be rotated)."""

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from datetime import timedelta

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from jose import JWTError, jwt

from app.core import clock
from app.core.lru import LRUCache

# argon2id, 3 passes over 64 MiB, 4 lanes (RFC 9106's second recommended option).
_password_hasher = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)
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


def key_id(secret_key: str) -> str:
    """A short public name for a signing key, sent as the token's `kid`. Hashed with a label
    so it is not the plain digest of the key."""
    return hashlib.sha256(b"access-token-key:" + secret_key.encode()).hexdigest()[:12]


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
    return jwt.encode(
        claims, secret_key, algorithm=JWT_ALGORITHM, headers={"kid": key_id(secret_key)}
    )


def decode_access_token(
    token: str, keys_by_id: Mapping[str, str]
) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The (user id, session id) a valid, unexpired access token names, else None. Its `kid`
    picks the key (the current one or a previous one still accepted); no kid, no key."""
    verified = _VERIFIED_TOKENS.get(token) or _verify(token, keys_by_id)
    if verified is None:
        return None
    kid, user_id, session_id, expires = verified
    # Checked on every use, cached or not: a key taken out of service stops its tokens, and
    # expiry follows the app's clock rather than jose's own.
    if kid not in keys_by_id or expires <= clock.utcnow().timestamp():
        return None
    return user_id, session_id


# Tokens whose signature checked out: a device sends the same token with every request
# until it expires, and checking the signature is most of the cost of reading a plan.
# Whether its session is still live is never cached.
_VERIFIED_TOKENS: LRUCache[str, tuple[str, uuid.UUID, uuid.UUID, int]] = LRUCache(4096)


def _verify(token: str, keys_by_id: Mapping[str, str]):
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        secret_key = keys_by_id.get(kid)
        if secret_key is None:
            return None
        claims = jwt.decode(
            token, secret_key, algorithms=[JWT_ALGORITHM], options={"verify_exp": False}
        )
        if claims.get("typ") != "access":
            return None
        verified = (kid, uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"]), int(claims["exp"]))
    except (JWTError, KeyError, ValueError, TypeError):
        return None
    return _VERIFIED_TOKENS.put(token, verified)


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """Only digests of refresh tokens and invite codes are stored, never the tokens."""
    return hashlib.sha256(token.encode()).hexdigest()
