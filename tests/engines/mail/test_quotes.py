"""Quote and signature splitting in the five languages' quote headers."""

import pytest

from lagniappe.engines.mail import quote_split

CASES = [
    (
        "en-gmail",
        "Thanks, that works.\n\nOn Mon, Mar 4, 2024 at 10:00 AM Support <s@x.test> wrote:\n"
        "> Please try again.\n",
        "Thanks, that works.",
        "On Mon",
    ),
    (
        "en-wrapped",
        "Fine.\n\nOn Mon, Mar 4, 2024 at 10:00 AM Support Team <\nsupport@x.test> wrote:\n> old\n",
        "Fine.",
        "On Mon",
    ),
    (
        "zh-Hans",
        "好的，我补充了照片。\n\n在 2024年3月2日 周六 上午10:00，客服 <s@x.test> 写道：\n"
        "> 请补充事故照片。",
        "好的，我补充了照片。",
        "在 2024",
    ),
    (
        "zh-Hant",
        "多謝，收到。\n\n客服 於 2024年3月5日 寫道：\n> 已收到您的申請。",
        "多謝，收到。",
        "客服 於",
    ),
    (
        "ja",
        "承知しました。\n\n2024年3月7日 サポート さんは書きました：\n> 書類をご用意ください。",
        "承知しました。",
        "2024年3月7日",
    ),
    (
        "id",
        "Apakah sudah ada kabar?\n\n"
        "Pada Sen, 11 Mar 2024 pukul 09.00, Layanan <cs@x.test> menulis:\n> Kami sedang memeriksa.",
        "Apakah sudah ada kabar?",
        "Pada Sen",
    ),
    ("signature", "See you.\n-- \nAna\nACME Ltd", "See you.", "-- \nAna"),
    (
        "bottom-quote",
        "Yes please.\n\n> Shall we call you?\n> Regards",
        "Yes please.",
        "> Shall",
    ),
    (
        "outlook-en",
        "Done.\n\nFrom: Support <s@x.test>\nSent: Monday, March 4, 2024 10:00\nTo: me\n\nold",
        "Done.",
        "From: Support",
    ),
    (
        "outlook-zh",
        "收到。\n\n发件人: 客服 <s@x.test>\n发送时间: 2024年3月4日 10:00\n收件人: 我\n\n旧内容",
        "收到。",
        "发件人",
    ),
    (
        "original-message",
        "Noted.\n\n-----Original Message-----\nold text",
        "Noted.",
        "-----Original",
    ),
]


@pytest.mark.parametrize(("name", "text", "new", "quoted_start"), CASES, ids=[c[0] for c in CASES])
def test_quotes_and_signatures_split(name, text, new, quoted_start):
    got_new, got_quoted = quote_split(text)
    assert got_new == new
    assert got_quoted.startswith(quoted_start)


def test_inline_replies_between_quotes_stay_new():
    text = "> question one\nanswer one\n> question two\nanswer two"
    assert quote_split(text) == (text, "")


def test_a_mention_of_wrote_without_a_quote_is_not_cut():
    text = "My lawyer wrote:\nthe claim stands, please review."
    assert quote_split(text) == (text, "")


def test_nothing_new_above_the_quote_keeps_everything():
    text = "On Mon, Jan 1, 2024 X wrote:\n> all quoted"
    assert quote_split(text) == (text, "")
