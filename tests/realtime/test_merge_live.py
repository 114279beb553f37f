"""A merge reaches the agents who have either conversation open, without a reload: the
target's page is told to re-fetch its timeline and controls, the source's page gets the
"merged into" banner — the same partial its fresh render shows, in that agent's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from lagniappe.config.asgi import application
from lagniappe.conversations.merging import conversation_merge
from lagniappe.conversations.models import Conversation, Message
from lagniappe.core.actors import SYSTEM, Actor
from lagniappe.realtime.fragments import MERGED_BANNER_ID
from lagniappe.staff.services import agent_preferences_set
from tests.conftest import World
from tests.realtime.conftest import (
    communicator,
    drain,
    page_squeezed,
    session_cookie,
    squeezed,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_viewers_of_the_target_and_the_source_are_told_of_a_merge(
    world: World, post_inbound: Callable[..., Message]
) -> None:
    agent_preferences_set(
        actor=SYSTEM, agent=world.insurer_agent, ui_language="ja", time_zone="Asia/Tokyo"
    )
    target = post_inbound(world.insurer_api, text="第一則").conversation
    source = post_inbound(world.insurer_api, text="第二則").conversation
    assert source.pk != target.pk
    mei, admin = world.insurer_agent, world.admin
    frames: dict[str, list[dict[str, Any]]] = {}

    def merge() -> None:
        conversation_merge(
            actor=Actor.agent(admin.pk, admin.display_name),
            source=Conversation.objects.get(pk=source.pk),
            target=Conversation.objects.get(pk=target.pk),
        )

    cookies = [session_cookie(agent) for agent in (mei, admin, world.bank_agent)]

    async def scenario() -> None:
        on_source, on_target, bank = (communicator(application, c) for c in cookies)
        for socket in (on_source, on_target, bank):
            assert (await socket.connect())[0]
        await on_source.send_json_to({"type": "subscribe", "conversation_id": source.pk})
        await on_target.send_json_to({"type": "subscribe", "conversation_id": target.pk})
        for socket in (on_source, on_target, bank):
            await drain(socket)
        await database_sync_to_async(merge)()
        frames["source"] = await drain(on_source)
        frames["target"] = await drain(on_target)
        frames["bank"] = await drain(bank, timeout=0.2)
        for socket in (on_source, on_target, bank):
            await socket.disconnect()

    async_to_sync(scenario)()

    assert frames["bank"] == []
    # The target's viewer re-fetches the whole timeline (moved messages fall among its own)
    # and its controls; the source's banner is not theirs.
    by_kind = {(f["kind"], f.get("conversation_id")) for f in frames["target"]}
    assert {("timeline", target.pk), ("controls", target.pk)} <= by_kind
    assert not [f for f in frames["target"] if f["kind"] == "merged"]
    timeline = [f for f in frames["target"] if f["kind"] == "timeline"]
    assert len(timeline) == 1 and timeline[0]["html"] == ""
    target_page = page_squeezed(admin, f"/conversations/{target.pk}")
    assert "第一則" in target_page and "第二則" in target_page

    # The source's viewer gets the banner: the partial of the page's own fresh render, in
    # Japanese, linking to the conversation that remains.
    banners = [f for f in frames["source"] if f["kind"] == "merged"]
    assert len(banners) == 1, frames["source"]
    banner = banners[0]
    assert banner["element_id"] == MERGED_BANNER_ID and banner["conversation_id"] == source.pk
    html = squeezed(banner["html"])
    assert f'id="{MERGED_BANNER_ID}"' in html
    assert f'href="/conversations/{target.pk}"' in html
    assert "統合" in html  # in the agent's language
    assert html in page_squeezed(mei, f"/conversations/{source.pk}")
    assert not [f for f in frames["source"] if f["kind"] == "timeline"]
