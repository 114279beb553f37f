"""Cross-cutting records: the audit trail of every change; where uploaded files are stored."""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def random_storage_name(folder: str, filename: str) -> str:
    """Where an uploaded file is stored: a random name under `folder`, keeping only a short
    alphanumeric extension. The uploader's file name is kept as data, never as a path."""
    extension = os.path.splitext(filename)[1][:10].lower()
    safe_extension = extension if extension[1:].isalnum() else ""
    return f"{folder}/{secrets.token_hex(2)}/{secrets.token_urlsafe(18)}{safe_extension}"


class StoredFileFacts(models.Model):
    """What is kept about an uploaded file besides its bytes (see random_storage_name)."""

    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=127)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        abstract = True


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Who changed what, when, from which value to which. Written only by core.services."""

    class ActorKind(models.TextChoices):
        AGENT = "agent", _("Agent")
        CUSTOMER = "customer", _("Customer")
        INTEGRATION = "integration", _("Integration")
        SYSTEM = "system", _("System")

    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices)
    actor_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    brand_id = models.BigIntegerField(_("brand id"), null=True, blank=True, db_index=True)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"])]
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"
