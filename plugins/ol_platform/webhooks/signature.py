"""The ``X-MITLearn-Signature`` header: lowercase hex HMAC-SHA256 of the exact body bytes."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-MITLearn-Signature"


def sign(body: bytes, secret: str) -> str:
    """Sign the bytes that go on the wire; re-serialising the payload would break the match."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str | None) -> bool:
    """Constant-time check of a received signature, as MIT Learn's receiver does it."""
    if not signature:
        return False
    return hmac.compare_digest(sign(body, secret), signature)
