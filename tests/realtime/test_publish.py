"""Publishing a change costs the writer one layer message: no query, no template render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.template.loader import render_to_string
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext

from lagniappe.channels.events import MessageDelivered
from lagniappe.conversations.events import (
    ConversationChanged,
    ConversationCreated,
    ConversationMerged,
    MessageReceived,
    NoteAdded,
)
from lagniappe.conversations.models import Message
from lagniappe.realtime import handlers, publish
from lagniappe.realtime.groups import brand_group
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_handlers_publish_one_message_each_without_query_or_render(
    world: World, post_inbound: Callable[..., Message]
) -> None:
    message = post_inbound(world.insurer_api, text="便宜嗎")
    brand_id, conversation_id = message.brand_id, message.conversation_id
    layer = get_channel_layer()
    assert layer is not None
    listener = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(brand_group(brand_id), listener)
    rendered: list[Any] = []

    def on_render(sender: Any, **kwargs: Any) -> None:
        rendered.append(kwargs.get("template"))

    calls: list[tuple[Callable[[Any], None], Any, str, int | None, int]] = [
        (
            handlers.on_message_added,
            MessageReceived(
                message_id=message.pk, conversation_id=conversation_id, brand_id=brand_id
            ),
            publish.MESSAGE,
            conversation_id,
            message.pk,
        ),
        (
            handlers.on_note_added,
            NoteAdded(
                note_id=7,
                conversation_id=conversation_id,
                brand_id=brand_id,
                mentioned_agent_ids=(),
            ),
            publish.NOTE,
            conversation_id,
            7,
        ),
        (
            handlers.on_conversation_changed,
            ConversationChanged(
                conversation_id=conversation_id, brand_id=brand_id, fields=("status",)
            ),
            publish.CHANGED,
            conversation_id,
            conversation_id,
        ),
        (
            handlers.on_conversation_changed,
            ConversationCreated(conversation_id=conversation_id, brand_id=brand_id),
            publish.CREATED,
            conversation_id,
            conversation_id,
        ),
        (
            handlers.on_delivery_reported,
            MessageDelivered(message_id=message.pk, delivery_id=1, brand_id=brand_id),
            publish.DELIVERY,
            None,
            message.pk,
        ),
    ]
    template_rendered.connect(on_render)
    try:
        # The signal is live here (pytest-django's test environment instruments templates).
        render_to_string("realtime/_presence.html", {"peers": []})
        assert rendered, "template_rendered is not sent: the check below would prove nothing"
        rendered.clear()
        for handler, event, kind, expected_conversation, object_id in calls:
            with CaptureQueriesContext(connection) as queries:
                handler(event)
            assert len(queries) == 0, (kind, [q["sql"] for q in queries.captured_queries])
            assert rendered == [], kind
            publish.flush()
            received = async_to_sync(layer.receive)(listener)
            assert received == {
                "type": publish.EVENT,
                "event": kind,
                "brand_id": brand_id,
                "conversation_id": expected_conversation,
                "object_id": object_id,
            }
    finally:
        template_rendered.disconnect(on_render)
        async_to_sync(layer.group_discard)(brand_group(brand_id), listener)
    # One message per event, nothing more.
    publish.flush()
    with pytest.raises(TimeoutError):
        async_to_sync(_receive_within)(layer, listener, 0.2)


async def _receive_within(layer: Any, channel: str, seconds: float) -> Any:
    import asyncio

    return await asyncio.wait_for(layer.receive(channel), seconds)


def test_a_merge_announces_the_target_and_the_source_without_query_or_render(
    world: World,
) -> None:
    """Two messages: the target's viewers re-fetch its timeline, the source's get the
    banner (publish.MERGED / MERGED_AWAY carry the other conversation as object_id)."""
    layer = get_channel_layer()
    assert layer is not None
    brand_id = world.insurer.pk
    listener = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(brand_group(brand_id), listener)
    rendered: list[Any] = []

    def on_render(sender: Any, **kwargs: Any) -> None:
        rendered.append(kwargs.get("template"))

    template_rendered.connect(on_render)
    try:
        with CaptureQueriesContext(connection) as queries:
            handlers.on_conversation_merged(
                ConversationMerged(source_id=11, target_id=7, brand_id=brand_id)
            )
        assert len(queries) == 0 and rendered == []
        publish.flush()
        received = [async_to_sync(layer.receive)(listener) for _ in range(2)]
    finally:
        template_rendered.disconnect(on_render)
        async_to_sync(layer.group_discard)(brand_group(brand_id), listener)
    assert [(m["event"], m["conversation_id"], m["object_id"]) for m in received] == [
        (publish.MERGED, 7, 11),
        (publish.MERGED_AWAY, 11, 7),
    ]
