"""Configured entry points, and the raw record of everything that came in or went out."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.languages import Language
from lagniappe.core.models import TimestampedModel


class Endpoint(TimestampedModel):
    """A mailbox, number, chat widget, web form or integration API key of one brand."""

    brand = models.ForeignKey(
        "tenancy.Brand",
        verbose_name=_("brand"),
        on_delete=models.CASCADE,
        related_name="endpoints",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=200)
    public_key = models.CharField(
        _("public key"),
        max_length=64,
        unique=True,
        help_text=_("Random; names the endpoint in public URLs and widget tags."),
    )
    secret_prefix = models.CharField(_("secret prefix"), max_length=12, blank=True)
    secret_digest = models.CharField(_("secret digest"), max_length=64, blank=True, db_index=True)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=Language.choices, blank=True
    )
    default_team = models.ForeignKey(
        "staff.Team",
        verbose_name=_("default team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("endpoint")
        verbose_name_plural = _("endpoints")
        ordering = ["brand", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class EnvelopeStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not processed yet")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")


class InboundEnvelope(models.Model):
    """Exactly what arrived, stored before anything else happens to it."""

    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.PROTECT, related_name="envelopes"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    raw = models.BinaryField(_("raw input"))
    content_type = models.CharField(_("content type"), max_length=127, blank=True)
    remote_addr = models.CharField(_("remote address"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EnvelopeStatus.choices,
        default=EnvelopeStatus.RECEIVED,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    message_ids = models.JSONField(_("messages"), default=list, blank=True)

    class Meta:
        verbose_name = _("inbound envelope")
        verbose_name_plural = _("inbound envelopes")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"envelope #{self.pk} {self.kind} {self.status}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundDelivery(models.Model):
    """One message on its way out, with every attempt's outcome."""

    message = models.OneToOneField(
        "conversations.Message",
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="delivery",
    )
    brand = models.ForeignKey("tenancy.Brand", on_delete=models.PROTECT, related_name="+")
    endpoint = models.ForeignKey(
        Endpoint,
        verbose_name=_("endpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    external_id = models.CharField(_("external id"), max_length=255, blank=True)
    adapter = models.CharField(_("sent by"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Mail no person wrote (an acknowledgement): sent with RFC 3834 headers, counted per
    # recipient for the rate limit that stops two robots answering each other forever.
    automatic = models.BooleanField(_("automatic"), default=False)
    recipient = models.CharField(
        _("recipient"),
        max_length=254,
        blank=True,
        help_text=_("One address named instead of the customer's first one."),
    )

    class Meta:
        verbose_name = _("outbound delivery")
        verbose_name_plural = _("outbound deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                name="delivery_auto_recipient",
                condition=models.Q(automatic=True),
            )
        ]

    def __str__(self) -> str:
        return f"delivery of message #{self.message_id}: {self.status}"
