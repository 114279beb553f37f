"""Inbox search: by customer, identity, subject and message text, in every language, in scope."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lagniappe.cli.main import main as cli_main
from lagniappe.conversations import search_index
from lagniappe.conversations.search_documents import documents_rebuild
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM, Actor
from lagniappe.customers.identities import IdentityClaim
from lagniappe.customers.services import customer_merge, customer_update, identity_add


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


def test_a_reply_and_a_later_message_are_found(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api, text="Where is my card?", email="r@x.tw")
    client = signed_in(world.insurer_agent)
    assert _search(client, "replacement") == []
    message_send(
        actor=Actor.agent(world.insurer_agent.pk, "test"),
        conversation=conversation,
        author_id=world.insurer_agent.pk,
        text="We shipped a replacement yesterday.",
    )
    assert _search(client, "replacement") == [conversation.pk]
    again = inbound_conversation(
        world.insurer_api,
        text="カードが届きません",
        email="r@x.tw",
        conversation_id=conversation.pk,
    )
    assert again.pk == conversation.pk  # threaded into the same conversation
    assert _search(client, "カード") == [conversation.pk]
    assert _search(client, "card カード") == [conversation.pk]  # words of two messages
    assert _search(client, f"#{conversation.pk}") == [conversation.pk]


def test_customer_changes_reach_their_conversations(
    world, signed_in, inbound_conversation, django_capture_on_commit_callbacks
):
    one = inbound_conversation(world.insurer_api, email="old@x.tw", name="陳小姐", text="一")
    two = inbound_conversation(world.insurer_api, email="old@x.tw", name="陳小姐", text="二")
    other = inbound_conversation(world.insurer_api, email="else@x.tw", name="Budi", text="三")
    client = signed_in(world.insurer_agent)
    customer = one.customer
    with django_capture_on_commit_callbacks(execute=True):
        customer_update(actor=SYSTEM, customer=customer, name="Tanaka Hanako")
    assert sorted(_search(client, "tanaka")) == sorted([one.pk, two.pk])
    assert _search(client, "陳小姐") == []
    with django_capture_on_commit_callbacks(execute=True):
        identity_add(
            actor=SYSTEM,
            customer=customer,
            brand_id=None,
            claim=IdentityClaim("phone", "+81 90-1234-5678"),
        )
    assert sorted(_search(client, "090-1234-5678")) == sorted([one.pk, two.pk])
    with django_capture_on_commit_callbacks(execute=True):
        customer_merge(actor=SYSTEM, source=other.customer, target=customer)
    # The merged customer's conversation is found by the target's name, and the target's by
    # the handle that came with the merge.
    assert sorted(_search(client, "tanaka")) == sorted([one.pk, two.pk, other.pk])
    assert sorted(_search(client, "else@x.tw")) == sorted([one.pk, two.pk, other.pk])


def test_rebuild_finds_what_the_services_indexed_and_can_run_twice(
    world, signed_in, inbound_conversation
):
    made = [
        inbound_conversation(
            world.insurer_api, text="請問我的理賠申請何時會核准？", email="a@x.tw"
        ),
        inbound_conversation(
            world.insurer_api, text="保険料の払い戻し", language="ja", email="b@x.jp"
        ),
        inbound_conversation(
            world.insurer_api, text="Saya ingin pengembalian dana", email="c@x.id"
        ),
    ]
    client = signed_in(world.insurer_agent)
    queries = ["理赔", "払い戻し", "dikembalikan", "b@x.jp", "陳小姐", "nothing"]
    before = {q: _search(client, q) for q in queries}
    assert before["理赔"] == [made[0].pk]
    assert before["dikembalikan"] == [made[2].pk]
    assert documents_rebuild(batch=2) == 3
    assert documents_rebuild() == 3
    assert {q: _search(client, q) for q in queries} == before
    assert search_index.document_count() == 3


def test_conversations_without_a_document_get_one_with_their_next_message(
    world, signed_in, inbound_conversation
):
    conversation = inbound_conversation(world.insurer_api, text="First words", email="n@x.tw")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM conversation_search")
    client = signed_in(world.insurer_agent)
    assert _search(client, "first") == []
    inbound_conversation(
        world.insurer_api, text="Second words", email="n@x.tw", conversation_id=conversation.pk
    )
    assert _search(client, "first words second") == [conversation.pk]


def test_search_syntax_is_never_interpreted(world, signed_in, inbound_conversation):
    found = inbound_conversation(world.insurer_api, text="NEAR the AND gate", email="s@x.tw")
    client = signed_in(world.insurer_agent)
    for query in ['"', "*", "NEAR(", "a OR", "'&|!:*", "AND", "title:x", "-", "\\"]:
        response = client.get("/", {"view": "open", "q": query})
        assert response.status_code == 200, query
    assert _search(client, "NEAR AND") == [found.pk]


def test_reindex_command_rebuilds_and_reports(world, signed_in, inbound_conversation, capsys):
    conversation = inbound_conversation(world.insurer_api, text="Lost card", email="k@x.tw")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM conversation_search")
    assert cli_main(["reindex"]) == 0
    assert "1" in capsys.readouterr().out
    assert _search(signed_in(world.insurer_agent), "lost card") == [conversation.pk]
