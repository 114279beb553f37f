"""Visitor attachments over HTTP (store first, the attachment code's limits) and downloads
authorised by the visitor's token, both directions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from lagniappe.channels.chat.limits import limits_reset
from lagniappe.channels.models import Endpoint, InboundEnvelope
from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.models import Attachment, Conversation, Message
from lagniappe.conversations.services import message_send
from lagniappe.core.actors import Actor
from tests.channels.chat.conftest import session_token
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    limits_reset()


def _upload(key: str, token: str, name: str, content: bytes, kind: str, **extra: str) -> Any:
    return Client().post(
        f"/chat/{key}/upload",
        data={
            "token": token,
            "client_id": extra.pop("client_id", "f-1"),
            "file": SimpleUploadedFile(name, content, content_type=kind),
            **extra,
        },
        headers={"origin": "http://testserver"},
    )


def _download(key: str, token: str, attachment_id: int) -> Any:
    return Client().post(
        f"/chat/{key}/file/{attachment_id}",
        data=json.dumps({"token": token}),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )


def test_visitor_upload_is_stored_first_and_downloadable_only_with_their_token(
    world: World, chat: Endpoint
) -> None:
    key = chat.public_key
    token = session_token(key)
    name = "保單 <img src=x onerror=alert(1)>.pdf"
    response = _upload(key, token, name, b"%PDF-1.4 policy", "application/pdf", text="見附件")
    assert response.status_code == 200, response.content
    answer = response.json()
    message = Message.objects.get(pk=answer["seq"])
    assert message.text == "見附件" and message.channel_kind == "chat"
    attachment = Attachment.objects.get(message=message)
    assert attachment.content_type == "application/pdf" and attachment.size == 15
    # Store first: the envelope holds the file (it can be replayed).
    envelope = InboundEnvelope.objects.get(endpoint=chat)
    assert b"JVBERi0xLjQgcG9saWN5" in bytes(envelope.raw)
    files = answer["message"]["files"]
    assert files == [
        {"id": attachment.pk, "name": attachment.filename, "size": 15, "type": "application/pdf"}
    ]
    # The same client id again: the same message, no second attachment.
    again = _upload(key, token, name, b"%PDF-1.4 policy", "application/pdf", text="見附件")
    assert again.json()["seq"] == message.pk
    assert Attachment.objects.filter(conversation_id=message.conversation_id).count() == 1

    download = _download(key, token, attachment.pk)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 policy"
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    # Another visitor's token, a tampered token, a guessed id: nothing.
    other = session_token(key)
    assert _download(key, other, attachment.pk).status_code == 404
    assert _download(key, token[:-2] + "xx", attachment.pk).status_code == 401
    assert _download(key, token, attachment.pk + 1000).status_code == 404

    # The poll (resume) lists the file with the message.
    polled = Client().post(
        f"/chat/{key}/poll",
        data=json.dumps({"token": token, "last_seq": 0}),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )
    assert polled.json()["frames"][0]["files"][0]["id"] == attachment.pk


def test_agent_attachment_reaches_the_widget_with_a_token_download(
    world: World, chat: Endpoint
) -> None:
    key = chat.public_key
    token = session_token(key)
    sent = Client().post(
        f"/chat/{key}/send",
        data=json.dumps({"token": token, "client_id": "t-1", "text": "Need the form"}),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )
    message = Message.objects.get(pk=sent.json()["seq"])
    reply = message_send(
        actor=Actor.agent(world.insurer_agent.pk, "Mei"),
        conversation=Conversation.objects.get(pk=message.conversation_id),
        author_id=world.insurer_agent.pk,
        text="Here it is",
        attachments=[AttachmentUpload("claim form.pdf", "application/pdf", b"%PDF form")],
    )
    polled = (
        Client()
        .post(
            f"/chat/{key}/poll",
            data=json.dumps({"token": token, "last_seq": message.pk}),
            content_type="text/plain",
            headers={"origin": "http://testserver"},
        )
        .json()
    )
    frame = polled["frames"][0]
    assert frame["seq"] == reply.pk and frame["from"] == "agent"
    (item,) = frame["files"]
    assert item["name"] == "claim form.pdf"
    download = _download(key, token, item["id"])
    assert b"".join(download.streaming_content) == b"%PDF form"
    assert _download(key, session_token(key), item["id"]).status_code == 404


@override_settings(LAGNIAPPE_MAX_ATTACHMENT_BYTES=100)
def test_upload_limits_are_the_attachment_limits(world: World, chat: Endpoint) -> None:
    key = chat.public_key
    token = session_token(key)
    big = _upload(key, token, "big.bin", b"x" * 101, "application/octet-stream")
    assert big.status_code == 413 and big.json()["code"] == "file_too_large"
    html = _upload(key, token, "page.html", b"<script>", "text/html", client_id="f-2")
    assert html.status_code == 415 and html.json()["code"] == "file_refused"
    assert not InboundEnvelope.objects.filter(endpoint=chat).exists()
    assert _upload(key, "forged.token", "a.txt", b"a", "text/plain").status_code == 401
    chat.settings = {"allowed_origins": ["http://testserver"]}
    chat.save(update_fields=["settings"])
    other_origin = Client().post(
        f"/chat/{key}/upload",
        data={"token": token, "client_id": "f-3", "file": SimpleUploadedFile("a.txt", b"a")},
        headers={"origin": "https://evil.test"},
    )
    assert other_origin.status_code == 403
