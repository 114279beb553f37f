"""Raw RFC 5322 bytes -> ParsedEmail. Best effort on anything; MailParseError when hopeless."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache

from lagniappe.engines.mail.charsets import bytes_decode
from lagniappe.engines.mail.model import Address, MailAttachment, MailParseError, ParsedEmail
from lagniappe.engines.mail.parse_policy import PARSE_POLICY
from lagniappe.engines.mail.part_heads import PartHead, part_head

# The stdlib parser recurses once per multipart level and exhausts Python's stack near a
# thousand; no real mail nests more than a dozen. Deeper structure is refused up front.
MAX_BOUNDARIES = 200
MAX_DEPTH = 40
MAX_FORWARD_DEPTH = 3
MAX_ADDRESSES = 1000
_BOUNDARY = re.compile(rb"boundary\s*=", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
_BARE_ID = re.compile(r"[^<>\s()]{1,250}@[^<>\s()]{1,250}")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
# policy.default, as the email issue asks: it is the policy that knows RFC 2047, RFC 2231 and
# modern MIME. Its header objects are memoised (parse_policy.py): the same parse, done once
# per distinct header instead of on every lookup.
_PARSE_POLICY = PARSE_POLICY


def _raw_header(message: Message, name: str) -> str | None:
    """The header as it was on the wire (unfolded), surrogate-escaped 8-bit bytes included."""
    wanted = name.lower()
    for key, value in message.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


def header_decode(raw: str, fallback_charset: str | None = None) -> str:
    """RFC 2047 encoded-words and raw 8-bit header bytes, read with our charset rules."""
    raw = re.sub(r"\r?\n[ \t]", " ", raw)
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        data = raw.encode("ascii", "surrogateescape")
        return bytes_decode(data, fallback_charset).strip()
    if "=?" not in raw:
        return raw.strip()
    try:
        pieces = decode_header(raw)
    except Exception:  # malformed encoded-words: show them as they are
        return raw.strip()
    out: list[str] = []
    for chunk, charset in pieces:
        if isinstance(chunk, str):
            out.append(chunk)
        else:
            out.append(bytes_decode(chunk, charset or fallback_charset))
    return "".join(out).strip()


def _header(message: Message, name: str, fallback: str | None = None) -> str:
    raw = _raw_header(message, name)
    return "" if raw is None else header_decode(raw, fallback)


def _message_ids(value: str) -> tuple[str, ...]:
    found = _MESSAGE_ID.findall(value)
    if not found:
        found = [f"<{bare}>" for bare in _BARE_ID.findall(value)]
    seen: list[str] = []
    for item in found:
        if item not in seen:
            seen.append(item)
    return tuple(seen)


def _addresses(message: Message, name: str, fallback: str | None) -> tuple[Address, ...]:
    values = tuple(
        header_decode(str(raw), fallback) for key, raw in message.raw_items() if key.lower() == name
    )
    if not values:
        return ()
    if sum(map(len, values)) > _CACHED_ADDRESS_CHARACTERS:
        return _addresses_read(values)
    return _addresses_known(values)


# The stdlib's address parser is the costliest part of reading headers, and the same To:,
# Cc: and From: come back mail after mail (a list, a mailbox, a regular sender). Addresses
# are immutable, so the same header values are read once (bounded; long lists not kept).
_CACHED_ADDRESS_HEADERS = 4096
_CACHED_ADDRESS_CHARACTERS = 2000


@lru_cache(maxsize=_CACHED_ADDRESS_HEADERS)
def _addresses_known(values: tuple[str, ...]) -> tuple[Address, ...]:
    return _addresses_read(values)


def _addresses_read(values: tuple[str, ...]) -> tuple[Address, ...]:
    result: list[Address] = []
    for display, address in getaddresses(list(values))[:MAX_ADDRESSES]:
        address = address.strip().strip("<>")
        if "@" in address:
            result.append(Address(display.strip(), address.lower()))
    return tuple(result)


def _date(message: Message) -> datetime | None:
    raw = _raw_header(message, "date")
    if not raw:
        return None
    try:
        parsed = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


_RAW_NAME = re.compile(r'(?:file)?name\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)


def _raw_param_name(part: Message) -> str:
    for header in ("content-disposition", "content-type"):
        found = _RAW_NAME.search(_raw_header(part, header) or "")
        if found:
            return found.group(1) or found.group(2) or ""
    return ""


def _filename(part: Message, index: int, fallback: str | None) -> str:
    name = ""
    try:
        name = part.get_filename() or ""
    except Exception:  # malformed parameters: look at the raw ones below
        name = ""
    if not name:
        try:
            value = part.get_param("name")
        except Exception:
            value = None
        name = value if isinstance(value, str) else ""
    if "\ufffd" in name:
        # Raw 8-bit bytes in the parameter, which the stdlib replaced: read them ourselves.
        name = _raw_param_name(part) or name
    if name and (any("\udc80" <= ch <= "\udcff" for ch in name) or "=?" in name):
        name = header_decode(name, fallback)
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    if not name:
        subtype = part.get_content_subtype() or "bin"
        name = f"attachment-{index}.{re.sub(r'[^a-z0-9]', '', subtype)[:10] or 'bin'}"
    return name[:255]


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


class _Collector:
    """One walk over the parts (`walk`), then their contents read (`collect`): the body
    charset of the whole mail, which decodes undeclared parts and headers, is only known
    once every part has been seen, and each part's content headers are parsed once."""

    def __init__(self, forward_depth: int) -> None:
        self.forward_depth = forward_depth
        self.fallback: str | None = None
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.attachments: list[MailAttachment] = []
        self.forwarded: list[ParsedEmail] = []
        self.defects: list[str] = []
        self._plan: list[tuple[Message, PartHead | None]] = []

    def walk(self, root: Message) -> None:
        # Iterative, with a depth cap: a hostile message cannot exhaust the stack here.
        stack: list[tuple[Message, int]] = [(root, 0)]
        while stack:
            part, depth = stack.pop()
            if depth > MAX_DEPTH:
                self.defects.append("multipart nesting too deep; inner parts skipped")
                continue
            head = part_head(part)
            # The first charset declared anywhere (in walk order) reads undeclared 8-bit text.
            self.fallback = self.fallback or head.charset
            if head.content_type == "message/rfc822":
                self._plan.append((part, None))
                continue
            if part.is_multipart():
                children = part.get_payload()
                if isinstance(children, list):
                    for child in reversed(children):
                        if isinstance(child, Message):
                            stack.append((child, depth + 1))
                continue
            self._plan.append((part, head))

    def collect(self) -> None:
        for part, head in self._plan:
            if head is None:
                self._forwarded(part)
            else:
                self._leaf(part, head)

    def _leaf(self, part: Message, head: PartHead) -> None:
        is_body = head.disposition != "attachment" and not head.named
        if head.content_type in ("text/plain", "text/html") and is_body:
            text = bytes_decode(_payload(part), head.charset or self.fallback)
            (self.texts if head.content_type == "text/plain" else self.htmls).append(text)
            return
        content_id = _message_ids(str(_raw_header(part, "content-id") or ""))
        self.attachments.append(
            MailAttachment(
                filename=_filename(part, len(self.attachments) + 1, self.fallback),
                content_type=head.content_type,
                content=_payload(part),
                content_id=content_id[0][1:-1] if content_id else "",
                inline=head.disposition != "attachment" and bool(content_id),
            )
        )

    def _forwarded(self, part: Message) -> None:
        inner = part.get_payload()
        inner_message = inner[0] if isinstance(inner, list) and inner else None
        if not isinstance(inner_message, Message):
            return
        data = inner_message.as_bytes(policy=policy.default.clone(linesep="\r\n"))
        if self.forward_depth < MAX_FORWARD_DEPTH:
            try:
                self.forwarded.append(_parse(data, self.forward_depth + 1))
            except MailParseError as error:
                self.defects.append(f"forwarded message unreadable: {error.reason}")
        subject = _header(inner_message, "subject", self.fallback) or "forwarded"
        safe = re.sub(r"[\\/\x00-\x1f\x7f]", "_", subject)[:120]
        self.attachments.append(MailAttachment(f"{safe}.eml", "message/rfc822", data))


def _content_hash(raw: bytes, message: Message) -> str:
    """A stable key for mail without a Message-ID: the same message from another mailbox (with
    other Received lines) gets the same key, so it is still stored once."""
    digest = hashlib.sha256()
    for name in ("from", "to", "date", "subject"):
        digest.update((_raw_header(message, name) or "").strip().encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    split = _HEADER_END.search(raw)
    digest.update(raw[split.end() :] if split else b"")
    return f"sha256:{digest.hexdigest()}"


def _flags(message: Message) -> tuple[bool, bool, bool]:
    auto = (_raw_header(message, "auto-submitted") or "no").strip().lower()
    auto_submitted = not auto.startswith("no") or any(
        _raw_header(message, name) is not None
        for name in ("x-autoreply", "x-autorespond", "x-auto-response-suppress-reply")
    )
    list_mail = any(
        _raw_header(message, name) is not None
        for name in ("list-id", "list-unsubscribe", "list-post", "mailing-list")
    )
    precedence = (_raw_header(message, "precedence") or "").strip().lower()
    suppress = (_raw_header(message, "x-auto-response-suppress") or "").lower()
    bulk = precedence in ("bulk", "list", "junk") or any(
        word in suppress for word in ("all", "autoreply", "oof")
    )
    return auto_submitted, list_mail, bulk


def _list_id(message: Message) -> str:
    value = _header(message, "list-id")
    found = re.search(r"<([^<>\s]{1,250})>", value)
    return (found.group(1) if found else value.strip()[:250]).lower()


def _parse(raw: bytes, forward_depth: int) -> ParsedEmail:
    if not raw or not raw.strip():
        raise MailParseError("empty message")
    if len(_BOUNDARY.findall(raw)) > MAX_BOUNDARIES:
        raise MailParseError(f"more than {MAX_BOUNDARIES} multipart boundaries (nesting bomb?)")
    try:
        message = BytesParser(policy=_PARSE_POLICY).parsebytes(raw)
    except RecursionError:
        raise MailParseError("multipart nesting too deep to parse") from None
    except Exception as error:  # the stdlib parser should not raise; if it does, say so
        raise MailParseError(f"unreadable MIME: {type(error).__name__}: {error}") from error
    if not list(message.raw_items()):
        raise MailParseError("no header fields: not an email")
    collector = _Collector(forward_depth)
    collector.walk(message)
    fallback = collector.fallback
    collector.collect()
    for defect in getattr(message, "defects", []):
        collector.defects.append(type(defect).__name__)
    ids = _message_ids(_header(message, "message-id"))
    senders = _addresses(message, "from", fallback) or _addresses(message, "sender", fallback)
    auto_submitted, list_mail, bulk = _flags(message)
    return ParsedEmail(
        message_id=ids[0] if ids else _content_hash(raw, message),
        message_id_generated=not ids,
        in_reply_to=_message_ids(_header(message, "in-reply-to"))[:1],
        references=_message_ids(_header(message, "references"))[-100:],
        sender=senders[0] if senders else None,
        reply_to=_addresses(message, "reply-to", fallback),
        to=_addresses(message, "to", fallback),
        cc=_addresses(message, "cc", fallback),
        subject=_header(message, "subject", fallback)[:998],
        date=_date(message),
        text="\n".join(t.strip("\n") for t in collector.texts),
        html="\n".join(collector.htmls),
        attachments=tuple(collector.attachments),
        forwarded=tuple(collector.forwarded),
        auto_submitted=auto_submitted,
        list_mail=list_mail,
        bulk=bulk,
        defects=tuple(dict.fromkeys(collector.defects)),
        list_id=_list_id(message),
    )


def email_parse(raw: bytes) -> ParsedEmail:
    """Parse one message. Raises only MailParseError, with a reason an administrator can read."""
    try:
        return _parse(raw, 0)
    except MailParseError:
        raise
    except RecursionError:
        raise MailParseError("multipart nesting too deep to parse") from None
    except Exception as error:  # never crash a poller on a message: report it instead
        raise MailParseError(f"{type(error).__name__}: {error}") from error
