"""The visitor's pages: reported on connect, on navigation and while polling; bounded, http(s)
only; shown to agents of the conversation's brand in the side panel, escaped."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.urls import reverse

from lagniappe.channels.chat.limits import limits_reset
from lagniappe.channels.chat.models import VisitorState
from lagniappe.channels.chat.selectors import visitor_panel_for_conversation
from lagniappe.channels.chat.visits import MAX_PAGES, page_checked, visitor_page_record
from lagniappe.channels.models import Endpoint
from lagniappe.config.asgi import application
from lagniappe.conversations.models import Message
from lagniappe.staff.selectors import agent_scope
from tests.channels.chat.conftest import session_token, visitor_socket
from tests.conftest import World

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_limits() -> None:
    limits_reset()


def _pages(chat: Endpoint, token: str) -> list[dict[str, str]]:
    visitor = token.split(".", 1)[0]
    return list(VisitorState.objects.get(endpoint=chat, visitor=visitor).pages)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "ftp://x.test/",
        "/relative",
        "http://",
        "https://x.test/" + "a" * 2001,
        "https://x.test/\nnext",
        42,
        None,
    ],
)
def test_only_http_pages_are_kept(url: object) -> None:
    assert page_checked(url, "t") is None


def test_socket_reports_pages_on_connect_and_navigation(world: World, chat: Endpoint) -> None:
    token = session_token(chat.public_key)
    page = quote("https://shop.test/plans?id=1", safe="")

    async def scenario() -> int:
        socket = visitor_socket(
            application, chat.public_key, token, extra=f"&page={page}&title=Plans%20%3Cb%3E"
        )
        assert (await socket.connect())[0]
        await socket.send_json(
            {"type": "page", "url": "https://shop.test/plans#travel", "title": "Travel plan"}
        )
        await socket.send_json({"type": "page", "url": "javascript:alert(1)", "title": "x"})
        refused = await socket.until("error")
        assert refused["code"] == "invalid_page"
        await socket.send_json({"type": "message", "client_id": "m-1", "text": "Which plan?"})
        ack = await socket.until("ack")
        await socket.disconnect()
        return int(ack["seq"])

    seq = async_to_sync(scenario)()
    pages = _pages(chat, token)
    assert [(p["url"], p["title"]) for p in pages] == [
        ("https://shop.test/plans?id=1", "Plans <b>"),
        ("https://shop.test/plans#travel", "Travel plan"),
    ]
    conversation_id = Message.objects.get(pk=seq).conversation_id

    # The agent of the brand sees them, escaped, as links that leak nothing.
    client = Client()
    client.force_login(world.insurer_agent)
    html = client.get(
        reverse("workspace:conversation-detail", args=[conversation_id])
    ).content.decode()
    assert "Plans &lt;b&gt;" in html and "Plans <b>" not in html
    assert (
        'href="https://shop.test/plans#travel" target="_blank" rel="noopener noreferrer nofollow"'
        in html
    )
    assert "javascript:" not in html
    panel = visitor_panel_for_conversation(agent_scope(world.insurer_agent), conversation_id)
    assert panel is not None and panel.current is not None
    assert panel.current.url == "https://shop.test/plans#travel"
    # Another brand's agent: nothing (and the page itself is a 404).
    assert visitor_panel_for_conversation(agent_scope(world.bank_agent), conversation_id) is None


def test_pages_are_bounded_and_repeats_collapse(world: World, chat: Endpoint) -> None:
    for number in range(MAX_PAGES + 5):
        assert visitor_page_record(
            endpoint=chat, visitor="v1", url=f"https://shop.test/{number}", title=f"P{number}"
        )
    visitor_page_record(endpoint=chat, visitor="v1", url="https://shop.test/24", title="P24")
    pages = VisitorState.objects.get(endpoint=chat, visitor="v1").pages
    assert len(pages) == MAX_PAGES
    assert pages[0]["url"] == "https://shop.test/5" and pages[-1]["url"] == "https://shop.test/24"


def test_polling_reports_the_page(world: World, chat: Endpoint) -> None:
    token = session_token(chat.public_key)
    response = Client().post(
        f"/chat/{chat.public_key}/poll",
        data=json.dumps(
            {"token": token, "last_seq": 0, "page": "https://shop.test/faq", "title": "FAQ"}
        ),
        content_type="text/plain",
        headers={"origin": "http://testserver"},
    )
    assert response.status_code == 200
    assert [p["title"] for p in _pages(chat, token)] == ["FAQ"]


def test_no_panel_for_a_conversation_without_pages(world: World, chat: Endpoint) -> None:
    async def scenario(token: str) -> int:
        socket = visitor_socket(application, chat.public_key, token)
        assert (await socket.connect())[0]
        await socket.send_json({"type": "message", "client_id": "m-1", "text": "hi"})
        ack = await socket.until("ack")
        await socket.disconnect()
        return int(ack["seq"])

    seq = async_to_sync(scenario)(session_token(chat.public_key))
    conversation_id = Message.objects.get(pk=seq).conversation_id
    assert visitor_panel_for_conversation(agent_scope(world.insurer_agent), conversation_id) is None
