"""Build the demo: Harbour Group, its insurer and bank, staff, customers and conversations.

Everything goes through the services an administrator, a channel or an agent would use, so
the demo exercises the real code paths (audit trail, events, outbound deliveries included).
Deterministic for a given seed. One transaction: a failed build leaves nothing behind.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from lagniappe.core import clock
from lagniappe.demo import names
from lagniappe.demo.articles import articles_build
from lagniappe.demo.conversations import conversation_age, conversation_build
from lagniappe.demo.people import customer_build
from lagniappe.demo.staff import ORGANISATION_SLUG, Login, demo_logins, staff_build
from lagniappe.tenancy.models import Organisation


@dataclass
class DemoResult:
    created: bool
    organisation: Organisation
    logins: list[Login]
    customers: int = 0
    conversations: int = 0
    seconds: float = 0.0


def demo_exists() -> Organisation | None:
    return Organisation.objects.filter(slug=ORGANISATION_SLUG).first()


def demo_build(
    *,
    customers: int = 200,
    conversations: int = 1000,
    seed: int = 2024,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Create the demo, or do nothing when its organisation exists already."""
    existing = demo_exists()
    if existing is not None:
        return DemoResult(created=False, organisation=existing, logins=demo_logins())
    started = clock.now()
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    report = progress or (lambda _message: None)
    with transaction.atomic():
        staff = staff_build()
        articles_build(staff.brands)
        report(gettext("staff, teams and endpoints ready; creating %d customers") % customers)
        phones_used: set[str] = set()
        people = [customer_build(rng, staff, i, phones_used) for i in range(customers)]
        report(gettext("creating %d conversations") % conversations)
        now = clock.now()
        times = sorted(now - conversation_age(rng) for _ in range(conversations))
        # A few customers write far more often than the rest, as in real life.
        weights = [8 if index % 10 == 0 else 1 for index in range(len(people))]
        for index, when in enumerate(times):
            person = rng.choices(people, weights)[0]
            if index < min(len(people), len(names.LANGUAGE_WEIGHTS)):
                person = people[index]
            conversation_build(rng, staff, person, index, when, now, seed)
            if (index + 1) % 250 == 0:
                report(gettext("%d conversations") % (index + 1))
    elapsed = (clock.now() - started).total_seconds()
    return DemoResult(
        created=True,
        organisation=staff.organisation,
        logins=demo_logins(),
        customers=len(people),
        conversations=conversations,
        seconds=elapsed,
    )
