"""Random secrets handed to people or programs. We keep only their SHA-256 digest."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings


def token_generate(prefix: str) -> tuple[str, str]:
    """Return (secret, digest). The secret is shown once; the digest is stored."""
    secret = f"{prefix}_{secrets.token_urlsafe(32)}"
    return secret, token_digest(secret)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def public_id_generate(nbytes: int = 12) -> str:
    """A random, unguessable public identifier (for URLs, widget keys, reply tokens)."""
    return secrets.token_urlsafe(nbytes)


def signature_for(value: str, *, purpose: str) -> str:
    key = f"{settings.SECRET_KEY}:{purpose}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def signature_valid(value: str, signature: str, *, purpose: str) -> bool:
    return hmac.compare_digest(signature_for(value, purpose=purpose), signature)
