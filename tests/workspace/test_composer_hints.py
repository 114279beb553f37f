"""The composer's hints: restate the question (seed 000), call after two exchanges (seed 004)."""

from __future__ import annotations

from lagniappe.conversations.services import message_send
from lagniappe.core.actors import Actor

from .conftest import htmx

HINT_RESTATE = "Your first paragraph does not restate the customer's question"
HINT_CALL = "Two written exchanges without a resolution: call the customer"
QUESTION = "我的理賠進度怎麼樣了？"


def _url(conversation) -> str:
    return f"/conversations/{conversation.pk}/composer-hints"


def _send(world, conversation, text: str = "收到。") -> None:
    message_send(
        actor=Actor.agent(world.insurer_agent.pk, "agent"),
        conversation=conversation,
        author_id=world.insurer_agent.pk,
        text=text,
    )


def test_page_includes_the_hints_loader(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api, text=QUESTION)
    page = signed_in(world.insurer_agent).get(f"/conversations/{conversation.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'hx-get="{_url(conversation)}"' in html and 'id="composer-hints"' in html
    assert HINT_RESTATE not in html and HINT_CALL not in html


def test_restate_hint_only_for_a_draft_that_misses_the_question(
    world, signed_in, inbound_conversation
):
    conversation = inbound_conversation(world.insurer_api, text=QUESTION, language="zh-Hant")
    client = signed_in(world.insurer_agent)
    empty = client.get(_url(conversation), **htmx(client)).content.decode()
    assert HINT_RESTATE not in empty  # nothing typed yet: no nagging
    missing = client.get(_url(conversation), {"text": "謝謝您的來信。\n\n審核中。"})
    assert HINT_RESTATE in missing.content.decode()
    restated = client.get(_url(conversation), {"text": "您想了解理賠的進度。\n\n審核中。"})
    assert HINT_RESTATE not in restated.content.decode()


def test_call_suggested_after_two_written_exchanges_with_the_phone(
    world, signed_in, inbound_conversation
):
    phone = "+886912345678"
    conversation = inbound_conversation(world.insurer_api, text=QUESTION, phone=phone)
    client = signed_in(world.insurer_agent)
    _send(world, conversation)
    inbound_conversation(
        world.insurer_api, text="還是沒有消息", phone=phone, conversation_id=conversation.pk
    )
    assert HINT_CALL not in client.get(_url(conversation)).content.decode()
    _send(world, conversation)
    inbound_conversation(
        world.insurer_api, text="請快一點", phone=phone, conversation_id=conversation.pk
    )
    html = client.get(_url(conversation)).content.decode()
    assert HINT_CALL in html
    assert 'href="tel:+886912345678"' in html


def test_another_brands_conversation_has_no_hints(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api, text=QUESTION)
    assert signed_in(world.bank_agent).get(_url(conversation)).status_code == 404
