"""Customers signing in to a brand's help centre with an emailed link.

The link's token is random (`secrets`), kept only as its SHA-256 digest, bound to one brand
and one email identity, expires after SIGN_IN_LINK_LIFETIME and works once. Requests are
counted per address and per client IP (both only as keyed hashes) whether or not the address
is known, so the rate limit says nothing about who is a customer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils.crypto import salted_hmac

from lagniappe.core import clock
from lagniappe.core.errors import InvalidInput
from lagniappe.core.tokens import token_digest
from lagniappe.customers.identities import identity_normalise
from lagniappe.customers.models import (
    Identity,
    IdentityKind,
    PortalSignInLink,
    PortalSignInRequest,
)
from lagniappe.tenancy.models import Brand

SIGN_IN_LINK_LIFETIME = timedelta(minutes=15)
RATE_WINDOW = timedelta(minutes=15)
REQUESTS_PER_ADDRESS = 3  # per brand and window
REQUESTS_PER_IP = 10  # per window, every brand
RECORDS_KEPT = timedelta(days=1)
TOKEN_CHARS_MAX = 100


@dataclass(frozen=True)
class SignedIn:
    """Who a help-centre session is signed in as (ids only: the session stores these)."""

    identity_id: int
    customer_id: int
    brand_id: int
    address: str  # the email address signed in with


def _keyed(purpose: str, value: str) -> str:
    return salted_hmac(f"lagniappe.portal.sign_in.{purpose}", value, algorithm="sha256").hexdigest()


def sign_in_address_normalise(address: str) -> str | None:
    """The address as identities store it, or None when it is not an email address."""
    try:
        return identity_normalise(IdentityKind.EMAIL, address[:320])
    except InvalidInput:
        return None


def sign_in_request_record(*, brand: Brand, address: str, remote_addr: str) -> bool:
    """Count a request for a link; False when the address or the IP asked too often.

    Runs the same queries whether or not the address belongs to anyone.
    """
    now = clock.now()
    address_hash = _keyed("address", f"{brand.pk}:{address}")
    ip_hash = _keyed("ip", remote_addr[:64])
    since = now - RATE_WINDOW
    with transaction.atomic():
        PortalSignInRequest.objects.filter(created_at__lt=now - RECORDS_KEPT).delete()
        PortalSignInLink.objects.filter(expires_at__lt=now - RECORDS_KEPT).delete()
        recent = PortalSignInRequest.objects.filter(created_at__gte=since)
        by_address = recent.filter(address_hash=address_hash).count()
        by_ip = recent.filter(ip_hash=ip_hash).count()
        if by_address >= REQUESTS_PER_ADDRESS or by_ip >= REQUESTS_PER_IP:
            return False
        PortalSignInRequest.objects.create(
            brand=brand, address_hash=address_hash, ip_hash=ip_hash, created_at=now
        )
    return True


def sign_in_identity_for_address(*, brand: Brand, address: str) -> Identity | None:
    """The email identity of a customer of this brand (not merged away), or None."""
    normalised = sign_in_address_normalise(address)
    if normalised is None:
        return None
    return (
        Identity.objects.select_related("customer")
        .filter(
            organisation_id=brand.organisation_id,
            kind=IdentityKind.EMAIL,
            value=normalised,
            brand__isnull=True,
            customer__merged_into__isnull=True,
            customer__brands=brand,
        )
        .first()
    )


def sign_in_link_create(*, brand: Brand, identity: Identity) -> str:
    """A new link's token (shown once, in the email); only its digest is stored."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    PortalSignInLink.objects.create(
        brand=brand,
        identity=identity,
        token_digest=token_digest(token),
        created_at=now,
        expires_at=now + SIGN_IN_LINK_LIFETIME,
    )
    return token


def sign_in_link_check(*, brand: Brand, token: str) -> bool:
    """Whether the token is a live link of this brand (the confirmation page; nothing used)."""
    if not token or len(token) > TOKEN_CHARS_MAX:
        return False
    return PortalSignInLink.objects.filter(
        brand=brand,
        token_digest=token_digest(token),
        used_at__isnull=True,
        expires_at__gt=clock.now(),
    ).exists()


def sign_in_link_use(*, brand: Brand, token: str) -> SignedIn | None:
    """Spend the link: who it signs in, or None when it is unknown, used, expired or another
    brand's. Two racing uses of one link: exactly one wins (a conditional update decides)."""
    if not token or len(token) > TOKEN_CHARS_MAX:
        return None
    now = clock.now()
    live = PortalSignInLink.objects.filter(
        brand=brand, token_digest=token_digest(token), used_at__isnull=True, expires_at__gt=now
    )
    link = live.select_related("identity").first()
    if link is None or live.filter(pk=link.pk).update(used_at=now) != 1:
        return None
    return signed_in_current(brand=brand, identity_id=link.identity_id)


def signed_in_current(*, brand: Brand, identity_id: int) -> SignedIn | None:
    """Who the session's identity signs in as now: its customer (after merges the identity
    moves with them) while that customer is a customer of this brand; else None."""
    identity = Identity.objects.filter(
        pk=identity_id,
        organisation_id=brand.organisation_id,
        kind=IdentityKind.EMAIL,
        customer__merged_into__isnull=True,
        customer__brands=brand,
    ).first()
    if identity is None:
        return None
    return SignedIn(
        identity_id=identity.pk,
        customer_id=identity.customer_id,
        brand_id=brand.pk,
        address=identity.value,
    )
