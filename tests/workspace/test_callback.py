"""One click on the call hint records a callback promise: a note and an audit row (seed 004)."""

from __future__ import annotations

from lagniappe.conversations.models import Note
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import Actor
from lagniappe.core.models import AuditEvent

PHONE = "+886912345678"


def _exchanges(world, inbound_conversation, *, phone: str = PHONE):
    conversation = inbound_conversation(world.insurer_api, text="我的理賠呢？", phone=phone)
    for text in ("還是沒有消息", "請快一點"):
        message_send(
            actor=Actor.agent(world.insurer_agent.pk, "agent"),
            conversation=conversation,
            author_id=world.insurer_agent.pk,
            text="收到。",
        )
        inbound_conversation(
            world.insurer_api, text=text, phone=phone, conversation_id=conversation.pk
        )
    return conversation


def test_the_call_hint_offers_a_button_that_records_the_callback(
    world, signed_in, inbound_conversation
):
    conversation = _exchanges(world, inbound_conversation)
    client = signed_in(world.insurer_agent)
    hints = client.get(f"/conversations/{conversation.pk}/composer-hints").content.decode()
    assert f'hx-post="/conversations/{conversation.pk}/callback"' in hints
    # The browser sends no number: the customer's number on file is the one recorded.
    answer = client.post(f"/conversations/{conversation.pk}/callback", {"phone": "+1 evil"})
    assert answer.status_code == 200
    assert "Callback recorded in the notes." in answer.content.decode()
    note = Note.objects.get(conversation=conversation)
    assert PHONE in note.text and "evil" not in note.text
    assert note.author_id == world.insurer_agent.pk
    audit = AuditEvent.objects.get(action="conversation.callback_record")
    assert audit.after == {"note": note.pk, "phone": PHONE}
    assert audit.object_id == str(conversation.pk) or audit.object_id == conversation.pk


def test_callback_needs_a_post_and_the_brand(world, signed_in, inbound_conversation):
    conversation = _exchanges(world, inbound_conversation)
    url = f"/conversations/{conversation.pk}/callback"
    assert signed_in(world.insurer_agent).get(url).status_code == 405
    assert signed_in(world.bank_agent).post(url).status_code == 404
    assert not Note.objects.exists()
