from __future__ import annotations

from django.db import transaction

from lagniappe.core.actors import Actor
from lagniappe.core.services import audit_record
from lagniappe.tenancy.models import Brand, Organisation


@transaction.atomic
def organisation_create(*, actor: Actor, name: str, slug: str) -> Organisation:
    organisation = Organisation.objects.create(name=name, slug=slug)
    audit_record(
        actor=actor,
        action="organisation.create",
        object_type="organisation",
        object_id=organisation.pk,
        after={"name": name, "slug": slug},
    )
    return organisation


@transaction.atomic
def brand_create(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    slug: str,
    default_language: str = "en",
    time_zone: str = "UTC",
    support_email: str = "",
    support_phone: str = "",
) -> Brand:
    brand = Brand.objects.create(
        organisation=organisation,
        name=name,
        slug=slug,
        default_language=default_language,
        time_zone=time_zone,
        support_email=support_email,
        support_phone=support_phone,
    )
    audit_record(
        actor=actor,
        action="brand.create",
        object_type="brand",
        object_id=brand.pk,
        brand_id=brand.pk,
        after={"name": name, "slug": slug},
    )
    return brand
