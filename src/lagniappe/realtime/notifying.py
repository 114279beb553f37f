"""Domain events that concern one agent become notifications (written by
staff.notifications, which announces each; on_notification_created pushes it).

Listed in config/wiring.py; run after commit. Unlike handlers.py these read the database:
they run once per event, not per socket. A notification is written only for a recipient who
may see the conversation (their brands), and never for the agent who caused it.
"""

from __future__ import annotations

from lagniappe.conversations.events import ConversationTransferred, MessageReceived, NoteAdded
from lagniappe.conversations.models import Conversation, Direction, Message, Note
from lagniappe.realtime import publish
from lagniappe.staff.events import NotificationCreated
from lagniappe.staff.models import Agent, NotificationKind
from lagniappe.staff.notifications import notification_create
from lagniappe.staff.selectors import agent_scope


def _may_see(agent_id: int, brand_id: int) -> Agent | None:
    agent = Agent.objects.filter(pk=agent_id, is_active=True).first()
    if agent is None or brand_id not in agent_scope(agent).brand_ids:
        return None
    return agent


def _name(agent_id: int | None) -> str:
    if agent_id is None:
        return ""
    agent = Agent.objects.filter(pk=agent_id).only("display_name", "email").first()
    return (agent.display_name or agent.email) if agent else ""


def on_note_added(event: NoteAdded) -> None:
    """Each agent mentioned in a note (but its author) is told."""
    if not event.mentioned_agent_ids:
        return
    author_id = Note.objects.filter(pk=event.note_id).values_list("author_id", flat=True).first()
    author = _name(author_id)
    for agent_id in event.mentioned_agent_ids:
        if agent_id == author_id or _may_see(agent_id, event.brand_id) is None:
            continue
        notification_create(
            recipient_id=agent_id,
            kind=NotificationKind.MENTION,
            conversation_id=event.conversation_id,
            note_id=event.note_id,
            actor_name=author,
        )


def on_conversation_transferred(event: ConversationTransferred) -> None:
    """The receiving agent is told (the handover note's mention becomes this one)."""
    if event.agent_id is None or event.agent_id == event.author_id:
        return
    if _may_see(event.agent_id, event.brand_id) is None:
        return
    notification_create(
        recipient_id=event.agent_id,
        kind=NotificationKind.TRANSFER,
        conversation_id=event.conversation_id,
        note_id=event.note_id,
        actor_name=_name(event.author_id),
    )


def on_message_received(event: MessageReceived) -> None:
    """The customer wrote again in a conversation someone owns: its owner is told. The first
    message of a conversation is not a reply (a new chat's owner hears "assigned"). The event
    says the owner and whether it opened the conversation: no owner, no query."""
    if event.channel_kind:
        if event.assignee_id is None or event.opened:
            return
        assignee_id: int | None = event.assignee_id
    else:  # an event that does not say: look it up
        assignee_id = (
            Conversation.objects.filter(pk=event.conversation_id)
            .values_list("assignee_id", flat=True)
            .first()
        )
    if assignee_id is None:
        return
    earlier = Message.objects.filter(
        conversation_id=event.conversation_id, direction=Direction.INBOUND, pk__lt=event.message_id
    ).exists()
    if not earlier or _may_see(assignee_id, event.brand_id) is None:
        return
    notification_create(
        recipient_id=assignee_id,
        kind=NotificationKind.CUSTOMER_REPLIED,
        conversation_id=event.conversation_id,
    )


def on_notification_created(event: NotificationCreated) -> None:
    """No query: the recipient's sockets load and render it themselves."""
    publish.announce_notification(event.recipient_id, event.notification_id)
