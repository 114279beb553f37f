"""Email, understood without a database: parsing, charsets, subjects, quotes, loop flags.

Pure Python (stdlib `email` with policy.default, charset-normalizer for undeclared text).
"""

from lagniappe.engines.mail.charsets import bytes_decode, charset_normalise
from lagniappe.engines.mail.dsn import Bounce, bounce_read
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
from lagniappe.engines.mail.subjects import SubjectKey, subject_key, subject_ticket_ids

__all__ = [
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
    "quote_split",
    "subject_key",
    "subject_ticket_ids",
]
