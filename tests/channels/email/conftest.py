"""Email endpoints on the shared world, and the .eml corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from lagniappe.channels.models import Endpoint
from lagniappe.channels.services import endpoint_create
from lagniappe.core.actors import SYSTEM

CORPUS = Path(__file__).parent / "corpus"


def eml(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture
def mailbox(world) -> Endpoint:
    return endpoint_create(
        actor=SYSTEM,
        brand=world.insurer,
        kind="email",
        name="Support",
        settings={"address": "support@insurer.test"},
    )


@pytest.fixture
def claims_mailbox(world) -> Endpoint:
    return endpoint_create(
        actor=SYSTEM,
        brand=world.insurer,
        kind="email",
        name="Claims",
        settings={"address": "claims@insurer.test"},
    )


@pytest.fixture
def no_subject_threading(settings) -> None:
    """Subject threading off, so a test proves that the header it is about did the work."""
    settings.LAGNIAPPE_EMAIL_SUBJECT_THREAD_DAYS = 0


@pytest.fixture
def readings_from_worker(monkeypatch) -> list[int]:
    """Every batch big enough goes to the reading worker (MIN_BATCH 1); the list gets, for
    each ReadingAhead closed, how many of its readings came from the worker."""
    from lagniappe.channels import reading_ahead

    monkeypatch.setattr(reading_ahead, "MIN_BATCH", 1)
    counts: list[int] = []
    close = reading_ahead.ReadingAhead.close

    def close_counting(self: reading_ahead.ReadingAhead) -> None:
        counts.append(self.from_worker)
        close(self)

    monkeypatch.setattr(reading_ahead.ReadingAhead, "close", close_counting)
    return counts
