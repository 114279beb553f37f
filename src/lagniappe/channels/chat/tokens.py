"""Who is on the other end of a chat socket: signed visitor tokens and host-site identities.

A visitor token is `<visitor id>.<signature>`: the id is random (unguessable), the signature
binds it to one widget (endpoint public key) with the project's secret, so a tampered or
invented token, or a token of another widget, is refused. Nothing is stored for a visitor
until they write.

A host site that knows its signed-in user passes `user_id` and `user_hash` =
HMAC-SHA256(endpoint.settings["identity_secret"], user_id) in hex; without the secret or with
a wrong hash the claim is ignored (the chat stays anonymous).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from lagniappe.core.tokens import signature_for, signature_valid

_PURPOSE = "chat-visitor"
_VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_USER_ID_CHARACTERS = 200


def visitor_token_issue(endpoint_key: str) -> tuple[str, str]:
    """A new visitor id and its token for the widget named by `endpoint_key`."""
    visitor = secrets.token_urlsafe(18)
    return visitor, f"{visitor}.{signature_for(f'{endpoint_key}:{visitor}', purpose=_PURPOSE)}"


def visitor_from_token(endpoint_key: str, token: str) -> str | None:
    """The visitor id a token names, or None when it is not one this widget issued."""
    visitor, _, signature = token.partition(".")
    if not _VISITOR_ID.match(visitor) or not signature:
        return None
    if not signature_valid(f"{endpoint_key}:{visitor}", signature, purpose=_PURPOSE):
        return None
    return visitor


def host_user_verified(settings: dict[str, object], user_id: str, user_hash: str) -> str | None:
    """The host site's user id when its HMAC is right; None (ignored) otherwise."""
    secret = settings.get("identity_secret")
    user_id = user_id.strip()
    if not isinstance(secret, str) or not secret or not user_id or not user_hash:
        return None
    if len(user_id) > MAX_USER_ID_CHARACTERS:
        return None
    expected = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()
    return user_id if hmac.compare_digest(expected, user_hash.strip().lower()) else None
