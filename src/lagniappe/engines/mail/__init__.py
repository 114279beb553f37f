"""Email, understood without a database: parsing, charsets, subjects, quotes, loop flags.

Pure Python (stdlib `email` with policy.default, charset-normalizer for undeclared text).
"""

from lagniappe.engines.mail.charsets import bytes_decode, charset_normalise
from lagniappe.engines.mail.model import Address, MailAttachment, MailParseError, ParsedEmail
from lagniappe.engines.mail.parsing import email_parse
from lagniappe.engines.mail.quotes import quote_split
from lagniappe.engines.mail.subjects import SubjectKey, subject_key, subject_ticket_ids

__all__ = [
    "Address",
    "MailAttachment",
    "MailParseError",
    "ParsedEmail",
    "SubjectKey",
    "bytes_decode",
    "charset_normalise",
    "email_parse",
    "quote_split",
    "subject_key",
    "subject_ticket_ids",
]
