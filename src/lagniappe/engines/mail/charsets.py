"""Bytes to text in the charsets customers really send, declared rightly, wrongly or not at all."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Declared name -> the codec that reads what senders actually put under that name. Mail
# programs write GBK/GB18030 text under "gb2312", cp932 (with NEC/IBM extensions) under
# "shift_jis", HKSCS characters under "big5", and cp1252 under "iso-8859-1" (as browsers do).
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "euc-jp": "euc_jis_2004",
    "x-euc-jp": "euc_jis_2004",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}
# When one of these is declared, the declaration is often a default rather than a choice.
_WEAK_DECLARATIONS = {"cp1252", "utf-8"}
_MULTIBYTE = {
    "gb18030",
    "gbk",
    "gb2312",
    "big5",
    "big5hkscs",
    "cp950",
    "cp932",
    "shift_jis",
    "euc_jp",
    "euc_jis_2004",
    "iso2022_jp",
    "cp949",
    "euc_kr",
}


def charset_normalise(declared: str | None) -> str | None:
    """The Python codec to read a declared charset with, or None when it is unknown."""
    if not declared:
        return None
    name = declared.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


# Chinese, Japanese and Korean multi-byte text is full of adjacent bytes >= 0x80 (EUC uses
# them for both bytes of every character; GBK, Big5 and Shift_JIS for most). Latin-1 text
# has its accented letters between ASCII ones.
_HIGH_PAIR = re.compile(rb"[\x80-\xff]{2}")


def _detect(data: bytes) -> str | None:
    best = from_bytes(data[:65536]).best()
    return best.encoding if best is not None else None


def bytes_decode(data: bytes, declared: str | None = None) -> str:
    """Text from `data`: the declared charset when it fits, else a detected one. Never raises."""
    if not data:
        return ""
    codec = charset_normalise(declared)
    ascii_only = data.isascii()
    if codec == "iso2022_jp_ext" or (ascii_only and b"\x1b$" in data):
        # ISO-2022-JP is 7-bit: its escape sequences give it away even when undeclared.
        for jis in ("iso2022_jp_ext", "iso2022_jp_2004", "iso2022_jp_2"):
            try:
                return data.decode(jis)
            except UnicodeDecodeError:
                continue
    if ascii_only and codec != "utf-7":
        return data.decode("ascii")
    if codec is not None and codec not in _WEAK_DECLARATIONS:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass  # wrongly declared: detect below
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec == "cp1252" and not _HIGH_PAIR.search(data):
        # Labelled Latin-1 and shaped like it: detection could only overrule the label with a
        # multi-byte charset, and such text is not shaped like this. (Saves charset-normalizer,
        # the costliest step of parsing, on most Western European mail.)
        return data.decode("cp1252", errors="replace")
    detected = _detect(data)
    if detected is not None and (codec is None or detected in _MULTIBYTE or codec == "utf-8"):
        try:
            return data.decode(detected)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode(codec or "cp1252", errors="replace")
