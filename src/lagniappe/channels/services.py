"""Writes to endpoints: creating them and issuing integration API keys."""

from __future__ import annotations

from django.db import transaction

from lagniappe.channels.models import Endpoint
from lagniappe.channels.selectors import endpoint_api_first_for_brand
from lagniappe.core.actors import Actor
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.errors import InvalidInput
from lagniappe.core.services import audit_record
from lagniappe.core.tokens import public_id_generate, token_digest, token_generate
from lagniappe.tenancy.models import Brand


@transaction.atomic
def endpoint_create(
    *,
    actor: Actor,
    brand: Brand,
    kind: str,
    name: str,
    default_language: str = "",
    settings: dict[str, object] | None = None,
) -> Endpoint:
    if kind not in ChannelKind.values:
        raise InvalidInput("Unknown channel kind.", details={"kind": kind})
    endpoint = Endpoint.objects.create(
        brand=brand,
        kind=kind,
        name=name[:200],
        public_key=public_id_generate(18),
        default_language=default_language,
        settings=settings or {},
    )
    audit_record(
        actor=actor,
        action="endpoint.create",
        object_type="endpoint",
        object_id=endpoint.pk,
        brand_id=brand.pk,
        after={"kind": kind, "name": endpoint.name},
    )
    return endpoint


@transaction.atomic
def api_key_create(*, actor: Actor, brand: Brand, name: str) -> tuple[Endpoint, str]:
    """An integration endpoint scoped to one brand. The secret is returned once, never stored."""
    endpoint = endpoint_create(actor=actor, brand=brand, kind=ChannelKind.API, name=name)
    secret, digest = token_generate("lgk")
    endpoint.secret_prefix = secret[:12]
    endpoint.secret_digest = digest
    endpoint.save(update_fields=["secret_prefix", "secret_digest", "updated_at"])
    audit_record(
        actor=actor,
        action="endpoint.api_key_create",
        object_type="endpoint",
        object_id=endpoint.pk,
        brand_id=brand.pk,
        after={"key": endpoint.secret_prefix},
    )
    return endpoint, secret


def endpoint_by_api_key(secret: str) -> Endpoint | None:
    if not secret.startswith("lgk_"):
        return None
    return (
        Endpoint.objects.select_related("brand")
        .filter(kind=ChannelKind.API, secret_digest=token_digest(secret), is_active=True)
        .first()
    )


def endpoint_api_ensure(*, actor: Actor, brand_id: int) -> Endpoint:
    """The brand's first active API endpoint, created (without a key) when it has none."""
    endpoint = endpoint_api_first_for_brand(brand_id)
    if endpoint is not None:
        return endpoint
    brand = Brand.objects.get(pk=brand_id)
    return endpoint_create(actor=actor, brand=brand, kind=ChannelKind.API, name="API")
