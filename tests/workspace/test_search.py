"""Inbox search: by customer, identity, subject and message text, in every language, in scope."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="conversation-row-(\d+)"', html)]


def _search(client, query: str, view: str = "open") -> list[int]:
    response = client.get("/", {"view": view, "q": query})
    assert response.status_code == 200
    return _row_ids(response.content.decode())


def test_cjk_and_indonesian_message_text_is_found(world, signed_in, inbound_conversation):
    zh = inbound_conversation(
        world.insurer_api, text="請問我的理賠申請何時會核准？", language="zh-Hant", email="z@x.tw"
    )
    ja = inbound_conversation(
        world.insurer_api,
        text="保険料の払い戻しについて教えてください",
        language="ja",
        email="j@x.jp",
        name="山田",
    )
    idn = inbound_conversation(
        world.insurer_api,
        text="Saya ingin pengembalian dana premi saya",
        language="id",
        email="i@x.id",
        name="Budi",
    )
    other = inbound_conversation(world.insurer_api, text="Where is my card?", email="e@x.com")
    client = signed_in(world.insurer_agent)
    assert _search(client, "理賠") == [zh.pk]
    assert _search(client, "理赔") == [zh.pk]  # a Simplified query finds Traditional text
    assert _search(client, "払い戻し") == [ja.pk]
    assert _search(client, "pengembalian") == [idn.pk]
    assert _search(client, "PENGEMBALIAN") == [idn.pk]
    assert _search(client, "card") == [other.pk]
    assert _search(client, "nothing like this") == []
    assert sorted(_search(client, "")) == sorted([zh.pk, ja.pk, idn.pk, other.pk])


def test_email_phone_name_and_subject_find_the_customers_conversations(
    world, signed_in, inbound_conversation
):
    first = inbound_conversation(world.insurer_api, email="mei.lin@example.tw", text="一")
    second = inbound_conversation(world.insurer_api, email="mei.lin@example.tw", text="二")
    phoned = inbound_conversation(
        world.insurer_api, email=None, phone="+886912345678", name="王大明", text="三"
    )
    titled = inbound_conversation(
        world.insurer_api, email="t@x.tw", subject="Policy renewal", text="四"
    )
    client = signed_in(world.insurer_agent)
    assert sorted(_search(client, "mei.lin@example")) == sorted([first.pk, second.pk])
    assert _search(client, "912345678") == [phoned.pk]
    assert _search(client, "王大明") == [phoned.pk]
    assert _search(client, "renewal") == [titled.pk]


def test_another_brands_conversations_never_appear(world, signed_in, inbound_conversation):
    # The same customer email and the same words on both brands.
    insurer = inbound_conversation(world.insurer_api, email="same@x.jp", text="払い戻しの件")
    bank = inbound_conversation(world.bank_api, email="same@x.jp", text="払い戻しの件")
    assert _search(signed_in(world.bank_agent), "払い戻し") == [bank.pk]
    assert _search(signed_in(world.bank_agent), "same@x.jp") == [bank.pk]
    assert _search(signed_in(world.insurer_agent), "払い戻し") == [insurer.pk]
    # A brand filter in the URL never widens the scope.
    response = signed_in(world.bank_agent).get(
        "/", {"view": "open", "q": "払い戻し", "brand": world.insurer.pk}
    )
    assert _row_ids(response.content.decode()) == [bank.pk]


def test_search_costs_a_constant_number_of_queries(world, signed_in, inbound_conversation):
    client = signed_in(world.insurer_agent)
    inbound_conversation(world.insurer_api, text="理賠 1", email="a@x.tw")
    with CaptureQueriesContext(connection) as few:
        client.get("/", {"view": "open", "q": "理賠"})
    for i in range(6):
        inbound_conversation(world.insurer_api, text=f"理賠 {i}", email=f"b{i}@x.tw")
    with CaptureQueriesContext(connection) as many:
        assert len(_search(client, "理賠")) == 7
    assert len(many) == len(few)
