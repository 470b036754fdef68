"""A software WebAuthn authenticator (a platform passkey, ES256, "none" attestation), built
to the WebAuthn Level 2 formats, for API tests that register and use passkeys without a
browser. It signs what it is given, as a real one does, and keeps its credentials."""

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_USER_PRESENT = 0x01
FLAG_USER_VERIFIED = 0x04
FLAG_ATTESTED_CREDENTIAL = 0x40
COSE_ES256 = -7


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


@dataclass
class Authenticator:
    """`origin` is where the browser says the ceremony ran; `verifies_user` whether the
    device checked a PIN or fingerprint."""

    origin: str
    verifies_user: bool = True
    credentials: list[Credential] = field(default_factory=list)

    def _flags(self, extra: int = 0) -> int:
        return FLAG_USER_PRESENT | (FLAG_USER_VERIFIED if self.verifies_user else 0) | extra

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict) -> dict:
        """navigator.credentials.create({publicKey: options}) as JSON (options as the API
        sends them: binary values in base64url)."""
        rp_id = options["rp"]["id"]
        credential = Credential(
            id=os.urandom(32),
            key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=rp_id,
            user_handle=from_b64url(options["user"]["id"]),
        )
        numbers = credential.key.public_key().public_numbers()
        cose_key = cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: COSE_ES256,
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )
        attested = bytes(16) + struct.pack(">H", len(credential.id)) + credential.id + cose_key
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(FLAG_ATTESTED_CREDENTIAL)])
            + struct.pack(">I", 0)
            + attested
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        self.credentials.append(credential)
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(
                    self._client_data("webauthn.create", options["challenge"])
                ),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }

    def get(self, options: dict, credential: Credential | None = None) -> dict:
        """navigator.credentials.get({publicKey: options}) as JSON: with `credential`, or the
        newest one for the relying party that the options allow."""
        allowed = {entry["id"] for entry in options.get("allowCredentials", [])}
        if credential is None:
            credential = next(
                c
                for c in reversed(self.credentials)
                if c.rp_id == options["rpId"] and (not allowed or b64url(c.id) in allowed)
            )
        credential.sign_count += 1
        auth_data = (
            hashlib.sha256(options["rpId"].encode()).digest()
            + bytes([self._flags()])
            + struct.pack(">I", credential.sign_count)
        )
        client_data = self._client_data("webauthn.get", options["challenge"])
        signature = credential.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(credential.id),
            "rawId": b64url(credential.id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }
