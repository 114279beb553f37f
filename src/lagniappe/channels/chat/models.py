"""What the chat channel remembers about one visitor of one widget: the pre-chat answers and
the read/delivered watermarks of the agent's messages (Message ids, like the socket's seq)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lagniappe.core.models import TimestampedModel


class VisitorState(TimestampedModel):
    endpoint = models.ForeignKey(
        "lagniappe_channels.Endpoint",
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="chat_visitors",
    )
    visitor = models.CharField(_("visitor"), max_length=64)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    last_delivered_seq = models.BigIntegerField(_("last delivered message"), default=0)
    last_read_seq = models.BigIntegerField(_("last read message"), default=0)

    class Meta:
        verbose_name = _("chat visitor")
        verbose_name_plural = _("chat visitors")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "visitor"], name="chat_visitor_unique")
        ]

    def __str__(self) -> str:
        return self.visitor
