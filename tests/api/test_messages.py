"""/api/v1/conversations/{id}/messages and /notes, on conversations made by the real funnel."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from lagniappe.channels import inbound
from lagniappe.channels.models import DeliveryStatus, Endpoint, OutboundDelivery
from lagniappe.conversations.attachments import attachment_create
from lagniappe.conversations.changes import conversation_set_status
from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.models import Attachment, Conversation, Message, Note
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.services import agent_create

# (customer's message, agent's reply, brand that receives it)
SAMPLES: dict[str, tuple[str, str, str]] = {
    "zh-Hant": ("我的理賠進度如何？", "您好，我們正在處理您的理賠。", "insurer"),
    "ja": ("口座の残高を確認したいのですが。", "お問い合わせありがとうございます。", "bank"),
    "id": ("Bagaimana status klaim saya?", "Terima kasih, klaim Anda sedang diproses.", "bank"),
    "zh-Hans": ("我的理赔进度怎么样了？", "您好，我们正在处理您的理赔。", "insurer"),
    "en": ("Where is my claim?", "Thanks, we are looking into it now.", "insurer"),
}


def conversation_via_funnel(
    endpoint: Endpoint,
    run_tasks: Callable[[], int],
    *,
    text: str,
    language: str = "",
    email: str = "chen@example.tw",
    name: str = "陳小姐",
    conversation_id: int | None = None,
) -> Conversation:
    """A customer's message through inbound.accept and the worker, as in production."""
    body: dict[str, Any] = {"customer": {"email": email, "name": name}, "text": text}
    if language:
        body["language"] = language
    if conversation_id is not None:
        body["conversation_id"] = conversation_id
    envelope = inbound.accept(endpoint=endpoint, raw=json.dumps(body, ensure_ascii=False).encode())
    run_tasks()
    envelope.refresh_from_db()
    assert envelope.status == "processed", envelope.error
    return (
        Message.objects.select_related("conversation").get(pk=envelope.message_ids[0]).conversation
    )


@pytest.fixture
def insurer_conversation(world, run_tasks) -> Conversation:  # type: ignore[no-untyped-def]
    return conversation_via_funnel(
        world.insurer_api, run_tasks, text="我的理賠進度如何？", language="zh-Hant"
    )


@pytest.fixture
def bank_conversation(world, run_tasks) -> Conversation:  # type: ignore[no-untyped-def]
    return conversation_via_funnel(
        world.bank_api,
        run_tasks,
        text="口座の残高を確認したいのですが。",
        language="ja",
        email="sato@example.jp",
        name="佐藤花子",
    )


def _nothing_sent_counts() -> tuple[int, int, int]:
    return Message.objects.count(), OutboundDelivery.objects.count(), DBTaskResult.objects.count()


@pytest.mark.parametrize("language", list(SAMPLES))
def test_customer_message_and_agent_reply_round_trip(world, api_as, run_tasks, language):
    question, answer, brand = SAMPLES[language]
    endpoint = world.insurer_api if brand == "insurer" else world.bank_api
    conversation = conversation_via_funnel(endpoint, run_tasks, text=question, language=language)
    agent = api_as(brand)

    listed = agent.get(f"/conversations/{conversation.pk}/messages")
    assert listed.status_code == 200
    (received,) = listed.json()["items"]
    assert received["direction"] == "in"
    assert received["text"] == question
    assert received["language"] == language
    assert received["author"] == {
        "type": "customer",
        "id": conversation.customer_id,
        "name": "陳小姐",
    }
    assert received["delivery"] is None
    assert received["attachments"] == []

    sent = agent.post(f"/conversations/{conversation.pk}/messages", {"text": answer})
    assert sent.status_code == 201, sent.json()
    reply = sent.json()
    assert reply["direction"] == "out"
    assert reply["conversation_id"] == conversation.pk
    assert reply["text"] == answer
    assert answer in reply["html"]
    agent_row = world.insurer_agent if brand == "insurer" else world.bank_agent
    assert reply["author"] == {"type": "agent", "id": agent_row.pk, "name": agent_row.display_name}
    assert reply["delivery"]["status"] == DeliveryStatus.PENDING

    assert run_tasks() == 1
    after = agent.get(f"/conversations/{conversation.pk}/messages").json()["items"]
    assert [m["id"] for m in after] == [received["id"], reply["id"]]
    delivered = after[1]
    assert delivered["delivery"]["status"] == DeliveryStatus.SENT
    assert delivered["delivery"]["attempts"] == 1
    assert delivered["delivery"]["last_error"] == ""
    assert delivered["delivery"]["sent_at"] is not None
    assert delivered["sent_at"] == delivered["delivery"]["sent_at"]
    assert OutboundDelivery.objects.get(message_id=reply["id"]).adapter == "log"


def test_html_reply_is_sanitised(api_as, insurer_conversation):
    response = api_as("insurer").post(
        f"/conversations/{insurer_conversation.pk}/messages",
        {"text": "見附件", "html": '<p onclick="x()">見附件<script>alert(1)</script></p>'},
    )
    assert response.status_code == 201
    html = response.json()["html"]
    assert "見附件" in html
    assert "<script" not in html and "onclick" not in html


def test_messages_are_paged_oldest_first(world, api_as, run_tasks, insurer_conversation):
    for text in ("第二則訊息", "第三則訊息"):
        conversation_via_funnel(
            world.insurer_api, run_tasks, text=text, conversation_id=insurer_conversation.pk
        )
    agent = api_as("insurer")
    path = f"/conversations/{insurer_conversation.pk}/messages"
    first = agent.get(path, {"limit": 2}).json()
    assert [m["text"] for m in first["items"]] == ["我的理賠進度如何？", "第二則訊息"]
    assert first["next"]
    second = agent.get(path, {"limit": 2, "cursor": first["next"]}).json()
    assert [m["text"] for m in second["items"]] == ["第三則訊息"]
    assert second["next"] is None

    bad = agent.get(path, {"cursor": "not-a-cursor"})
    assert bad.status_code == 422
    assert bad.json()["details"]["errors"][0]["field"] == "query.cursor"


def _routes(conversation_id: int) -> list[tuple[str, str, Any]]:
    return [
        ("get", f"/conversations/{conversation_id}/messages", None),
        ("post", f"/conversations/{conversation_id}/messages", {"text": "こんにちは"}),
        ("get", f"/conversations/{conversation_id}/notes", None),
        ("post", f"/conversations/{conversation_id}/notes", {"text": "社内メモ"}),
    ]


def _call(client: Any, method: str, path: str, body: Any) -> Any:
    return client.get(path) if method == "get" else client.post(path, body)


@pytest.mark.parametrize("who", ["bank", "bank_key"])
def test_other_brand_cannot_see_or_write_a_conversation(api_as, insurer_conversation, who):
    client = api_as(who)
    before = (_nothing_sent_counts(), Note.objects.count(), Attachment.objects.count())
    for method, path, body in _routes(insurer_conversation.pk):
        response = _call(client, method, path, body)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found"
    upload = client.upload(
        f"/conversations/{insurer_conversation.pk}/attachments",
        {"file": SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")},
    )
    assert upload.status_code == 404
    assert upload.json()["code"] == "not_found"
    assert (_nothing_sent_counts(), Note.objects.count(), Attachment.objects.count()) == before


def test_unknown_conversation_looks_the_same_as_a_hidden_one(api_as, insurer_conversation):
    hidden = api_as("bank").get(f"/conversations/{insurer_conversation.pk}/messages").json()
    missing = api_as("bank").get(f"/conversations/{insurer_conversation.pk + 999}/messages").json()
    assert hidden["code"] == missing["code"] == "not_found"
    assert hidden["message"] == missing["message"]


def test_anonymous_callers_get_401_json(api_as, insurer_conversation):
    client = api_as("anonymous")
    for method, path, body in _routes(insurer_conversation.pk):
        response = _call(client, method, path, body)
        assert response.status_code == 401
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "unauthenticated"
    upload = client.upload(
        f"/conversations/{insurer_conversation.pk}/attachments",
        {"file": SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")},
    )
    assert upload.status_code == 401
    assert upload.json()["code"] == "unauthenticated"


def test_api_key_reads_messages_but_cannot_speak_as_an_agent(api_as, insurer_conversation):
    key = api_as("insurer_key")
    listed = key.get(f"/conversations/{insurer_conversation.pk}/messages")
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    before = _nothing_sent_counts()
    for method, path, body in _routes(insurer_conversation.pk)[1:]:
        response = _call(key, method, path, body)
        assert response.status_code == 403, (method, path)
        assert response.json()["code"] == "permission_denied"
    assert _nothing_sent_counts() == before
    assert Note.objects.count() == 0


def test_admin_sees_every_brand(api_as, bank_conversation):
    response = api_as("admin").get(f"/conversations/{bank_conversation.pk}/messages")
    assert response.status_code == 200
    assert response.json()["items"][0]["text"] == "口座の残高を確認したいのですが。"


def test_reply_with_uploaded_attachment_sends_it_once(api_as, run_tasks, insurer_conversation):
    agent = api_as("insurer")
    base = f"/conversations/{insurer_conversation.pk}"
    uploaded = agent.upload(
        f"{base}/attachments",
        {
            "file": SimpleUploadedFile(
                "理賠申請書.pdf", b"%PDF-1.4 test", content_type="application/pdf"
            )
        },
    ).json()
    reply = agent.post(
        f"{base}/messages", {"text": "請查收附件。", "attachment_ids": [uploaded["id"]]}
    )
    assert reply.status_code == 201
    (attached,) = reply.json()["attachments"]
    assert attached["id"] == uploaded["id"]
    assert attached["filename"] == "理賠申請書.pdf"
    assert attached["message_id"] == reply.json()["id"]
    assert attached["download_url"] == f"/api/v1/attachments/{uploaded['id']}/download"

    again = agent.post(f"{base}/messages", {"text": "再傳一次", "attachment_ids": [uploaded["id"]]})
    assert again.status_code == 422
    assert again.json()["code"] == "invalid_input"


def test_reply_naming_another_conversations_attachment_is_refused_and_nothing_sent(
    world, api_as, run_tasks, insurer_conversation, bank_conversation
):
    other = conversation_via_funnel(
        world.insurer_api, run_tasks, text="另一個問題", email="lee@example.tw", name="李先生"
    )
    assert other.pk != insurer_conversation.pk
    mine = api_as("insurer").upload(
        f"/conversations/{other.pk}/attachments",
        {"file": SimpleUploadedFile("收據.png", b"\x89PNG fake", content_type="image/png")},
    )
    theirs = api_as("bank").upload(
        f"/conversations/{bank_conversation.pk}/attachments",
        {"file": SimpleUploadedFile("明細.pdf", b"%PDF-1.4", content_type="application/pdf")},
    )
    assert mine.status_code == theirs.status_code == 201
    before = _nothing_sent_counts()
    for attachment_id in (mine.json()["id"], theirs.json()["id"], 987654):
        response = api_as("insurer").post(
            f"/conversations/{insurer_conversation.pk}/messages",
            {"text": "請查收", "attachment_ids": [attachment_id]},
        )
        assert response.status_code == 422, attachment_id
        assert response.json()["code"] == "invalid_input"
    assert _nothing_sent_counts() == before
    assert Attachment.objects.filter(message__isnull=False).count() == 0


def test_stale_version_is_a_conflict(api_as, insurer_conversation):
    # Someone else changes the conversation after we loaded it.
    loaded = Conversation.objects.get(pk=insurer_conversation.pk).version
    assert (
        api_as("insurer")
        .post(f"/conversations/{insurer_conversation.pk}/notes", {"text": "先看過"})
        .status_code
        == 201
    )
    current = Conversation.objects.get(pk=insurer_conversation.pk).version
    assert current == loaded + 1
    path = f"/conversations/{insurer_conversation.pk}/messages"
    before = _nothing_sent_counts()
    stale = api_as("insurer").post(path, {"text": "舊版本", "version": current - 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert stale.json()["details"] == {"expected_version": current - 1, "version": current}
    assert _nothing_sent_counts() == before
    fresh = api_as("insurer").post(path, {"text": "新版本", "version": current})
    assert fresh.status_code == 201
    assert Conversation.objects.get(pk=insurer_conversation.pk).version == current + 1


def test_closed_conversation_cannot_be_replied_to(world, api_as, insurer_conversation):
    conversation_set_status(actor=SYSTEM, conversation=insurer_conversation, status="closed")
    before = _nothing_sent_counts()
    response = api_as("insurer").post(
        f"/conversations/{insurer_conversation.pk}/messages", {"text": "還在嗎？"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert _nothing_sent_counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "hi", "cc": "x@example.com"}, "body.cc"),
        ({"text": "hi", "attachment_ids": [0]}, "body.attachment_ids.0"),
        ({"text": "hi", "version": "soon"}, "body.version"),
        ({"text": "x" * 200_001}, "body.text"),
    ],
)
def test_invalid_reply_bodies_name_the_field(api_as, insurer_conversation, body, field):
    response = api_as("insurer").post(f"/conversations/{insurer_conversation.pk}/messages", body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["details"]["errors"]]


def test_empty_reply_is_refused(api_as, insurer_conversation):
    before = _nothing_sent_counts()
    response = api_as("insurer").post(
        f"/conversations/{insurer_conversation.pk}/messages", {"text": "   "}
    )
    assert response.status_code == 422
    assert _nothing_sent_counts() == before


def test_note_with_mentions_is_kept_internal(world, api_as, insurer_conversation):
    colleague = agent_create(
        actor=SYSTEM,
        organisation=world.organisation,
        email="wang@insurer.test",
        display_name="王小明",
        password="pw",
        brands=[world.insurer],
    )
    before = _nothing_sent_counts()
    response = api_as("insurer").post(
        f"/conversations/{insurer_conversation.pk}/notes",
        {
            "text": "@王小明 請確認保單條款。",
            "mention_ids": [colleague.pk, world.bank_agent.pk],
        },
    )
    assert response.status_code == 201, response.json()
    note = response.json()
    assert note["text"] == "@王小明 請確認保單條款。"
    assert note["author"] == {"id": world.insurer_agent.pk, "name": "林美惠"}
    # The bank's agent does not serve the insurer: the mention is dropped.
    assert note["mentions"] == [{"id": colleague.pk, "name": "王小明"}]
    assert note["created_at"]
    assert _nothing_sent_counts() == before

    notes = api_as("insurer").get(f"/conversations/{insurer_conversation.pk}/notes").json()
    assert [n["id"] for n in notes["items"]] == [note["id"]]
    assert notes["next"] is None
    messages = api_as("insurer").get(f"/conversations/{insurer_conversation.pk}/messages").json()
    assert all("保單條款" not in m["text"] for m in messages["items"])


@pytest.mark.parametrize("language", list(SAMPLES))
def test_notes_in_every_language(world, api_as, run_tasks, language):
    _, answer, brand = SAMPLES[language]
    endpoint = world.insurer_api if brand == "insurer" else world.bank_api
    conversation = conversation_via_funnel(endpoint, run_tasks, text=SAMPLES[language][0])
    response = api_as(brand).post(f"/conversations/{conversation.pk}/notes", {"text": answer})
    assert response.status_code == 201
    listed = api_as(brand).get(f"/conversations/{conversation.pk}/notes").json()["items"]
    assert [n["text"] for n in listed] == [answer]


def test_empty_note_is_refused(api_as, insurer_conversation):
    response = api_as("insurer").post(
        f"/conversations/{insurer_conversation.pk}/notes", {"text": ""}
    )
    assert response.status_code == 422
    assert Note.objects.count() == 0


def _conversation_with_messages(world, run_tasks, count: int) -> Conversation:  # type: ignore[no-untyped-def]
    """Alternating customer messages and replies, every reply with a file and a delivery."""
    conversation = conversation_via_funnel(
        world.insurer_api, run_tasks, text="第 0 則", email=f"c{count}@example.tw"
    )
    for index in range(1, count):
        if index % 2:
            attachment = attachment_create(
                conversation=conversation,
                upload=AttachmentUpload(f"附件{index}.txt", "text/plain", b"x"),
            )
            message_send(
                actor=SYSTEM,
                conversation=conversation,
                author_id=world.insurer_agent.pk,
                text=f"回覆 {index}",
                attachment_ids=[attachment.pk],
            )
            run_tasks()
        else:
            conversation_via_funnel(
                world.insurer_api,
                run_tasks,
                text=f"第 {index} 則",
                email=f"c{count}@example.tw",
                conversation_id=conversation.pk,
            )
    assert conversation.messages.count() == count
    return conversation


def test_message_list_costs_the_same_queries_for_5_and_50_messages(
    world, api_as, run_tasks, django_assert_max_num_queries
):
    small = _conversation_with_messages(world, run_tasks, 5)
    large = _conversation_with_messages(world, run_tasks, 50)
    agent = api_as("insurer")
    agent.get(f"/conversations/{small.pk}/messages")  # the token's once-a-minute "last used"
    counts = []
    for conversation, expected in ((small, 5), (large, 50)):
        with CaptureQueriesContext(connection) as queries:
            response = agent.get(f"/conversations/{conversation.pk}/messages", {"limit": 100})
        items = response.json()["items"]
        assert len(items) == expected
        assert all(m["delivery"]["status"] == "sent" for m in items if m["direction"] == "out")
        assert all(len(m["attachments"]) == 1 for m in items if m["direction"] == "out")
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # token, scope, conversation (+ tags), messages (+ attachments)
    with django_assert_max_num_queries(6):
        agent.get(f"/conversations/{large.pk}/messages", {"limit": 100})
