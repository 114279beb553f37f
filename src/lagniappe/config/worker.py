"""The background worker: django-tasks-db's Worker, run in a thread beside the web server
(embedded) or in the foreground (`lagniappe worker`), plus the sweep that re-queues work
whose task was lost.

Work is lost when a task row never gets written (a request died between storing an
envelope and processing it) or when a worker is killed mid-task (its DBTaskResult stays
RUNNING forever and no worker picks it up again). Processing envelopes and deliveries is
idempotent, so the recovery is simply to queue them again; the sweep does that at start and
then every LAGNIAPPE_SWEEP_SECONDS.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from lagniappe.channels import inbound, outbound
from lagniappe.channels.models import (
    DeliveryStatus,
    EnvelopeStatus,
    InboundEnvelope,
    OutboundDelivery,
)
from lagniappe.channels.tasks import deliver_task, process_envelope_task
from lagniappe.core import clock
from lagniappe.engines.mail.preload import mail_analysis_preload
from lagniappe.knowledge.vector_services import translation_vectors_queue_stale

logger = logging.getLogger("lagniappe.worker")

# An envelope younger than this may still be processed by the request that stored it.
ENVELOPE_GRACE = timedelta(minutes=2)
# Our tasks take seconds; a task RUNNING for longer than this lost its worker.
RUNNING_STALE_AFTER = timedelta(minutes=10)


def sweep_interval() -> float:
    return float(getattr(settings, "LAGNIAPPE_SWEEP_SECONDS", 60))


def _ids_with_live_task(task_path: str) -> set[int]:
    """Ids whose task is waiting, or running and recently started."""
    rows = DBTaskResult.objects.filter(task_path=task_path).filter(
        Q(status=TaskResultStatus.READY)
        | Q(status=TaskResultStatus.RUNNING, started_at__gte=clock.now() - RUNNING_STALE_AFTER)
    )
    ids: set[int] = set()
    for args_kwargs in rows.values_list("args_kwargs", flat=True):
        args = args_kwargs.get("args") if isinstance(args_kwargs, dict) else None
        if args:
            ids.add(int(args[0]))
    return ids


def _any_uncovered(waiting: Iterable[int], task_path: str) -> bool:
    waiting_ids = set(waiting)
    return bool(waiting_ids) and bool(waiting_ids - _ids_with_live_task(task_path))


def sweep() -> tuple[int, int]:
    """Re-queue envelopes and deliveries that no live task covers. Returns what was queued.

    The channels' requeue functions queue everything still waiting; calling them only when
    something is actually orphaned keeps a busy queue from filling with duplicates every
    minute (duplicates are harmless, but they cost a task run each).
    """
    now = clock.now()
    envelopes = deliveries = 0
    waiting_envelopes = InboundEnvelope.objects.filter(
        status=EnvelopeStatus.RECEIVED, received_at__lte=now - ENVELOPE_GRACE
    ).values_list("pk", flat=True)
    if _any_uncovered(waiting_envelopes, process_envelope_task.module_path):
        envelopes = inbound.envelopes_requeue_unprocessed(older_than=ENVELOPE_GRACE)
    due_deliveries = (
        OutboundDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("pk", flat=True)
    )
    if _any_uncovered(due_deliveries, deliver_task.module_path):
        deliveries = outbound.deliveries_requeue_pending()
    if envelopes or deliveries:
        logger.info("sweep re-queued %d envelopes and %d deliveries", envelopes, deliveries)
    return envelopes, deliveries


def _sweep_safely() -> None:
    close_old_connections()
    try:
        sweep()
        if settings.LAGNIAPPE_SEARCH_MEANING:
            translation_vectors_queue_stale()
    except Exception:
        # A locked or unreachable database must not kill the worker; the next sweep retries.
        logger.exception("sweep failed")


def _preload_safely() -> None:
    """Load the mail analysers' models before the first task needs them (a failure only
    means the first message loads them itself)."""
    try:
        mail_analysis_preload()
    except Exception:
        logger.exception("preloading the mail analysers failed")


class TaskWorker:
    """One django-tasks-db Worker and its sweep, started in threads or run in the foreground."""

    def __init__(
        self,
        *,
        interval: float = 1.0,
        batch: bool = False,
        worker_id: str = "",
        sweep_seconds: float | None = None,
    ) -> None:
        self.worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or f"lagniappe-{get_random_string(12)}",
            excluded_queue_names=[],
        )
        self.sweep_seconds = sweep_interval() if sweep_seconds is None else sweep_seconds
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> bool:
        return self.worker.running

    def _sweep_loop(self) -> None:
        try:
            while not self._stopping.wait(self.sweep_seconds):
                _sweep_safely()
        finally:
            connection.close()

    def _work_loop(self) -> None:
        _preload_safely()
        try:
            while not self._stopping.is_set():
                try:
                    self.worker.run()
                    return
                except Exception:
                    # Worker.run raises on database errors other than "locked"; keep serving.
                    logger.exception("worker loop failed; restarting in 5 seconds")
                    self._stopping.wait(5)
        finally:
            connection.close()

    def _sweep_thread_start(self) -> None:
        thread = threading.Thread(target=self._sweep_loop, name="lagniappe-sweep", daemon=True)
        thread.start()
        self._threads.append(thread)

    def start(self) -> None:
        """Sweep once, then work and sweep in daemon threads (beside the web server)."""
        _sweep_safely()
        connection.close()
        self._sweep_thread_start()
        thread = threading.Thread(target=self._work_loop, name="lagniappe-worker", daemon=True)
        thread.start()
        self._threads.append(thread)
        logger.info("in-process worker %s started", self.worker.worker_id)

    def run(self) -> None:
        """Sweep once, then work in this thread until stop() (or, in batch mode, until idle)."""
        _preload_safely()
        _sweep_safely()
        if not self.worker.batch:
            self._sweep_thread_start()
        try:
            self.worker.run()
        finally:
            self.stop(timeout=0)

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the current task, then stop; waits up to `timeout` seconds for the threads."""
        self.worker.running = False
        self._stopping.set()
        current = threading.current_thread()
        for thread in self._threads:
            if thread is not current:
                thread.join(timeout)
