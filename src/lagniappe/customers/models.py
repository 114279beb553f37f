"""A Customer is the person; an Identity is their handle on one channel."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lagniappe.core.languages import Language
from lagniappe.core.models import TimestampedModel


class Customer(TimestampedModel):
    """One person across every brand of the organisation ("shared service, split customers")."""

    organisation = models.ForeignKey(
        "tenancy.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="customers",
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    brands = models.ManyToManyField(
        "tenancy.Brand",
        verbose_name=_("brands"),
        related_name="customers",
        blank=True,
        help_text=_("The brands this customer has contacted; agents of those brands see them."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    CHAT_VISITOR = "chat_visitor", _("Chat visitor")
    EXTERNAL_ID = "external_id", _("External id")
    SOCIAL = "social", _("Social handle")


class Identity(TimestampedModel):
    """A handle on one channel. External ids belong to one brand; emails and phones do not."""

    organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="identities",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IdentityKind.choices)
    value = models.CharField(_("value"), max_length=320)
    brand = models.ForeignKey(
        "tenancy.Brand",
        verbose_name=_("brand"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    verified = models.BooleanField(_("verified"), default=False)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "value"],
                condition=models.Q(brand__isnull=True),
                name="identity_unique_organisation_wide",
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "brand", "value"],
                condition=models.Q(brand__isnull=False),
                name="identity_unique_per_brand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class PortalSignInLink(models.Model):
    """A sign-in link emailed to a customer for one brand's help centre.

    Only the SHA-256 digest of its random token is kept. It works once, until `expires_at`,
    for the brand it was issued for, and signs in as the email identity it was sent to.
    """

    brand = models.ForeignKey(
        "tenancy.Brand", verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+"
    )
    identity = models.ForeignKey(
        Identity, verbose_name=_("identity"), on_delete=models.CASCADE, related_name="+"
    )
    token_digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("help centre sign-in link")
        verbose_name_plural = _("help centre sign-in links")

    def __str__(self) -> str:
        return f"sign-in link #{self.pk}"


class PortalSignInRequest(models.Model):
    """One request for a sign-in link, known address or not: what rate limits count.

    The address and the client's IP are kept only as keyed hashes.
    """

    brand = models.ForeignKey(
        "tenancy.Brand", verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+"
    )
    address_hash = models.CharField(_("address (hashed)"), max_length=64)
    ip_hash = models.CharField(_("IP address (hashed)"), max_length=64)
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        verbose_name = _("help centre sign-in request")
        verbose_name_plural = _("help centre sign-in requests")
        indexes = [
            models.Index(fields=["address_hash", "created_at"], name="customers_signin_addr"),
            models.Index(fields=["ip_hash", "created_at"], name="customers_signin_ip"),
        ]

    def __str__(self) -> str:
        return f"sign-in request #{self.pk}"
