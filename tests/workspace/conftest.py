"""Conversations made through the real inbound funnel, and agents signed in with a session."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from lagniappe.channels import inbound
from lagniappe.channels.models import Endpoint
from lagniappe.conversations.models import Conversation, Message
from lagniappe.staff.models import Agent

Inbound = Callable[..., Conversation]


@pytest.fixture
def inbound_conversation(run_tasks: Callable[[], int]) -> Inbound:
    """Post one customer message through channels.inbound.accept and the worker; return its
    conversation."""
    counter = iter(range(1, 1_000_000))

    def make(
        endpoint: Endpoint,
        *,
        text: str = "我的理賠進度如何？",
        email: str = "chen@example.tw",
        name: str = "陳小姐",
        subject: str = "",
        language: str = "",
        phone: str = "",
        **extra: Any,
    ) -> Conversation:
        customer = {"email": email, "name": name, **({"phone": phone} if phone else {})}
        body = {
            "customer": customer,
            "text": text,
            "subject": subject,
            "language": language,
            "external_id": f"ws-{next(counter)}",
            **extra,
        }
        envelope = inbound.accept(
            endpoint=endpoint, raw=json.dumps(body, ensure_ascii=False).encode()
        )
        run_tasks()
        envelope.refresh_from_db()
        assert envelope.message_ids, envelope.error
        return Message.objects.get(pk=envelope.message_ids[0]).conversation

    return make


@pytest.fixture
def signed_in() -> Callable[[Agent], Client]:
    def make(agent: Agent) -> Client:
        client = Client()
        client.force_login(agent)
        return client

    return make


def htmx(client: Client) -> dict[str, str]:
    return {"HTTP_HX_REQUEST": "true"}


class _FieldsAndLabels(HTMLParser):
    """Collects every form control and every label of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.label_for.add(str(attributes["for"]))
        elif tag in ("input", "select", "textarea"):
            if attributes.get("type") in ("hidden", "submit", "button"):
                return
            self.controls.append({**attributes, "_wrapped": "1" if self.label_depth else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1


def assert_every_field_labelled(html: str) -> int:
    """Every visible form control has a <label> (by `for` or by wrapping). Returns how many
    controls were checked, so a test can also insist the page had some."""
    parser = _FieldsAndLabels()
    parser.feed(html)
    unlabelled = [
        c
        for c in parser.controls
        if not c["_wrapped"] and (c.get("id") or "") not in parser.label_for
    ]
    assert unlabelled == [], f"form controls without a label: {unlabelled}"
    return len(parser.controls)
