"""How a handle is written down, so the same person is found whatever the channel sent."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from lagniappe.core.errors import InvalidInput
from lagniappe.customers.models import IdentityKind

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_NOISE = re.compile(r"[\s().\-/]")


@dataclass(frozen=True)
class IdentityClaim:
    """A handle someone presented. `brand_scoped` is true for a brand's own external ids."""

    kind: str
    value: str
    brand_scoped: bool = False


def identity_normalise(kind: str, value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    if kind == IdentityKind.EMAIL:
        text = text.lower()
        if not _EMAIL.match(text) or len(text) > 320:
            raise InvalidInput("Not an email address.", details={"email": value[:100]})
        return text
    if kind == IdentityKind.PHONE:
        digits = _PHONE_NOISE.sub("", text)
        if digits.startswith("00"):
            digits = "+" + digits[2:]
        if not re.fullmatch(r"\+?\d{4,20}", digits):
            raise InvalidInput("Not a phone number.", details={"phone": value[:40]})
        return digits
    if not text or len(text) > 320:
        raise InvalidInput("An identity value must be 1 to 320 characters.", details={kind: ""})
    return text


def claim_brand_scoped(kind: str) -> bool:
    return kind in (IdentityKind.EXTERNAL_ID, IdentityKind.CHAT_VISITOR)
