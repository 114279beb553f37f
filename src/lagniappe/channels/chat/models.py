"""What the chat channel remembers about one visitor of one widget: the pre-chat answers, the
read/delivered watermarks of the agent's messages (Message ids, like the socket's seq) and the
pages the visitor was on."""

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
    # The pages the widget reported, newest last: [{"url", "title", "at"}] (services.pages.py
    # keeps at most MAX_PAGES, http(s) only, length-limited). Shown to agents, escaped.
    pages = models.JSONField(_("visited pages"), default=list, blank=True)
    # When transcripts were emailed (ISO times, the last day's only): the rate limit.
    transcripts = models.JSONField(_("transcripts sent"), default=list, blank=True)

    class Meta:
        verbose_name = _("chat visitor")
        verbose_name_plural = _("chat visitors")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "visitor"], name="chat_visitor_unique")
        ]

    def __str__(self) -> str:
        return self.visitor
