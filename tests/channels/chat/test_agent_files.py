"""An agent attaches files to a chat reply from the workspace composer: the visitor's widget
gets them in the reply frame and downloads them with its token only; the attachment code's
limits apply as for email."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lagniappe.channels.chat.limits import limits_reset
from lagniappe.channels.models import Endpoint, OutboundDelivery
from lagniappe.conversations.models import Attachment, Message
from tests.channels.chat.conftest import session_token
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HTTP_HX_REQUEST": "true"}
HOSTILE_NAME = '<img src=x onerror="alert(1)">報價單.pdf'


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    limits_reset()


def _post(key: str, path: str, body: dict[str, Any]) -> Any:
    return Client().post(
        f"/chat/{key}/{path}",
        data=json.dumps(body),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )


def _visitor_conversation(key: str, token: str) -> int:
    sent = _post(key, "send", {"token": token, "client_id": "q-1", "text": "可以寄報價單嗎?"})
    assert sent.status_code == 200, sent.content
    return Message.objects.get(pk=sent.json()["seq"]).conversation_id


def _agent(world: World) -> Client:
    client = Client()
    client.force_login(world.insurer_agent)
    return client


def _reply(client: Client, conversation_id: int, files: list[SimpleUploadedFile]) -> Any:
    return client.post(
        reverse("workspace:conversation-reply", args=[conversation_id]),
        {"text": "附上報價單", "attachments": files},
        **HX,
    )


def test_composer_file_reaches_the_widget_escaped_and_downloads_with_the_token(
    world: World, chat: Endpoint, run_tasks: Callable[[], int]
) -> None:
    key = chat.public_key
    token = session_token(key)
    conversation_id = _visitor_conversation(key, token)
    agent = _agent(world)
    page = agent.get(reverse("workspace:conversation-detail", args=[conversation_id]))
    assert 'type="file" name="attachments"' in page.content.decode()

    answer = _reply(
        agent,
        conversation_id,
        [SimpleUploadedFile(HOSTILE_NAME, b"%PDF-1.4 quote", "application/pdf")],
    )
    assert answer.status_code == 200, answer.content
    html = answer.content.decode()
    [stored] = Attachment.objects.filter(conversation_id=conversation_id)
    # The name is cleaned when stored (as for email) and escaped wherever shown.
    assert "<" not in stored.filename and stored.filename.endswith("報價單.pdf")
    assert "<img" not in html and stored.filename in html
    assert stored.message is not None and stored.message.direction == "out"
    run_tasks()
    assert OutboundDelivery.objects.get(message=stored.message).status == "sent"

    # The widget (polling here; the socket gets the same frame) lists the file...
    frames = _post(key, "poll", {"token": token, "last_seq": 0}).json()["frames"]
    [reply] = [frame for frame in frames if frame["from"] == "agent"]
    [item] = reply["files"]
    assert item["id"] == stored.pk and item["name"] == stored.filename
    assert item["size"] == len(b"%PDF-1.4 quote") and item["type"] == "application/pdf"
    # ...and downloads it with the visitor's token, never with another visitor's.
    download = _post(key, f"file/{stored.pk}", {"token": token})
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 quote"
    assert download["Content-Type"] == "application/octet-stream"
    assert _post(key, f"file/{stored.pk}", {"token": session_token(key)}).status_code == 404
    assert _post(key, f"file/{stored.pk}", {"token": token[:-2] + "xx"}).status_code == 401


def test_composer_files_keep_the_attachment_limits_in_chat(
    world: World, chat: Endpoint, settings: Any
) -> None:
    key = chat.public_key
    conversation_id = _visitor_conversation(key, session_token(key))
    agent = _agent(world)
    settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES = 100
    too_big = _reply(agent, conversation_id, [SimpleUploadedFile("大.pdf", b"x" * 101)])
    assert (
        too_big.status_code == 422 and "大.pdf is larger than allowed" in too_big.content.decode()
    )
    refused = _reply(
        agent,
        conversation_id,
        [SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")],
    )
    assert refused.status_code == 422 and "not accepted" in refused.content.decode()
    assert not Attachment.objects.filter(conversation_id=conversation_id).exists()
    assert not Message.objects.filter(conversation_id=conversation_id, direction="out").exists()
