"""Reply tokens: `support+<token>@brand.example` in our Reply-To names the conversation.

HMAC-signed, never guessable: the token is the conversation's number and a signature of
(brand, conversation) under a server key, so a customer's answer to that address threads into
its conversation even when every header and the subject tag are gone, and a forged or
tampered token (another number, another brand, a changed signature) is simply not a token.
Lower-case letters and digits only: some mail servers fold the case of local parts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

_TOKEN = re.compile(r"^c([0-9]{1,12})-([a-z2-7]{16})$")
_PURPOSE = b"lagniappe.email.reply-token.v1"


def _signature(key: bytes, brand_id: int, conversation_id: int) -> str:
    digest = hmac.new(
        key, _PURPOSE + f":{brand_id}:{conversation_id}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest[:10]).decode("ascii").lower()  # 80 bits, 16 characters


def reply_token_make(key: bytes, *, brand_id: int, conversation_id: int) -> str:
    return f"c{conversation_id}-{_signature(key, brand_id, conversation_id)}"


def reply_token_read(key: bytes, *, brand_id: int, token: str) -> int | None:
    """The conversation a token names for this brand, or None (not a token, or forged)."""
    found = _TOKEN.match(token.strip().lower())
    if found is None:
        return None
    conversation_id = int(found.group(1))
    expected = _signature(key, brand_id, conversation_id)
    return conversation_id if hmac.compare_digest(expected, found.group(2)) else None


def reply_address(address: str, token: str) -> str:
    """`support@x` with the token as sub-address: `support+<token>@x` ("" without an address)."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        return ""
    return f"{local.split('+', 1)[0]}+{token}@{domain}"


def reply_tokens_in(addresses: list[str] | tuple[str, ...]) -> list[str]:
    """The sub-address parts (`x` of `local+x@domain`) of the addresses, in order, once each."""
    tokens: list[str] = []
    for address in addresses:
        local = address.strip().strip("<>").rpartition("@")[0]
        if "+" in local:
            token = local.split("+", 1)[1].lower()
            if token and token not in tokens:
                tokens.append(token)
    return tokens
