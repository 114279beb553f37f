"""Email, understood without a database: parsing, charsets, subjects, quotes, loop flags.

Pure Python (stdlib `email`; headers decoded by our own charset rules; charset-normalizer for
undeclared text).
"""

from lagniappe.engines.mail.charsets import bytes_decode, charset_normalise
from lagniappe.engines.mail.dsn import Bounce, bounce_read
from lagniappe.engines.mail.language import mail_language
from lagniappe.engines.mail.loops import (
    AutoReplyDecision,
    auto_reply_allowed,
    auto_reply_blocked_reason,
    auto_reply_rate_allowed,
    headers_read,
)
from lagniappe.engines.mail.model import Address, MailAttachment, MailParseError, ParsedEmail
from lagniappe.engines.mail.parsing import email_parse
from lagniappe.engines.mail.quotes import quote_split
from lagniappe.engines.mail.reply_tokens import (
    reply_address,
    reply_token_make,
    reply_token_read,
    reply_tokens_in,
)
from lagniappe.engines.mail.subjects import SubjectKey, subject_key, subject_ticket_ids
from lagniappe.engines.mail.templates import (
    AUTO_REPLY_PLACEHOLDERS,
    REPLY_PLACEHOLDERS,
    template_placeholders_unknown,
    template_render,
    text_template_as_html,
)

__all__ = [
    "AUTO_REPLY_PLACEHOLDERS",
    "REPLY_PLACEHOLDERS",
    "Address",
    "AutoReplyDecision",
    "Bounce",
    "MailAttachment",
    "MailParseError",
    "ParsedEmail",
    "SubjectKey",
    "auto_reply_allowed",
    "auto_reply_blocked_reason",
    "auto_reply_rate_allowed",
    "bounce_read",
    "bytes_decode",
    "charset_normalise",
    "email_parse",
    "headers_read",
    "mail_language",
    "quote_split",
    "reply_address",
    "reply_token_make",
    "reply_token_read",
    "reply_tokens_in",
    "subject_key",
    "subject_ticket_ids",
    "template_placeholders_unknown",
    "template_render",
    "text_template_as_html",
]
