"""ChannelKind -> adapter. The only place in Lagniappe that switches on the kind of channel."""

from __future__ import annotations

from lagniappe.channels.api.adapter import ApiAdapter
from lagniappe.channels.chat.adapter import ChatAdapter
from lagniappe.channels.chat.outbound import ChatOutboundAdapter
from lagniappe.channels.contracts import InboundAdapter, OutboundAdapter
from lagniappe.channels.email.adapter import EmailAdapter
from lagniappe.channels.email.smtp_send import SmtpAdapter
from lagniappe.channels.log.adapter import LogAdapter
from lagniappe.channels.webform.adapter import WebformAdapter
from lagniappe.core.channel_kinds import ChannelKind

_log = LogAdapter()

INBOUND: dict[str, InboundAdapter] = {
    ChannelKind.API: ApiAdapter(),
    ChannelKind.WEBFORM: WebformAdapter(),
    ChannelKind.EMAIL: EmailAdapter(),
    ChannelKind.CHAT: ChatAdapter(),
}

# Until the email adapter exists, replies on every channel are recorded by the log adapter.
OUTBOUND: dict[str, OutboundAdapter] = {
    ChannelKind.API: _log,
    ChannelKind.WEBFORM: _log,
    ChannelKind.EMAIL: SmtpAdapter(),  # records like the log adapter without SMTP settings
    ChannelKind.CHAT: ChatOutboundAdapter(),
    ChannelKind.VOICE: _log,
    ChannelKind.LOG: _log,
}


class UnknownChannel(LookupError):
    pass


def inbound_adapter(kind: str) -> InboundAdapter:
    try:
        return INBOUND[kind]
    except KeyError:
        raise UnknownChannel(f"No inbound adapter for channel {kind!r}") from None


def outbound_adapter(kind: str) -> OutboundAdapter:
    try:
        return OUTBOUND[kind]
    except KeyError:
        raise UnknownChannel(f"No outbound adapter for channel {kind!r}") from None
