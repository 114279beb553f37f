"""Background work of the channel funnels (django-tasks; the worker runs them)."""

from __future__ import annotations

from django_tasks import task

from lagniappe.channels import inbound, outbound


@task()
def process_envelope_task(envelope_id: int) -> int:
    return len(inbound.process_envelope(envelope_id))


@task()
def deliver_task(delivery_id: int) -> str:
    return str(outbound.deliver(delivery_id).status)
