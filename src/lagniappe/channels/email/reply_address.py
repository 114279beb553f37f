"""The Reply-To of our mail carries an HMAC-signed token of the conversation
(`support+c42-…@brand.example`); a customer's answer to it threads there, verified."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings

from lagniappe.engines.mail import (
    reply_address,
    reply_token_make,
    reply_token_read,
    reply_tokens_in,
)


def _key() -> bytes:
    return hashlib.sha256(f"{settings.SECRET_KEY}:email-reply-token".encode()).digest()


def conversation_reply_address(address: str, *, brand_id: int, conversation_id: int) -> str:
    """`address` with the conversation's token as sub-address ("" without an address)."""
    token = reply_token_make(_key(), brand_id=brand_id, conversation_id=conversation_id)
    return reply_address(address, token)


def conversation_by_reply_token(addresses: Iterable[str], *, brand_id: int) -> int | None:
    """The conversation a verified token among these recipient addresses names, else None.
    Sub-addresses that are not our tokens, and forged or tampered ones, are ignored."""
    key = _key()
    for token in reply_tokens_in(tuple(addresses)):
        conversation_id = reply_token_read(key, brand_id=brand_id, token=token)
        if conversation_id is not None:
            return conversation_id
    return None
