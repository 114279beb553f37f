import json

from lagniappe.channels import inbound
from lagniappe.channels.models import DeliveryStatus, EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.models import Message
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM


def _api_body(**extra: object) -> bytes:
    body = {
        "customer": {"email": "chen@example.tw", "name": "陳小姐"},
        "text": "我的理賠進度如何？",
    }
    body.update(extra)
    return json.dumps(body, ensure_ascii=False).encode()


def test_accepted_envelope_is_processed_by_the_worker_and_reply_is_delivered(world, run_tasks):
    envelope = inbound.accept(endpoint=world.insurer_api, raw=_api_body(external_id="crm-1"))
    assert InboundEnvelope.objects.get(pk=envelope.pk).status == EnvelopeStatus.RECEIVED
    assert run_tasks() == 1
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED
    message = Message.objects.get(pk=envelope.message_ids[0])
    assert message.conversation.brand == world.insurer
    reply = message_send(
        actor=SYSTEM,
        conversation=message.conversation,
        author_id=world.insurer_agent.pk,
        text="您好，我們正在處理。",
    )
    assert run_tasks() == 1
    reply.delivery.refresh_from_db()
    assert reply.delivery.status == DeliveryStatus.SENT


def test_same_external_id_twice_gives_one_message(world, run_tasks):
    inbound.accept(endpoint=world.insurer_api, raw=_api_body(external_id="crm-2"))
    inbound.accept(endpoint=world.insurer_api, raw=_api_body(external_id="crm-2"))
    run_tasks()
    assert Message.objects.filter(external_id="crm-2").count() == 1


def test_unparseable_input_fails_alone_and_keeps_its_raw_bytes(world, run_tasks):
    bad = inbound.accept(endpoint=world.insurer_api, raw=b"\xff\xfe not json")
    good = inbound.accept(endpoint=world.insurer_api, raw=_api_body(external_id="crm-3"))
    run_tasks()
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == EnvelopeStatus.FAILED and "UTF-8" in bad.error
    assert bytes(bad.raw) == b"\xff\xfe not json"
    assert good.status == EnvelopeStatus.PROCESSED
