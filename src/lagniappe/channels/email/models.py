"""What the IMAP poller remembers per mailbox folder: where it stopped."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
