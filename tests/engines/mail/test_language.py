"""Which language a customer's mail is in: what they wrote, not what they quoted."""

import pytest

from lagniappe.engines.mail import mail_language

ENGLISH_QUOTE = (
    "On Tue, 2 Jan 2024 at 10:00, Harbour Insurance <support@insurer.test> wrote:\n"
    "> Hello, thank you for writing to Harbour Insurance. We have received your message and\n"
    "> will answer as soon as we can. Your reference is #12. To add anything, simply reply.\n"
)


@pytest.mark.parametrize(
    ("subject", "text", "html", "expected"),
    [
        ("口座振替について", "先月から口座振替ができません。", "", "ja"),
        ("理赔进度查询", "请问我的理赔进度如何？", "", "zh-Hans"),
        ("保單理賠查詢", "你好，我嘅保單想查詢理賠，請盡快回覆。", "", "zh-Hant"),
        ("Re: Kartu kredit", "Terima kasih, tetapi kartu saya masih belum bisa dipakai.\n\n"
         + ENGLISH_QUOTE, "", "id"),
        ("Balas: Tagihan", "", "<p>Mohon bantuan, tagihan <b>bulan ini</b> dua kali dibayar."
         "</p><style>p { color: red }</style>", "id"),
        ("Claim", "I would like to know when my claim will be paid, please.", "", "en"),
        ("", "ok", "", "zh-Hant"),  # too little to tell: the default
        ("Re:", "", "", "zh-Hant"),
    ],
)  # fmt: skip
def test_mail_language(subject, text, html, expected):
    assert mail_language(subject=subject, text=text, html_body=html, default="zh-Hant") == expected
