"""The provider's signing key for Open Badges 3.0 credentials, and the documents that publish its public half.

Where the private key comes from (settings, from the environment; see the README, "Signing keys"):

- OPEN_BADGES_PRIVATE_KEY: the PEM text itself (production: a secret in the environment; "\\n" may stand for
  the line breaks, so it fits on one line of an .env file);
- else the file at OPEN_BADGES_KEY_FILE (default var/keys/open-badges-ed25519.pem, git-ignored), written by
  `manage.py open_badges_key` (setup_demo runs it, so `make run` and compose's migrate step do).

The key is Ed25519 (JOSE "EdDSA"). Never in the repository, never served: only its public JWK is, at
/.well-known/jwks.json and in the did:web document at /.well-known/did.json.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

ALGORITHM = "EdDSA"


class SigningKeyMissing(RuntimeError):
    """No key is configured: run `manage.py open_badges_key`, or set OPEN_BADGES_PRIVATE_KEY."""


@dataclass(frozen=True)
class SigningKey:
    private_pem: bytes = field(repr=False)  # never in a log line or an error report's locals
    public_pem: bytes
    public_jwk: dict  # {"kty": "OKP", "crv": "Ed25519", "x": ..., "kid": <RFC 7638 thumbprint>}

    @property
    def kid(self) -> str:
        return self.public_jwk["kid"]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(raw)}
    # RFC 7638 thumbprint: SHA-256 of the required members, sorted, no whitespace
    thumbprint = _b64url(
        hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()).digest()
    )
    return {**jwk, "kid": thumbprint, "use": "sig", "alg": ALGORITHM}


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def key_file() -> Path:
    return Path(settings.OPEN_BADGES_KEY_FILE)


def key_file_create(path: Path | None = None) -> tuple[Path, bool]:
    """Write a new Ed25519 key to `path` unless one is there; (path, created). Idempotent, and safe when two
    processes race: the file appears whole (a hard link of a finished temporary file) or not at all."""
    path = Path(path or key_file())
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        os.fchmod(handle, 0o600)
        os.write(handle, _private_pem(Ed25519PrivateKey.generate()))
        os.close(handle)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path, False
    finally:
        os.unlink(temporary)
    return path, True


def _load(pem: bytes) -> SigningKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing("The Open Badges signing key must be an Ed25519 private key (PEM, PKCS#8).")
    public = key.public_key()
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return SigningKey(private_pem=_private_pem(key), public_pem=public_pem, public_jwk=public_jwk(public))


@lru_cache(maxsize=4)
def _cached(source: str, stamp: float | None, text: str | None) -> SigningKey:
    if text is not None:
        return _load(text.replace("\\n", "\n").encode())
    return _load(Path(source).read_bytes())


def signing_key() -> SigningKey:
    """The configured key. In development and tests (OPEN_BADGES_CREATE_KEY) a missing key file is created;
    in production it must have been created at set-up (or be given in the environment)."""
    text = getattr(settings, "OPEN_BADGES_PRIVATE_KEY", "") or ""
    if text.strip():
        return _cached("env", None, text.strip())
    path = key_file()
    if not path.exists():
        if not getattr(settings, "OPEN_BADGES_CREATE_KEY", False):
            raise SigningKeyMissing(
                f"No Open Badges signing key at {path}: run `manage.py open_badges_key`, "
                "or set OPEN_BADGES_PRIVATE_KEY."
            )
        key_file_create(path)
    return _cached(str(path), path.stat().st_mtime, None)


def key_ensure() -> str:
    """Set-up (setup_demo, `manage.py open_badges_key`): make sure a key is configured, and say which.

    Idempotent: an existing key is never replaced (credentials signed with it would stop verifying). In
    development and tests (OPEN_BADGES_CREATE_KEY) a missing key file is created. In production it is not:
    replicas share no disk, so the key comes from the environment (OPEN_BADGES_PRIVATE_KEY; `manage.py
    open_badges_key --new-env` prints a new one to paste there), or from a file the operator provides."""
    if (getattr(settings, "OPEN_BADGES_PRIVATE_KEY", "") or "").strip():
        return f"Open Badges signing key: from OPEN_BADGES_PRIVATE_KEY (kid {signing_key().kid})"
    path = key_file()
    if path.exists():
        return f"Open Badges signing key: kept {path} (kid {signing_key().kid})"
    if not getattr(settings, "OPEN_BADGES_CREATE_KEY", False):
        return (
            "Open Badges signing key: none yet, so no credential is signed (certificates are issued as usual). "
            "Run `manage.py open_badges_key --new-env`, put its line in the environment (.env), restart, then "
            "`manage.py open_badges_key --backfill`."
        )
    key_file_create(path)
    return f"Open Badges signing key: created {path} (kid {signing_key().kid})"


def new_key_env_line() -> str:
    """A new Ed25519 key as one .env line (line breaks written as \\n), for OPEN_BADGES_PRIVATE_KEY."""
    pem = _private_pem(Ed25519PrivateKey.generate()).decode().strip()
    return "OPEN_BADGES_PRIVATE_KEY=" + pem.replace("\n", "\\n")


# --- the issuer's identifier and the documents that publish the key ---------------------------------------


def issuer_did(base_url: str) -> str:
    """did:web of the site: "https://ce.example.com" -> "did:web:ce.example.com" (a port is %3A-encoded).
    did:web resolves over https only; on a development address the identifier has the same form."""
    parts = urlsplit(base_url)
    authority = parts.hostname or "localhost"
    if parts.port:
        authority += f":{parts.port}"
    return "did:web:" + quote(authority, safe="")


def jwks_document() -> dict:
    return {"keys": [signing_key().public_jwk]}


def did_document(base_url: str) -> dict:
    did = issuer_did(base_url)
    key = signing_key()
    method = f"{did}#{key.kid}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": key.public_jwk}
        ],
        "assertionMethod": [method],
        "authentication": [method],
    }
