"""Encryption at rest: AES-GCM under a keyring, and column types that encrypt what they store.

Stored format, version 1 (documented in README "Encryption at rest"):

- text columns: ``v1.<key id>.<base64url, unpadded, of nonce + ciphertext + tag>``
- binary columns: the bytes ``v1.<key id>.`` followed by nonce + ciphertext + tag

The key id is the first 8 hex digits of a SHA-256 over the key: it names the key that
decrypts a value without revealing anything about it. The nonce is 12 random bytes, new for
every value. The associated data is ``v1|<table>.<column>``, so a value only decrypts in the
column it was written for: a ciphertext copied into another column fails its check.
"""

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    Connection,
    LargeBinary,
    MetaData,
    Text,
    and_,
    bindparam,
    column,
    select,
    table,
    tuple_,
    type_coerce,
    update,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator, TypeEngine

from app.core.json_text import from_json_text, json_text

if TYPE_CHECKING:
    from app.core.config import Settings

FORMAT_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_LENGTH = 8
HEADER_LENGTH = len(FORMAT_VERSION) + KEY_ID_LENGTH + 2  # "v1.<key id>."
MAKE_A_KEY = "make one with `python -m app new-encryption-key`"


class DecryptionError(Exception):
    """A stored value that cannot be decrypted: its key is not configured, or it was altered
    or moved from another column. Never answered with a guess or an empty value."""


def new_key_text() -> str:
    """A fresh key as ENCRYPTION_KEY expects it: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def parse_key(text: str, name: str = "ENCRYPTION_KEY") -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise ValueError(
            f"{name} must be {KEY_BYTES} random bytes in URL-safe base64 (44 characters); "
            + MAKE_A_KEY
        )
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"encryption key id:" + key).hexdigest()[:KEY_ID_LENGTH]


def _associated_data(purpose: str) -> bytes:
    return f"{FORMAT_VERSION}|{purpose}".encode()


class Keyring:
    """The current key, which encrypts, and previous keys, which still decrypt until a
    re-encryption has moved every value to the current key."""

    def __init__(self, current: bytes, previous: Iterable[bytes] = ()) -> None:
        self.current_key_id = key_id(current)
        self._current_prefix = f"{FORMAT_VERSION}.{self.current_key_id}."
        self._ciphers = {key_id(key): AESGCM(key) for key in previous}
        self._ciphers[self.current_key_id] = AESGCM(current)

    def encrypt(self, plaintext: bytes, purpose: str) -> bytes:
        return self._current_prefix.encode() + self._seal(plaintext, purpose)

    def decrypt(self, stored: bytes, purpose: str) -> bytes:
        header = stored[:HEADER_LENGTH].decode("ascii", "replace")
        version, _, rest = header.partition(".")
        kid, _, tail = rest.partition(".")
        self._check_format(version, kid, header.endswith(".") and not tail, purpose)
        return self._open(kid, stored[HEADER_LENGTH:], purpose)

    def encrypt_text(self, plaintext: str, purpose: str) -> str:
        body = base64.urlsafe_b64encode(self._seal(plaintext.encode(), purpose)).rstrip(b"=")
        return self._current_prefix + body.decode("ascii")

    def decrypt_text(self, stored: str, purpose: str) -> str:
        version, _, rest = stored.partition(".")
        kid, _, encoded = rest.partition(".")
        self._check_format(version, kid, bool(encoded), purpose)
        try:
            body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise DecryptionError(f"A value in {purpose} is not valid base64.") from None
        return self._open(kid, body, purpose).decode()

    def is_current(self, stored: str | bytes) -> bool:
        """Whether a stored value is already under the current key (re-encryption skips it)."""
        if isinstance(stored, bytes):
            return stored.startswith(self._current_prefix.encode())
        return stored.startswith(self._current_prefix)

    def _seal(self, plaintext: bytes, purpose: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        cipher = self._ciphers[self.current_key_id]
        return nonce + cipher.encrypt(nonce, plaintext, _associated_data(purpose))

    @staticmethod
    def _check_format(version: str, kid: str, well_formed: bool, purpose: str) -> None:
        if version != FORMAT_VERSION or len(kid) != KEY_ID_LENGTH or not well_formed:
            raise DecryptionError(
                f"A value in {purpose} is not in the encrypted format {FORMAT_VERSION}: "
                "has the encryption migration run?"
            )

    def _open(self, kid: str, body: bytes, purpose: str) -> bytes:
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise DecryptionError(
                f"A value in {purpose} was encrypted with key {kid}, which is neither "
                "ENCRYPTION_KEY nor one of ENCRYPTION_PREVIOUS_KEYS."
            )
        try:
            return cipher.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], _associated_data(purpose))
        except InvalidTag:
            raise DecryptionError(
                f"A value in {purpose} failed its integrity check under key {kid}: it was "
                "altered, or copied from another column."
            ) from None


# ---- which keys are in use -------------------------------------------------------------


def development_key(path: Path) -> str:
    """The development key, made on first use and readable by this user only. Made aside
    and linked into place, so processes starting together all end up with the same key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(new_key_text() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    return path.read_text().strip()


def keyring_from_settings(settings: "Settings") -> Keyring:
    if settings.encryption_key:
        current = settings.encryption_key
    elif settings.is_development:
        current = development_key(settings.development_key_file)
    else:
        raise RuntimeError(f"ENCRYPTION_KEY is not set; {MAKE_A_KEY}")
    return Keyring(parse_key(current), previous_keys(settings))


def previous_keys(settings: "Settings") -> list[bytes]:
    return [
        parse_key(text, "each of ENCRYPTION_PREVIOUS_KEYS")
        for text in settings.encryption_previous_keys.split(",")
        if text.strip()
    ]


def _keyring_of_the_environment() -> Keyring:
    from app.core.config import get_settings

    return keyring_from_settings(get_settings())


# Process-wide, because the column types below have no other way to reach it. An app or
# command picks its settings' keys; until one does, the environment's settings apply.
_keyring_source: Callable[[], Keyring] = cache(_keyring_of_the_environment)


def use_keyring_of(settings: "Settings") -> None:
    """Encrypt and decrypt with these settings' keys from now on. The keyring is built on
    first use, so building an app that never touches plan data writes no development key."""
    global _keyring_source
    _keyring_source = cache(partial(keyring_from_settings, settings))


def active_keyring() -> Keyring:
    return _keyring_source()


# ---- column types ----------------------------------------------------------------------


class EncryptedText(TypeDecorator):
    """Text stored encrypted. `purpose` is "<table>.<column>", the associated data.
    Nothing decrypted is remembered: decrypting a short value costs too little for a cache
    of people's words to pay for itself (docs/scaling.md)."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, _dialect) -> str | None:
        return None if value is None else active_keyring().encrypt_text(value, self.purpose)

    def process_result_value(self, value: str | None, _dialect) -> str | None:
        return None if value is None else active_keyring().decrypt_text(value, self.purpose)


class EncryptedJSON(EncryptedText):
    """A JSON value stored as encrypted JSON text."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect) -> str | None:
        if value is None:
            return None
        return super().process_bind_param(json_text(value), dialect)

    def process_result_value(self, value: str | None, dialect) -> Any:
        text = super().process_result_value(value, dialect)
        return None if text is None else from_json_text(text)


def as_stored(column: Any) -> ColumnElement[str]:
    """An encrypted column read as stored, without decrypting: a value written again is
    stored anew (a fresh nonce each time), so the stored text tells whether it was."""
    return type_coerce(column, Text)


def decrypt_stored(column: Any, stored: str | None) -> Any:
    """What `column` holds, from its stored text as `as_stored` read it."""
    return column.type.process_result_value(stored, None)


def decrypted_json_text(column: Any) -> ColumnElement[str]:
    """An encrypted JSON column read as its decrypted JSON text, for splicing into a
    response without parsing it."""
    return type_coerce(column, EncryptedText(column.type.purpose))


class EncryptedBytes(TypeDecorator):
    """Binary content stored encrypted. `purpose` is "<table>.<column>"."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: bytes | None, _dialect) -> bytes | None:
        return None if value is None else active_keyring().encrypt(value, self.purpose)

    def process_result_value(self, value: bytes | None, _dialect) -> bytes | None:
        return None if value is None else active_keyring().decrypt(bytes(value), self.purpose)


# ---- rewriting stored values (migrations and key rotation) ------------------------------

REWRITE_BATCH_ROWS = 200


def rewrite_stored_values(
    connection: Connection,
    table_name: str,
    key_names: list[str],
    stored_types: dict[str, TypeEngine],
    rewrite: Callable[[str, Any], Any],
) -> Iterator[int]:
    """Walks a table in primary-key order, a batch of rows at a time, and replaces each
    stored value (as stored, not decrypted) in the named columns by `rewrite(column name,
    value)`, unless that returns None. Yields how many values each batch rewrote, so the
    caller may commit between batches. A value changed by someone else since it was read is
    left alone."""
    keys = [column(name) for name in key_names]
    columns = {name: column(name, type_) for name, type_ in stored_types.items()}
    target = table(table_name, *keys, *columns.values())
    batch = select(*keys, *columns.values()).order_by(*keys).limit(REWRITE_BATCH_ROWS)
    unchanged_row = and_(*(key == bindparam(f"key_{key.name}") for key in keys))
    last_key = None
    while True:
        query = batch if last_key is None else batch.where(tuple_(*keys) > tuple_(*last_key))
        rows = connection.execute(query).all()
        if not rows:
            return
        rewritten = 0
        for name, stored in columns.items():
            changes = []
            for row in rows:
                value = row._mapping[name]
                new_value = None if value is None else rewrite(name, value)
                if new_value is not None:
                    row_key = {f"key_{key.name}": row._mapping[key.name] for key in keys}
                    changes.append(row_key | {"old_value": value, "new_value": new_value})
            if changes:
                rewritten += connection.execute(
                    update(target)
                    .where(unchanged_row, stored == bindparam("old_value"))
                    .values({name: bindparam("new_value")}),
                    changes,
                ).rowcount
        yield rewritten
        last_key = tuple(rows[-1])[: len(keys)]


def reencrypt_everything(connection: Connection, metadata: MetaData) -> Iterator[int]:
    """Moves every encrypted value not yet under the current key to it (see
    rewrite_stored_values); what is already under it is skipped, so it can be run again."""
    keyring = active_keyring()
    for model_table in metadata.sorted_tables:
        encrypted = {
            c.name: c.type
            for c in model_table.columns
            if isinstance(c.type, EncryptedText | EncryptedBytes)
        }
        if not encrypted:
            continue

        def reencrypt(name: str, stored: Any, encrypted=encrypted) -> Any:
            if keyring.is_current(stored):
                return None
            purpose = encrypted[name].purpose
            if isinstance(encrypted[name], EncryptedBytes):
                return keyring.encrypt(keyring.decrypt(bytes(stored), purpose), purpose)
            return keyring.encrypt_text(keyring.decrypt_text(stored, purpose), purpose)

        yield from rewrite_stored_values(
            connection,
            model_table.name,
            [key.name for key in model_table.primary_key.columns],
            {name: type_.impl_instance for name, type_ in encrypted.items()},
            reencrypt,
        )
