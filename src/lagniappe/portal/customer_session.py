"""Which customer a help-centre session is signed in as, per brand.

The session keeps, per brand, the email identity the customer proved with a link and when.
Each request checks it again (a merged-away customer or one no longer of the brand is signed
out) and a sign-in lasts SIGNED_IN_FOR at most. Signing in or out cycles the session key.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest

from lagniappe.core import clock
from lagniappe.customers.portal_sign_in import SignedIn, signed_in_current
from lagniappe.tenancy.models import Brand

SIGNED_IN_FOR = timedelta(hours=8)
_SESSION_KEY = "portal_customer"


def _entries(request: HttpRequest) -> dict[str, dict[str, float | int]]:
    entries = request.session.get(_SESSION_KEY)
    return entries if isinstance(entries, dict) else {}


def session_signed_in(request: HttpRequest, brand: Brand) -> SignedIn | None:
    """Who this session is signed in as on this brand's help centre, or None (checked once
    per request and brand)."""
    checked: dict[int, SignedIn | None] = request.__dict__.setdefault("_portal_signed_in", {})
    if brand.pk not in checked:
        checked[brand.pk] = _signed_in_check(request, brand)
    return checked[brand.pk]


def _signed_in_check(request: HttpRequest, brand: Brand) -> SignedIn | None:
    entry = _entries(request).get(str(brand.pk))
    if not isinstance(entry, dict):
        return None
    identity_id, since = entry.get("identity"), entry.get("since")
    if not isinstance(identity_id, int) or not isinstance(since, int | float):
        return None
    if clock.now().timestamp() - since > SIGNED_IN_FOR.total_seconds():
        session_sign_out(request, brand)
        return None
    signed_in = signed_in_current(brand=brand, identity_id=identity_id)
    if signed_in is None:
        session_sign_out(request, brand)
    return signed_in


def session_sign_in(request: HttpRequest, brand: Brand, signed_in: SignedIn) -> None:
    request.__dict__.pop("_portal_signed_in", None)
    request.session.cycle_key()  # a session id seen before signing in is worth nothing after
    entries = _entries(request)
    entries[str(brand.pk)] = {"identity": signed_in.identity_id, "since": clock.now().timestamp()}
    request.session[_SESSION_KEY] = entries


def session_sign_out(request: HttpRequest, brand: Brand) -> None:
    request.__dict__.get("_portal_signed_in", {}).pop(brand.pk, None)
    entries = _entries(request)
    if entries.pop(str(brand.pk), None) is not None:
        request.session[_SESSION_KEY] = entries
        request.session.cycle_key()
