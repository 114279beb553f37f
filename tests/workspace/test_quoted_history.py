"""An email's quoted history and signature are folded away behind a toggle; other channels'
words are shown as the customer typed them."""

from __future__ import annotations

from lagniappe.conversations.models import Message

REPLY = (
    "請問保單什麼時候生效？\n\n"
    "在 2026年11月20日 週五 10:02，Harbour Insurance <care@example.com> 寫道：\n"
    "> 您好，已收到您的申請。\n"
    "> 祝好"
)
TOGGLE = "Show the whole message, with quoted text and signature"


def _page(world, signed_in, conversation) -> str:
    page = signed_in(world.insurer_agent).get(f"/conversations/{conversation.pk}")
    assert page.status_code == 200
    return page.content.decode()


def test_an_emails_quoted_history_is_folded(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api, text=REPLY)
    Message.objects.filter(conversation=conversation).update(channel_kind="email")
    html = _page(world, signed_in, conversation)
    new_part, folded = html.split('<details class="quoted">', 1)
    assert "請問保單什麼時候生效？" in new_part.rsplit('<article id="message-', 1)[1]
    assert "已收到您的申請" not in new_part.rsplit('<article id="message-', 1)[1]
    assert TOGGLE in folded and "已收到您的申請" in folded.split("</details>", 1)[0]


def test_a_chat_or_api_message_with_quote_marks_is_shown_whole(
    world, signed_in, inbound_conversation
):
    conversation = inbound_conversation(world.insurer_api, text=REPLY)
    html = _page(world, signed_in, conversation)
    assert TOGGLE not in html and "已收到您的申請" in html


def test_an_email_without_history_is_shown_as_it_is(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api, text="只有一句話，沒有引用。")
    Message.objects.filter(conversation=conversation).update(channel_kind="email")
    html = _page(world, signed_in, conversation)
    assert TOGGLE not in html and "只有一句話，沒有引用。" in html
