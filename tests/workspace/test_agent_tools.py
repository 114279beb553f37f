"""Chat capacity, unread counts and notifications in the workspace pages."""

from __future__ import annotations

import re

from lagniappe.conversations.models import Conversation
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.models import Notification, NotificationKind, Role
from lagniappe.staff.services import agent_create


def _status(html: str) -> str:
    match = re.search(r'<div id="agent-status".*?</div>', html, re.S)
    assert match, "the header shows the agent's status"
    return re.sub(r"\s+", " ", match.group(0))


def _unread_badge(html: str, conversation_id: int) -> str | None:
    row = re.search(rf'<tr id="conversation-row-{conversation_id}".*?</tr>', html, re.S)
    assert row
    badge = re.search(r'class="unread-count"[^>]*>(\d+)<', row.group(0))
    return badge.group(1) if badge else None


def _supervisor(world, brands=None):  # type: ignore[no-untyped-def]
    return agent_create(
        actor=SYSTEM,
        organisation=world.organisation,
        email="boss@insurer.test",
        display_name="Boss",
        role=Role.SUPERVISOR,
        brands=brands if brands is not None else [world.insurer],
    )


def test_header_and_board_show_chat_load_against_capacity(world, signed_in):  # type: ignore[no-untyped-def]
    page = signed_in(world.insurer_agent).get("/").content.decode()
    assert "Chats 0/3" in _status(page)
    board = signed_in(_supervisor(world)).get("/supervisor").content.decode()
    row = re.search(rf'<tr id="board-agent-{world.insurer_agent.pk}".*?</tr>', board, re.S)
    assert row and "0/3" in row.group(0)
    assert f"/agents/{world.insurer_agent.pk}/settings" in row.group(0)


def test_a_supervisor_sets_an_agents_capacity_in_the_workspace(world, signed_in):  # type: ignore[no-untyped-def]
    boss = signed_in(_supervisor(world))
    url = f"/agents/{world.insurer_agent.pk}/settings"
    assert 'name="chat_capacity"' in boss.get(url).content.decode()
    assert boss.post(url, {"chat_capacity": "5"}).status_code == 302
    world.insurer_agent.refresh_from_db()
    assert world.insurer_agent.chat_capacity == 5
    assert "Chats 0/5" in _status(signed_in(world.insurer_agent).get("/").content.decode())
    # Bad input is refused with the form, nothing written.
    answer = boss.post(url, {"chat_capacity": "-1"})
    assert answer.status_code == 200 and 'class="error"' in answer.content.decode()
    world.insurer_agent.refresh_from_db()
    assert world.insurer_agent.chat_capacity == 5
    # An agent may not; a supervisor does not reach another brand's agent.
    assert signed_in(world.insurer_agent).get(url).status_code == 403
    assert signed_in(world.bank_agent).post(url, {"chat_capacity": "9"}).status_code == 403
    assert boss.get(f"/agents/{world.bank_agent.pk}/settings").status_code == 404


def test_unread_customer_messages_per_row_and_in_the_header(  # type: ignore[no-untyped-def]
    world, signed_in, inbound_conversation
):
    conversation = inbound_conversation(world.insurer_api, text="第一則")
    Conversation.objects.filter(pk=conversation.pk).update(assignee=world.insurer_agent)
    inbound_conversation(world.insurer_api, text="第二則", conversation_id=conversation.pk)
    mei, admin = signed_in(world.insurer_agent), signed_in(world.admin)
    inbox = mei.get("/?view=mine").content.decode()
    assert _unread_badge(inbox, conversation.pk) == "2"
    assert "2 unread" in _status(inbox)
    mei.get(f"/conversations/{conversation.pk}")  # read
    inbox = mei.get("/?view=mine").content.decode()
    assert _unread_badge(inbox, conversation.pk) is None
    assert "0 unread" in _status(inbox)
    # Per agent: the administrator has not read it.
    assert _unread_badge(admin.get("/?view=open").content.decode(), conversation.pk) == "2"
    inbound_conversation(world.insurer_api, text="第三則", conversation_id=conversation.pk)
    assert _unread_badge(mei.get("/?view=mine").content.decode(), conversation.pk) == "1"


def test_a_mention_notifies_and_opening_the_conversation_reads_it(  # type: ignore[no-untyped-def]
    world, signed_in, inbound_conversation, django_capture_on_commit_callbacks
):
    conversation = inbound_conversation(world.insurer_api)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(world.admin).post(
            f"/conversations/{conversation.pk}/note", {"text": "@mei 請看一下"}
        )
    notification = Notification.objects.get()
    assert (notification.recipient_id, notification.kind) == (
        world.insurer_agent.pk,
        NotificationKind.MENTION,
    )
    mei = signed_in(world.insurer_agent)
    page = mei.get("/").content.decode()
    assert f'id="notification-{notification.pk}"' in page
    assert "Mentioned you" in page and f'href="/conversations/{conversation.pk}"' in page
    assert 'class="badge">1<' in _status(page)
    mei.get(f"/conversations/{conversation.pk}")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_notifications_page_marks_and_scoping(world, signed_in, inbound_conversation):  # type: ignore[no-untyped-def]
    from lagniappe.staff.notifications import notification_create

    conversation = inbound_conversation(world.insurer_api)
    kinds = (NotificationKind.MENTION, NotificationKind.CUSTOMER_REPLIED)
    made = [
        notification_create(
            recipient_id=world.insurer_agent.pk, kind=kind, conversation_id=conversation.pk
        )
        for kind in kinds
    ]
    first, second = (n for n in made if n is not None)
    mei, bank = signed_in(world.insurer_agent), signed_in(world.bank_agent)
    page = mei.get("/notifications").content.decode()
    assert f'id="notification-{first.pk}"' in page and f'id="notification-{second.pk}"' in page
    assert 'id="notification-' not in bank.get("/notifications").content.decode()
    # Another agent's notification does not exist for them.
    assert bank.post(f"/notifications/{first.pk}/read").status_code == 404
    answer = mei.post(f"/notifications/{first.pk}/read", HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert f'id="notification-{first.pk}" class="notification"' in html
    assert 'hx-swap-oob="true"' in html and 'class="badge">1<' in html
    assert mei.post("/notifications/read-all").status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_a_transfer_notifies_the_receiver_once(  # type: ignore[no-untyped-def]
    world, signed_in, inbound_conversation, django_capture_on_commit_callbacks
):
    colleague = agent_create(
        actor=SYSTEM,
        organisation=world.organisation,
        email="lee@insurer.example",
        display_name="Lee",
        brands=[world.insurer],
    )
    conversation = inbound_conversation(world.insurer_api)
    client = signed_in(world.insurer_agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/conversations/{conversation.pk}/transfer",
            {"version": conversation.version, "target": f"agent:{colleague.pk}", "note": "交給你"},
        )
    conversation.refresh_from_db()
    assert conversation.assignee_id == colleague.pk
    [notification] = Notification.objects.all()
    assert (notification.recipient_id, notification.kind, notification.actor_name) == (
        colleague.pk,
        NotificationKind.TRANSFER,
        world.insurer_agent.display_name,
    )


def test_the_owner_hears_when_the_customer_replies(  # type: ignore[no-untyped-def]
    world, inbound_conversation, django_capture_on_commit_callbacks
):
    conversation = inbound_conversation(world.insurer_api)
    Conversation.objects.filter(pk=conversation.pk).update(assignee=world.insurer_agent)
    with django_capture_on_commit_callbacks(execute=True):
        inbound_conversation(world.insurer_api, text="還在嗎", conversation_id=conversation.pk)
    [notification] = Notification.objects.all()
    assert (notification.recipient_id, notification.kind) == (
        world.insurer_agent.pk,
        NotificationKind.CUSTOMER_REPLIED,
    )


def test_notification_choices_on_the_preferences_page(world, signed_in):  # type: ignore[no-untyped-def]
    client = signed_in(world.insurer_agent)
    page = client.get("/preferences").content.decode()
    assert 'name="notify_desktop"' in page and 'name="notify_sound"' in page
    client.post("/preferences/notifications", {"notify_sound": "on"})
    world.insurer_agent.refresh_from_db()
    assert (world.insurer_agent.notify_desktop, world.insurer_agent.notify_sound) == (False, True)
    page = client.get("/").content.decode()
    assert 'data-sound="1" data-desktop="0"' in page


def test_canned_responses_in_the_composer_with_placeholders_escaped(  # type: ignore[no-untyped-def]
    world, signed_in, inbound_conversation
):
    from lagniappe.staff.services import canned_response_create

    canned_response_create(
        actor=SYSTEM,
        brand=world.insurer,
        shortcut="thanks",
        title="感謝",
        text="{{customer.name}} 您好，我是{{agent.name}}。",
    )
    canned_response_create(actor=SYSTEM, brand=world.bank, shortcut="bank", title="x", text="y")
    conversation = inbound_conversation(world.insurer_api, name="<script>alert(1)</script>")
    page = signed_in(world.insurer_agent).get(f"/conversations/{conversation.pk}").content.decode()
    assert 'id="canned-pick"' in page and 'for="canned-pick"' in page
    assert 'data-text="&lt;script&gt;alert(1)&lt;/script&gt; 您好，我是林美惠。"' in page
    assert 'value="bank"' not in page
    assert "workspace/canned.js" in page
