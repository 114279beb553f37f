"""What the email channel keeps: where the IMAP poller stopped, the brand's automatic
acknowledgement settings, and the templates of outbound mail."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lagniappe.core.languages import Language


class MailboxState(models.Model):
    """The last UID stored from one endpoint's IMAP folder, valid for one UIDVALIDITY.

    Updated in the same transaction as the envelope of that UID, so a poller killed at any
    point starts again exactly after the last message it stored.
    """

    endpoint = models.ForeignKey(
        "lagniappe_channels.Endpoint",
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), default=0)
    last_uid = models.BigIntegerField(_("last UID stored"), default=0)
    polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailbox state")
        verbose_name_plural = _("mailbox states")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "folder"], name="mailbox_state_folder")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint_id}:{self.folder} uid {self.last_uid}"


class EmailBrandSettings(models.Model):
    """A brand's email behaviour that is not one mailbox's: the automatic acknowledgement."""

    brand = models.OneToOneField(
        "tenancy.Brand",
        verbose_name=_("brand"),
        on_delete=models.CASCADE,
        related_name="email_settings",
    )
    auto_reply_enabled = models.BooleanField(
        _("acknowledge new conversations"),
        default=False,
        help_text=_(
            "Send an automatic acknowledgement when a customer's email opens a new "
            "conversation. Never sent to automatic, list or bulk mail (RFC 3834)."
        ),
    )
    auto_reply_max_per_hour = models.PositiveSmallIntegerField(
        _("automatic mails per sender per hour"),
        default=3,
        help_text=_("At most this many automatic mails to one address in any hour."),
    )

    class Meta:
        verbose_name = _("email settings of a brand")
        verbose_name_plural = _("email settings of brands")

    def __str__(self) -> str:
        return f"email settings of brand {self.brand_id}"


class TemplateKind(models.TextChoices):
    AUTO_REPLY = "auto_reply", _("Automatic acknowledgement")
    REPLY = "reply", _("Agent reply (header, footer, signature)")


class EmailTemplate(models.Model):
    """What our mail says around (reply) or instead of (acknowledgement) an agent's words, per
    brand and language. `{name}` placeholders; without a row the built-in default is used."""

    brand = models.ForeignKey(
        "tenancy.Brand",
        verbose_name=_("brand"),
        on_delete=models.CASCADE,
        related_name="email_templates",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TemplateKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    subject = models.CharField(
        _("subject"),
        max_length=300,
        blank=True,
        help_text=_("Acknowledgements only; the conversation's tag [#…] is added."),
    )
    text = models.TextField(
        _("plain text"),
        help_text=_(
            "Placeholders: {customer_name}, {brand_name}, {conversation_id}, {subject}, "
            "{mailbox_address}; replies also {agent_name} and {reply} (the agent's words)."
        ),
    )
    html = models.TextField(
        _("HTML"),
        blank=True,
        help_text=_("Optional; made from the plain text when empty. Sanitised when sent."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        ordering = ["brand", "kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "kind", "language"], name="email_template_brand_kind_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"
