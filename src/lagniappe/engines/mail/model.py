"""The frozen shapes a parsed email is handed on in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class MailParseError(Exception):
    """The bytes cannot be read as an email at all; `reason` says why, for an administrator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Address:
    name: str
    address: str


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    content: bytes
    # Set for parts an HTML body shows inline through `cid:` links.
    content_id: str = ""
    inline: bool = False


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    # True when the sender gave no Message-ID and `message_id` is our content hash.
    message_id_generated: bool
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    sender: Address | None
    reply_to: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    date: datetime | None
    text: str
    html: str
    attachments: tuple[MailAttachment, ...]
    forwarded: tuple[ParsedEmail, ...]
    auto_submitted: bool
    list_mail: bool
    bulk: bool
    defects: tuple[str, ...] = ()
    # The List-Id (its <…> part, lower-case) of mailing-list mail, else "".
    list_id: str = ""

    @property
    def thread_keys(self) -> tuple[str, ...]:
        """Message-IDs this one answers: the direct parent first, then older ancestors."""
        keys: list[str] = []
        for key in (*self.in_reply_to, *reversed(self.references)):
            if key and key != self.message_id and key not in keys:
                keys.append(key)
        return tuple(keys)

    @property
    def auto_reply_forbidden(self) -> bool:
        """RFC 3834: never answer automatic, list or bulk mail automatically."""
        return self.auto_submitted or self.list_mail or self.bulk

    @property
    def inline_images(self) -> tuple[MailAttachment, ...]:
        return tuple(a for a in self.attachments if a.content_id and a.inline)
