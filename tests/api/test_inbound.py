"""/api/v1/inbound: integrations post as the customer, store first, idempotent, replayable."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lagniappe.channels.inbound import envelope_replay
from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.models import Conversation, Message
from lagniappe.core.actors import SYSTEM

pytestmark = pytest.mark.django_db

TEXTS = {
    "zh-Hant": "請問我的理賠申請審核到哪裡了？",
    "zh-Hans": "请问我的理赔申请审核到哪里了？",
    "ja": "クレジットカードの利用明細について質問があります。",
    "id": "Selamat pagi, kartu saya tertelan di mesin ATM.",
    "en": "Good morning, the ATM kept my card.",
}


def _message(n: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "customer": {"name": f"Customer {n}", "email": f"c{n}@example.com"},
        "text": f"Message {n}",
        **extra,
    }


@pytest.mark.parametrize("language", list(TEXTS))
def test_a_message_is_stored_exactly_then_threaded(world, api_as, language):  # type: ignore[no-untyped-def]
    body = {
        "customer": {"name": "王小明", "email": "ming@example.com", "external_id": "crm-7"},
        "text": TEXTS[language],
        "subject": TEXTS[language][:10],
        "language": language,
        "external_id": f"crm-msg-{language}",
        "sent_at": "2025-03-01T09:30:00+08:00",
        "metadata": {"source": "crm"},
    }
    raw = json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
    response = api_as("insurer_key").post("/inbound", raw=raw)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["status"] == "processed"
    envelope = InboundEnvelope.objects.get(pk=answer["envelope_id"])
    assert bytes(envelope.raw) == raw  # the caller's exact bytes, not a re-serialisation
    assert envelope.endpoint_id == world.insurer_api.pk
    assert envelope.message_ids == [answer["message_id"]]
    message = Message.objects.get(pk=answer["message_id"])
    assert message.text == TEXTS[language]
    assert message.language == language
    assert message.sent_at is not None and message.sent_at.isoformat().startswith(
        "2025-03-01T01:30"
    )
    assert message.conversation_id == answer["conversation_id"]
    assert message.conversation.brand_id == world.insurer.pk
    assert message.author_customer is not None
    assert message.author_customer.identities.filter(kind="external_id", value="crm-7").exists()


def test_a_bcp47_language_tag_is_stored_as_ours(world, api_as):  # type: ignore[no-untyped-def]
    response = api_as("bank_key").post("/inbound", _message(language="zh-TW"))
    assert response.status_code == 201
    assert Message.objects.get(pk=response.json()["message_id"]).language == "zh-Hant"


def test_the_same_external_id_twice_is_one_message(world, api_as):  # type: ignore[no-untyped-def]
    key = api_as("insurer_key")
    first = key.post("/inbound", _message(external_id="crm-1"))
    again = key.post("/inbound", _message(external_id="crm-1"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["message_id"] == first.json()["message_id"]
    assert again.json()["conversation_id"] == first.json()["conversation_id"]
    assert Message.objects.count() == 1
    # Both deliveries are on record.
    assert InboundEnvelope.objects.filter(status=EnvelopeStatus.PROCESSED).count() == 2
    # The same external id at another brand's endpoint is another message.
    other = api_as("bank_key").post("/inbound", _message(external_id="crm-1"))
    assert other.status_code == 201
    assert Message.objects.count() == 2


def test_without_external_id_each_post_is_a_message(world, api_as):  # type: ignore[no-untyped-def]
    key = api_as("insurer_key")
    assert key.post("/inbound", _message()).status_code == 201
    assert key.post("/inbound", _message()).status_code == 201
    assert Message.objects.count() == 2


def test_threading_into_a_conversation_of_the_brand(world, api_as):  # type: ignore[no-untyped-def]
    key = api_as("insurer_key")
    first = key.post("/inbound", _message()).json()
    follow = key.post("/inbound", _message(conversation_id=first["conversation_id"]))
    assert follow.status_code == 201
    assert follow.json()["conversation_id"] == first["conversation_id"]
    assert Conversation.objects.get(pk=first["conversation_id"]).message_count == 2


def test_threading_into_another_brands_conversation_is_not_found(world, api_as):  # type: ignore[no-untyped-def]
    insurer = api_as("insurer_key").post("/inbound", _message()).json()
    before = InboundEnvelope.objects.count()
    response = api_as("bank_key").post(
        "/inbound", _message(2, conversation_id=insurer["conversation_id"])
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert InboundEnvelope.objects.count() == before  # checked before storing
    missing = api_as("bank_key").post("/inbound", _message(2, conversation_id=10**9))
    assert missing.status_code == 404


def test_agents_may_not_post_as_a_customer(world, api_as):  # type: ignore[no-untyped-def]
    response = api_as("insurer").post("/inbound", _message())
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "API key" in response.json()["message"]
    assert InboundEnvelope.objects.count() == 0


def test_anonymous_callers_are_refused(world, api_as):  # type: ignore[no-untyped-def]
    envelope = api_as("insurer_key").post("/inbound", _message()).json()["envelope_id"]
    anonymous = api_as("anonymous")
    assert anonymous.post("/inbound", _message(2)).status_code == 401
    assert anonymous.get(f"/inbound/{envelope}").status_code == 401
    assert InboundEnvelope.objects.count() == 1


def test_a_failure_keeps_the_raw_input_and_the_next_post_works(world, api_as):  # type: ignore[no-untyped-def]
    key = api_as("insurer_key")
    # Valid JSON of the right shape, but no handle to find the customer by: the funnel fails.
    raw = json.dumps({"customer": {"name": "佐藤"}, "text": "名前だけ"}, ensure_ascii=False)
    failed = key.post("/inbound", raw=raw.encode())
    assert failed.status_code == 422
    assert failed.json()["code"] == "inbound_failed"
    envelope_id = failed.json()["details"]["envelope_id"]
    envelope = InboundEnvelope.objects.get(pk=envelope_id)
    assert envelope.status == EnvelopeStatus.FAILED
    assert "email, a phone or an external_id" in envelope.error
    assert bytes(envelope.raw) == raw.encode()
    assert Message.objects.count() == 0
    status = key.get(f"/inbound/{envelope_id}").json()
    assert status["status"] == "failed" and status["error"] == envelope.error
    # A malformed address fails in identity resolution the same way.
    bad_email = key.post("/inbound", _message(customer={"email": "nobody"}))
    assert bad_email.status_code == 422 and bad_email.json()["code"] == "inbound_failed"
    # One bad message blocks nothing behind it.
    assert key.post("/inbound", _message(5)).status_code == 201
    assert Message.objects.count() == 1


def test_a_failed_envelope_can_be_replayed(world, api_as, run_tasks):  # type: ignore[no-untyped-def]
    key = api_as("insurer_key")
    failed = key.post("/inbound", _message(customer={"email": "nobody"})).json()
    envelope = InboundEnvelope.objects.get(pk=failed["details"]["envelope_id"])
    envelope_replay(actor=SYSTEM, envelope=envelope)
    run_tasks()
    assert key.get(f"/inbound/{envelope.pk}").json()["status"] == "failed"  # still bad input
    assert InboundEnvelope.objects.get(pk=envelope.pk).attempts == 2


def test_deferred_posts_are_processed_by_the_worker(world, api_as, run_tasks):  # type: ignore[no-untyped-def]
    key = api_as("bank_key")
    response = key.post("/inbound?defer=true", _message(text=TEXTS["ja"], language="ja"))
    assert response.status_code == 202
    envelope_id = response.json()["envelope_id"]
    assert response.json()["status"] == "received"
    assert Message.objects.count() == 0
    assert run_tasks() >= 1
    status = key.get(f"/inbound/{envelope_id}").json()
    assert status["status"] == "processed"
    assert status["processed_at"] is not None
    message = Message.objects.get(pk=status["message_ids"][0])
    assert message.text == TEXTS["ja"]
    assert message.brand_id == world.bank.pk


@pytest.mark.parametrize("who", ["bank", "bank_key"])
def test_another_brands_envelope_is_not_found(world, api_as, who):  # type: ignore[no-untyped-def]
    envelope = api_as("insurer_key").post("/inbound", _message()).json()["envelope_id"]
    response = api_as(who).get(f"/inbound/{envelope}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    # The insurer's own agent may look.
    assert api_as("insurer").get(f"/inbound/{envelope}").status_code == 200
    assert api_as("insurer_key").get(f"/inbound/{envelope + 100}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "body.colour"),
        ({"customer": {"email": "a@example.com", "age": 3}}, "body.customer.age"),
        ({"text": ""}, "body.text"),
        ({"language": "klingon"}, "body.language"),
        ({"sent_at": "2025-03-01T09:30:00"}, "body.sent_at"),
        ({"conversation_id": 2**63}, "body.conversation_id"),
        ({"conversation_id": 0}, "body.conversation_id"),
        ({"metadata": {"n": 1}}, "body.metadata.n"),
    ],
)
def test_bad_input_is_422_and_stores_nothing(world, api_as, change, field):  # type: ignore[no-untyped-def]
    response = api_as("insurer_key").post("/inbound", {**_message(), **change})
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["details"]["errors"]]
    assert InboundEnvelope.objects.count() == 0


def test_a_missing_customer_is_422(world, api_as):  # type: ignore[no-untyped-def]
    response = api_as("insurer_key").post("/inbound", {"text": "hi"})
    assert response.status_code == 422
    assert "body.customer" in [e["field"] for e in response.json()["details"]["errors"]]


def test_envelope_ids_out_of_range_are_422(world, api_as):  # type: ignore[no-untyped-def]
    key = api_as("insurer_key")
    assert key.get(f"/inbound/{2**63}").status_code == 422
    assert key.get("/inbound/abc").status_code == 422
