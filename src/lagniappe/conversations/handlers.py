"""Reactions of conversations to other apps' events (listed in config/wiring.py)."""

from __future__ import annotations

from lagniappe.conversations import search_documents
from lagniappe.customers.events import CustomerChanged


def on_customer_changed(event: CustomerChanged) -> None:
    """The customer's conversations are found by their new name and handles."""
    search_documents.documents_customer_refresh(event.customer_id)
