"""Background work of the help centre: emailing sign-in links.

The task, not the request, looks the address up and makes the link, so the request does the
same work for a known and an unknown address (no answer or timing tells them apart) and the
link's token never sits in the task queue.
"""

from __future__ import annotations

import logging

from django.utils import translation
from django.utils.translation import gettext
from django_tasks import task

from lagniappe.channels.notices import notice_email_send
from lagniappe.customers import portal_sign_in
from lagniappe.tenancy.models import Brand

logger = logging.getLogger("lagniappe.portal")


@task()
def sign_in_link_send_task(brand_id: int, address: str, language: str, link_base: str) -> str:
    brand = Brand.objects.filter(pk=brand_id).first()
    if brand is None:
        return "no brand"
    identity = portal_sign_in.sign_in_identity_for_address(brand=brand, address=address)
    if identity is None:
        return "unknown address"
    token = portal_sign_in.sign_in_link_create(brand=brand, identity=identity)
    minutes = int(portal_sign_in.SIGN_IN_LINK_LIFETIME.total_seconds() // 60)
    with translation.override(language.lower() or brand.default_language.lower()):
        subject = gettext("Your sign-in link for the %(brand)s help centre") % {"brand": brand.name}
        text = gettext(
            "Open this link to see and answer your conversations with %(brand)s:\n\n"
            "%(link)s\n\n"
            "The link works once, for %(minutes)s minutes. If you did not ask for it, "
            "ignore this email."
        ) % {"brand": brand.name, "link": f"{link_base}{token}", "minutes": minutes}
    receipt = notice_email_send(
        brand_id=brand.pk, to=identity.value, subject=subject, text=text, language=language
    )
    if not receipt.accepted:
        logger.warning("sign-in link for brand %s not sent: %s", brand.pk, receipt.detail[:200])
        return "failed"
    return "sent"
