"""What the after-commit handlers cost the writer: nothing for events they do not care about.

Each domain event published by a real write is dispatched, as in production, to every handler
wired in config/wiring.py; the queries each dispatch runs are counted. A conversation opened
through the API (not a chat, nobody assigned) must cost its handlers no query at all (the API
create benchmark counts every one), and neither may a status change of a non-chat
conversation (nothing frees a chat place).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lagniappe.conversations.models import Conversation
from lagniappe.conversations.states import Status
from lagniappe.conversations.updates import ConversationChanges, conversation_update
from lagniappe.core import events as bus
from lagniappe.core.actors import SYSTEM
from lagniappe.core.channel_kinds import ChannelKind
from tests.api.conftest import ApiClient
from tests.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispatched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    """(event type, SQL of its handlers) for every event dispatched after a commit."""
    seen: list[tuple[str, list[str]]] = []
    real = bus.dispatch

    def counting(event: bus.DomainEvent) -> None:
        with CaptureQueriesContext(connection) as queries:
            real(event)
        seen.append((type(event).__name__, [q["sql"] for q in queries.captured_queries]))

    monkeypatch.setattr(bus, "dispatch", counting)
    return seen


def test_an_api_conversation_costs_its_handlers_no_query(
    world: World, dispatched: list[tuple[str, list[str]]], django_capture_on_commit_callbacks: Any
) -> None:
    api = ApiClient(world.insurer_token)
    body = {
        "customer": {"name": "陳大文", "email": "tai@example.hk"},
        "text": "我想查詢保單",
        "tags": ["保單"],
        "priority": "high",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/conversations", body)
    assert response.status_code == 201, response.content
    conversation = Conversation.objects.get(pk=response.json()["id"])
    assert conversation.channel_kind != ChannelKind.CHAT
    kinds = {kind for kind, _ in dispatched}
    assert {"ConversationCreated", "MessageReceived"} <= kinds
    assert [(kind, sql) for kind, sql in dispatched if sql] == []


def test_a_non_chat_status_change_costs_routing_no_query(
    world: World, dispatched: list[tuple[str, list[str]]], django_capture_on_commit_callbacks: Any
) -> None:
    api = ApiClient(world.insurer_token)
    body = {"customer": {"name": "Siti", "email": "siti@example.co.id"}, "text": "Halo"}
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/conversations", body).json()
    dispatched.clear()
    conversation = Conversation.objects.get(pk=created["id"])
    with django_capture_on_commit_callbacks(execute=True):
        conversation_update(
            actor=SYSTEM,
            conversation=conversation,
            changes=ConversationChanges(status=Status.RESOLVED),
        )
    assert [kind for kind, _ in dispatched] == ["ConversationChanged"]
    assert dispatched[0][1] == []
