"""The composer's seed rules in all five languages."""

import pytest

from lagniappe.engines.coaching import Turn, phone_call_suggested, reply_restates_question

RESTATE = [
    # (language, customer's last message, reply, restates?)
    (
        "en",
        "How do I change the delivery address of my order?",
        "You would like to change the delivery address of your order.\n\nGo to Orders…",
        True,
    ),
    (
        "en",
        "How do I change the delivery address of my order?",
        "Thank you for contacting us.\n\nYou can change the delivery address under Orders.",
        False,
    ),
    (
        "zh-Hans",
        "我的理赔进度怎么样了？",
        "您想了解理赔进度。\n\n目前正在审核中。",
        True,
    ),
    ("zh-Hans", "我的理赔进度怎么样了？", "感谢您的来信。\n\n理赔进度：审核中。", False),
    ("zh-Hant", "我的理賠進度怎麼樣了？", "您想了解理賠的進度。\n\n目前審核中。", True),
    ("zh-Hant", "我的理賠進度怎麼樣了？", "謝謝您的來信。\n\n理賠進度：審核中。", False),
    (
        "ja",
        "注文の配送先住所を変更するにはどうすればいいですか？",
        "ご注文の配送先住所の変更についてですね。\n\n注文履歴から変更できます。",
        True,
    ),
    (
        "ja",
        "注文の配送先住所を変更するにはどうすればいいですか？",
        "お問い合わせありがとうございます。\n\n注文履歴から住所を変更できます。",
        False,
    ),
    (
        "id",
        "Bagaimana cara mengubah alamat pengiriman pesanan saya?",
        "Anda ingin mengubah alamat pengiriman pesanan.\n\nBuka menu Pesanan.",
        True,
    ),
    (
        "id",
        "Bagaimana cara mengubah alamat pengiriman pesanan saya?",
        "Terima kasih telah menghubungi kami.\n\nBuka menu Pesanan untuk mengubah alamat.",
        False,
    ),
]


@pytest.mark.parametrize(("language", "customer", "reply", "expected"), RESTATE)
def test_reply_restates_question(language, customer, reply, expected):
    hint = reply_restates_question(customer, reply, language)
    assert hint.ok is expected, hint
    assert 0.0 <= hint.score <= 1.0


def test_nothing_to_restate_is_fine():
    assert reply_restates_question("", "Hello", "en").ok
    assert reply_restates_question("Order?", "", "en").ok is False


C, A = "customer", "agent"


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        ([(C, True), (A, True), (C, True), (A, True), (C, True)], True),
        ([(C, True), (C, True), (A, True), (C, True), (A, True), (A, True), (C, True)], True),
        ([(C, True), (A, True), (C, True), (A, True)], False),  # the agent answered last
        ([(C, True), (A, True), (C, True)], False),  # one exchange only
        ([(C, True), (A, True), (C, False), (A, True), (C, True)], False),  # they spoke
        ([(C, True), (A, True), (C, True), (A, True), (C, True), (A, False), (C, True)], False),
        ([], False),
    ],
)
def test_phone_call_suggested(turns, expected):
    assert phone_call_suggested([Turn(author, written) for author, written in turns]) is expected
