"""Who else an outbound email reply is copied to: checked once here, for every caller (the
workspace composer, the API), before anything is stored."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from lagniappe.core.errors import InvalidInput

MAX_CC_ADDRESSES = 20


def cc_addresses_clean(addresses: Iterable[str]) -> list[str]:
    """The addresses trimmed, duplicates dropped (first spelling kept, compared without case),
    each a valid address; at most MAX_CC_ADDRESSES. InvalidInput names the first bad one."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in addresses:
        address = raw.strip()
        if not address:
            continue
        # A header injection attempt is also not a valid address; checked explicitly so the
        # refusal never depends on the validator's idea of line breaks.
        if "\r" in address or "\n" in address:
            raise InvalidInput("Not a valid email address.", details={"cc": address[:320]})
        try:
            validate_email(address)
        except ValidationError:
            raise InvalidInput(
                "Not a valid email address.", details={"cc": address[:320]}
            ) from None
        if address.lower() not in seen:
            seen.add(address.lower())
            cleaned.append(address)
    if len(cleaned) > MAX_CC_ADDRESSES:
        raise InvalidInput(
            "Too many cc addresses.", details={"count": len(cleaned), "limit": MAX_CC_ADDRESSES}
        )
    return cleaned
