"""The demo's conversations: received through the inbound funnel's services, answered,
assigned, tagged and moved through their statuses as agents would."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from lagniappe.conversations.changes import (
    conversation_assign,
    conversation_set_priority,
    conversation_set_status,
    conversation_set_tags,
)
from lagniappe.conversations.contracts import ReceivedMessage
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.receiving import message_receive
from lagniappe.conversations.services import message_send
from lagniappe.conversations.states import Status
from lagniappe.core.actors import Actor
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.customers.identities import IdentityClaim
from lagniappe.customers.models import IdentityKind
from lagniappe.customers.services import identity_resolve
from lagniappe.demo.people import DemoCustomer
from lagniappe.demo.staff import ACTOR, CHANNEL_WEIGHTS, Staff
from lagniappe.demo.texts import FOLLOW_UPS, REPLIES, TOPICS, Topic
from lagniappe.staff.models import Agent, Team

DAYS = 90


def _claims_for(person: DemoCustomer, kind: str, brand: str) -> list[IdentityClaim]:
    email = IdentityClaim(IdentityKind.EMAIL, person.email)
    phone = IdentityClaim(IdentityKind.PHONE, person.phone)
    if kind == ChannelKind.EMAIL:
        return [email]
    if kind == ChannelKind.VOICE:
        return [phone]
    if kind == ChannelKind.CHAT:
        return [email] if person.customer.pk % 2 else [phone]
    if kind == ChannelKind.API:
        crm_id = person.crm_ids.setdefault(brand, f"{brand[:3].upper()}-{person.customer.pk:06d}")
        return [IdentityClaim(IdentityKind.EXTERNAL_ID, crm_id, brand_scoped=True), email]
    return [email, phone]


def conversation_age(rng: random.Random) -> timedelta:
    # Busier lately, so the inbox has fresh work in it as well as history.
    days = rng.uniform(0, 7) if rng.random() < 0.3 else rng.uniform(0, DAYS)
    return timedelta(days=days)


def _final_status(rng: random.Random, age: timedelta) -> str:
    if age > timedelta(days=14):
        options = {
            Status.CLOSED: 40,
            Status.RESOLVED: 35,
            Status.PENDING: 10,
            Status.ON_HOLD: 8,
            Status.OPEN: 7,
        }
    elif age > timedelta(days=2):
        options = {
            Status.OPEN: 20,
            Status.PENDING: 25,
            Status.ON_HOLD: 10,
            Status.RESOLVED: 35,
            Status.CLOSED: 10,
        }
    else:
        options = {Status.NEW: 40, Status.OPEN: 30, Status.PENDING: 15, Status.RESOLVED: 15}
    return rng.choices(list(options), list(options.values()))[0]


def _assignee(
    rng: random.Random, staff: Staff, brand: str, topic: Topic, language: str
) -> tuple[Agent, Team]:
    team_key = (
        "complaints" if topic.complaint else ("claims" if brand == "insurance" else "banking")
    )
    candidates = [
        agent
        for agent, member in staff.agents
        if brand in member.brands and team_key in member.teams
    ]
    speakers = [
        agent
        for agent, member in staff.agents
        if agent in candidates and any(code == language for code, _ in member.languages)
    ]
    return rng.choice(speakers or candidates), staff.teams[team_key]


def conversation_build(
    rng: random.Random,
    staff: Staff,
    person: DemoCustomer,
    index: int,
    when: datetime,
    now: datetime,
    seed: int,
) -> None:
    brand_key = rng.choice(person.brands)
    brand = staff.brands[brand_key]
    topic = rng.choice(TOPICS[brand_key])
    kinds = list(CHANNEL_WEIGHTS)
    kind = rng.choices(kinds, list(CHANNEL_WEIGHTS.values()))[0]
    if index < len(kinds):  # every channel, however small the demo
        kind = kinds[index]
    endpoint = staff.endpoints[(brand_key, kind)]
    language = person.language
    subject, text = topic.texts[language]
    text = text.format(
        policy=f"P{rng.randrange(10**7, 10**8)}", account=f"{rng.randrange(10**9, 10**10)}"
    )
    customer_actor = Actor.customer(person.name)
    customer = identity_resolve(
        actor=customer_actor,
        organisation_id=staff.organisation.pk,
        brand_id=brand.pk,
        claims=_claims_for(person, kind, brand_key),
        name=person.name,
        language=language,
    )
    message = message_receive(
        actor=customer_actor,
        received=ReceivedMessage(
            brand_id=brand.pk,
            endpoint_id=endpoint.pk,
            channel_kind=kind,
            customer_id=customer.pk,
            external_id=f"demo-{seed}-{index}",
            text=text,
            subject=subject if kind in (ChannelKind.EMAIL, ChannelKind.WEBFORM) else "",
            language=language,
            received_at=when,
        ),
    )
    conversation: Conversation = message.conversation
    status = _final_status(rng, now - when)
    priority = topic.priority
    if rng.random() < 0.15:
        priority = min(priority + 1, 4)
    if priority != conversation.priority:
        conversation = conversation_set_priority(
            actor=ACTOR, conversation=conversation, priority=priority
        )
    tags = list(topic.tags)
    if rng.random() < 0.08:
        tags.append("vip")
    conversation = conversation_set_tags(actor=ACTOR, conversation=conversation, tags=tags)
    agent, team = _assignee(rng, staff, brand_key, topic, language)
    if status == Status.NEW:
        if rng.random() < 0.5:
            conversation_assign(
                actor=ACTOR, conversation=conversation, assignee_id=None, team_id=team.pk
            )
        return
    agent_actor = Actor.agent(agent.pk, agent.display_name)
    conversation = conversation_assign(
        actor=agent_actor, conversation=conversation, assignee_id=agent.pk, team_id=team.pk
    )
    replies = REPLIES[language]
    message_send(
        actor=agent_actor,
        conversation=conversation,
        author_id=agent.pk,
        text=replies[0].format(name=person.name),
    )
    if rng.random() < 0.35:
        follow_up = rng.choice(FOLLOW_UPS[language]).format(phone=person.phone)
        message_receive(
            actor=customer_actor,
            received=ReceivedMessage(
                brand_id=brand.pk,
                endpoint_id=endpoint.pk,
                channel_kind=kind,
                customer_id=customer.pk,
                external_id=f"demo-{seed}-{index}-follow-up",
                text=follow_up,
                language=language,
                received_at=min(when + timedelta(hours=rng.uniform(1, 30)), now),
                thread_conversation_id=conversation.pk,
            ),
        )
    if status in (Status.RESOLVED, Status.CLOSED):
        message_send(
            actor=agent_actor,
            conversation=conversation,
            author_id=agent.pk,
            text=replies[1].format(name=person.name),
        )
    if status != Status.OPEN:
        if status == Status.CLOSED and rng.random() < 0.5:
            conversation_set_status(
                actor=agent_actor, conversation=conversation, status=Status.RESOLVED
            )
        conversation_set_status(actor=agent_actor, conversation=conversation, status=status)
