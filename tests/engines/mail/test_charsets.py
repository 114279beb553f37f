"""Charset decoding: declared, superset, undeclared and wrongly declared text."""

import pytest

from lagniappe.engines.mail import bytes_decode, charset_normalise

ZH_GBK = "您好，我的保险单下个月到期，请问如何续期？需要准备哪些材料？谢谢您的帮助。"
JA = "お世話になっております。口座振替の手続きについて教えてください。"
ZH_HANT = "你好，我嘅保單號碼係 HK-20931，想查詢理賠，請盡快回覆。"


@pytest.mark.parametrize(
    ("text", "codec", "declared"),
    [
        ("王喆的理赔", "gb18030", "gb2312"),  # 喆 is GBK, not GB2312: read as GB18030
        ("王喆的理赔", "gbk", "GBK"),
        ("𠀀字", "gb18030", "gb18030"),
        (ZH_HANT, "big5hkscs", "big5"),  # 嘅 is HKSCS, not plain Big5
        (ZH_HANT, "big5hkscs", "Big5-HKSCS"),
        ("①の書類を送ります～", "cp932", "Shift_JIS"),  # NEC extensions
        (JA, "iso2022_jp", "ISO-2022-JP"),
        (JA, "euc_jp", "EUC-JP"),
        ("Ça coûte 5 €", "cp1252", "windows-1252"),
        ("Привет, мир", "cp1251", "windows-1251"),
        ("Γειά σου", "cp1253", "windows-1253"),
        ("It’s “urgent”", "cp1252", "iso-8859-1"),  # what senders mean by latin-1
        ("Terima kasih", "ascii", "us-ascii"),
        ("日本語 UTF-8", "utf-8", "utf-8"),
    ],
)
def test_declared_charsets_decode(text, codec, declared):
    assert bytes_decode(text.encode(codec), declared) == text


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (ZH_GBK, "gbk"),
        (JA, "utf-8"),
        (JA, "iso2022_jp"),  # 7-bit escapes give it away without a declaration
        (JA * 3, "cp932"),
        ("您好，我的保單號碼是 HK-20931，想查詢理賠進度，請盡快回覆。謝謝。" * 3, "big5"),
    ],
)
def test_undeclared_8bit_text_is_detected(text, codec):
    assert bytes_decode(text.encode(codec), None) == text


@pytest.mark.parametrize(
    ("text", "codec", "declared"),
    [
        (JA, "utf-8", "iso-8859-1"),  # UTF-8 under a latin-1 label
        (ZH_GBK, "gbk", "us-ascii"),
        (ZH_GBK, "gbk", "utf-8"),  # a client's default label on GBK bytes
        (JA * 2, "cp932", "utf-8"),
    ],
)
def test_wrongly_declared_charsets_are_detected(text, codec, declared):
    assert bytes_decode(text.encode(codec), declared) == text


def test_unknown_charset_name_falls_back_to_detection():
    assert bytes_decode(ZH_GBK.encode("gbk"), "x-unknown-charset") == ZH_GBK


def test_latin1_text_stays_latin1():
    assert bytes_decode("Café crème".encode("latin-1"), "iso-8859-1") == "Café crème"


def test_never_raises_on_junk():
    assert isinstance(bytes_decode(bytes(range(256)) * 4, "utf-8"), str)
    assert bytes_decode(b"", "gb2312") == ""


@pytest.mark.parametrize(
    ("declared", "codec"),
    [
        ("GB2312", "gb18030"),
        ("big5", "big5hkscs"),
        ("shift_jis", "cp932"),
        ('"iso-2022-jp"', "iso2022_jp_ext"),
        ("nonsense-8", None),
        ("", None),
    ],
)
def test_charset_names_map_to_supersets(declared, codec):
    assert charset_normalise(declared) == codec


def test_latin1_shaped_text_under_a_latin1_label_skips_detection(monkeypatch):
    from lagniappe.engines.mail import charsets

    def detect_not_expected(data: bytes) -> str | None:
        raise AssertionError("charset-normalizer should not run")

    monkeypatch.setattr(charsets, "_detect", detect_not_expected)
    text = "Crème brûlée à la façon de Noël, s'il vous plaît."
    assert bytes_decode(text.encode("cp1252"), "iso-8859-1") == text


def test_cjk_text_under_a_latin1_label_is_still_detected():
    text = "您好，我想查询一下保险理赔的进度，谢谢。请尽快回复我。"
    assert bytes_decode(text.encode("gb18030"), "iso-8859-1") == text
    japanese = "振込手数料について教えてください。よろしくお願いします。"
    assert bytes_decode(japanese.encode("shift_jis"), "iso-8859-1") == japanese
