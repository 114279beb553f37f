"""Conversations made through the real inbound funnel (the API endpoint of a brand)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from lagniappe.channels import inbound
from lagniappe.channels.models import Endpoint
from lagniappe.conversations.models import Conversation, Message

Inbound = Callable[..., Conversation]


@pytest.fixture
def opened(run_tasks: Callable[[], int]) -> Inbound:
    counter = iter(range(1, 1_000_000))

    def make(
        endpoint: Endpoint, *, text: str = "Where is my claim?", email: str = "", **extra: Any
    ) -> Conversation:
        number = next(counter)
        body = {
            "customer": {"email": email or f"c{number}@example.org", "name": f"C{number}"},
            "text": text,
            "external_id": f"merge-{number}",
            **extra,
        }
        envelope = inbound.accept(endpoint=endpoint, raw=json.dumps(body).encode())
        run_tasks()
        envelope.refresh_from_db()
        assert envelope.message_ids, envelope.error
        return Message.objects.get(pk=envelope.message_ids[0]).conversation

    return make
