"""Shared fixtures: a small world of two brands, their agents and endpoints, built by services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django_tasks_db.models import DBTaskResult

from lagniappe.channels.models import Endpoint
from lagniappe.channels.selectors import endpoint_cache_clear
from lagniappe.channels.services import api_key_create, endpoint_create
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.models import Agent, Role
from lagniappe.staff.services import agent_create, team_create, token_create
from lagniappe.tenancy.models import Brand, Organisation
from lagniappe.tenancy.services import brand_create, organisation_create


@dataclass
class World:
    organisation: Organisation
    insurer: Brand
    bank: Brand
    insurer_agent: Agent
    bank_agent: Agent
    admin: Agent
    insurer_token: str
    bank_token: str
    admin_token: str
    insurer_api: Endpoint
    insurer_api_key: str
    bank_api: Endpoint
    bank_api_key: str
    insurer_form: Endpoint


@pytest.fixture(autouse=True)
def _process_caches_forgotten() -> None:
    """Each test starts with empty per-process caches: ids repeat across rolled-back tests."""
    endpoint_cache_clear()


@pytest.fixture
def world(db: None) -> World:
    organisation = organisation_create(actor=SYSTEM, name="Harbour Group", slug="harbour")
    insurer = brand_create(
        actor=SYSTEM,
        organisation=organisation,
        name="Harbour Insurance",
        slug="insurance",
        default_language="zh-Hant",
    )
    bank = brand_create(
        actor=SYSTEM,
        organisation=organisation,
        name="Harbour Bank",
        slug="bank",
        default_language="ja",
    )
    insurer_agent = agent_create(
        actor=SYSTEM,
        organisation=organisation,
        email="mei@insurer.test",
        display_name="林美惠",
        password="pw-insurer",
        brands=[insurer],
        languages=[("zh-Hant", "native")],
    )
    bank_agent = agent_create(
        actor=SYSTEM,
        organisation=organisation,
        email="taro@bank.test",
        display_name="山田太郎",
        password="pw-bank",
        brands=[bank],
        languages=[("ja", "native")],
    )
    admin = agent_create(
        actor=SYSTEM,
        organisation=organisation,
        email="admin@harbour.test",
        display_name="Admin",
        password="pw-admin",
        role=Role.ADMIN,
    )
    team_create(
        actor=SYSTEM,
        organisation=organisation,
        name="Claims",
        slug="claims",
        brands=[insurer],
        members=[insurer_agent],
    )
    _, insurer_token = token_create(actor=SYSTEM, agent=insurer_agent)
    _, bank_token = token_create(actor=SYSTEM, agent=bank_agent)
    _, admin_token = token_create(actor=SYSTEM, agent=admin)
    insurer_api, insurer_api_key = api_key_create(actor=SYSTEM, brand=insurer, name="CRM")
    bank_api, bank_api_key = api_key_create(actor=SYSTEM, brand=bank, name="Core banking")
    insurer_form = endpoint_create(actor=SYSTEM, brand=insurer, kind="webform", name="Contact form")
    return World(
        organisation,
        insurer,
        bank,
        insurer_agent,
        bank_agent,
        admin,
        insurer_token,
        bank_token,
        admin_token,
        insurer_api,
        insurer_api_key,
        bank_api,
        bank_api_key,
        insurer_form,
    )


def _run_ready_tasks(limit: int = 1000) -> int:
    """Run queued background tasks in this process, as the worker would. Returns how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="pytest",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        result = DBTaskResult.objects.ready().order_by("enqueued_at").first()
        if result is None:
            break
        result.claim("pytest")
        worker.run_task(result)
        ran += 1
    return ran


@pytest.fixture
def run_tasks() -> Callable[[], int]:
    return _run_ready_tasks


__all__ = ["World"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser journeys run last: Playwright's sync API keeps an event loop running in the
    main thread for the rest of the session, where asgiref's AsyncToSync then refuses to run
    (the realtime tests drive their consumers through it)."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
