"""The `lagniappe` command, run for real: in subprocesses against a temporary LAGNIAPPE_HOME,
or in-process through cli.main on the test database where a subprocess would be too slow."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from lagniappe import cli
from lagniappe.channels import inbound
from lagniappe.channels.models import DeliveryStatus, EnvelopeStatus, InboundEnvelope
from lagniappe.config.worker import sweep
from lagniappe.conversations.models import Message
from lagniappe.conversations.services import message_send
from lagniappe.core import clock
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.models import Agent, Role
from lagniappe.tenancy.models import Organisation

# --- running the real command -----------------------------------------------------------


def lagniappe_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh install: only LAGNIAPPE_HOME, embedded settings, SQLite."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LAGNIAPPE_")
        and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update({"LAGNIAPPE_HOME": str(home), "PYTHONUNBUFFERED": "1", **extra})
    return env


def run_cli(
    home: Path, *args: str, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lagniappe", *args],
        env=lagniappe_env(home, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_python(home: Path, code: str) -> str:
    """Run Django code against the install at `home` (test set-up that has no command)."""
    script = "import django\ndjango.setup()\n" + textwrap.dedent(code)
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=lagniappe_env(home, DJANGO_SETTINGS_MODULE="lagniappe.config.settings.embedded"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def envelope_statuses(home: Path) -> dict[int, str]:
    with sqlite3.connect(home / "lagniappe.sqlite3") as db:
        rows = db.execute("SELECT id, status FROM lagniappe_channels_inboundenvelope")
        return dict(rows.fetchall())


def wait_for(predicate, timeout: float = 20.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


SEED_BRAND = """
from lagniappe.channels.services import api_key_create
from lagniappe.core.actors import SYSTEM
from lagniappe.tenancy.services import brand_create, organisation_create
organisation = organisation_create(actor=SYSTEM, name="Harbour", slug="harbour")
brand = brand_create(actor=SYSTEM, organisation=organisation, name="Bank", slug="bank")
endpoint, key = api_key_create(actor=SYSTEM, brand=brand, name="CRM")
print(endpoint.pk, key)
"""


def accept_script(endpoint_id: int, email: str, text: str) -> str:
    body = json.dumps({"customer": {"email": email}, "text": text}, ensure_ascii=False)
    return f"""
from lagniappe.channels import inbound
from lagniappe.channels.models import Endpoint
envelope = inbound.accept(endpoint=Endpoint.objects.get(pk={endpoint_id}), raw={body!r}.encode())
print(envelope.pk)
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    home = tmp_path_factory.mktemp("template") / "home"
    result = run_cli(home, "migrate")
    assert result.returncode == 0, result.stderr
    endpoint_id, key = run_python(home, SEED_BRAND).split()
    return home, int(endpoint_id), key


@pytest.fixture
def seeded(seeded_template: tuple[Path, int, str], home: Path) -> tuple[Path, int, str]:
    """A migrated install with one brand and an integration API key (a copy per test)."""
    template, endpoint_id, key = seeded_template
    shutil.copytree(template, home)
    return home, endpoint_id, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- parsing and help -------------------------------------------------------------------

SUBCOMMANDS = [
    [],
    ["serve"],
    ["worker"],
    ["migrate"],
    ["demo"],
    ["createadmin"],
    ["token"],
    ["token", "create"],
    ["check"],
]


@pytest.mark.parametrize("words", SUBCOMMANDS, ids=lambda w: " ".join(w) or "lagniappe")
def test_every_subcommand_has_help(words, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([*words, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: lagniappe {' '.join(words)}".rstrip())


def test_help_of_the_real_entry_points(tmp_path):
    result = run_cli(tmp_path, "serve", "--help")
    assert result.returncode == 0
    for option in ("--host", "--port", "--no-worker", "--workers"):
        assert option in result.stdout
    script = Path(sys.executable).with_name("lagniappe")
    console = subprocess.run(
        [str(script), "demo", "--help"],
        env=lagniappe_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert console.returncode == 0 and "--conversations" in console.stdout


@pytest.mark.parametrize(
    "words", [["frobnicate"], [], ["token"], ["token", "create"], ["serve", "--port", "x"]]
)
def test_unknown_or_missing_arguments_exit_2_with_usage(words, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(words)
    assert exited.value.code == 2
    assert "usage: lagniappe" in capsys.readouterr().err


# --- createadmin and tokens (in-process, test database) ---------------------------------


def test_createadmin_non_interactive_creates_admin_and_organisation(db, capsys):
    code = cli.main(["createadmin", "--email", "Boss@Harbour.example", "--password", "s3cret-pw"])
    assert code == 0, capsys.readouterr().err
    agent = Agent.objects.get(email="boss@harbour.example")
    assert agent.role == Role.ADMIN and agent.is_superuser and agent.check_password("s3cret-pw")
    assert agent.organisation == Organisation.objects.get()
    assert "boss@harbour.example" in capsys.readouterr().out


def test_createadmin_joins_the_named_organisation_and_refuses_duplicates(world, capsys):
    args = ["createadmin", "--email", "ops@harbour.test", "--password", "long-enough"]
    assert cli.main([*args, "--organisation", "Harbour Group"]) == 0
    assert Agent.objects.get(email="ops@harbour.test").organisation == world.organisation
    capsys.readouterr()
    assert cli.main([*args, "--organisation", "Harbour Group"]) == 1
    err = capsys.readouterr().err
    assert "exists" in err and "Traceback" not in err


def test_createadmin_prompts_when_the_password_is_missing(db, monkeypatch, capsys):
    answers = iter(["typed-pass-1", "typed-pass-1"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.main(["createadmin", "--email", "asked@harbour.example"]) == 0
    assert Agent.objects.get(email="asked@harbour.example").check_password("typed-pass-1")


def test_createadmin_refuses_mismatched_prompted_passwords(db, monkeypatch, capsys):
    answers = iter(["typed-pass-1", "typed-pass-2"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.main(["createadmin", "--email", "asked@harbour.example"]) == 1
    assert "do not match" in capsys.readouterr().err
    assert not Agent.objects.filter(email="asked@harbour.example").exists()


def test_token_create_prints_a_token_that_authenticates(world, capsys):
    code = cli.main(["token", "create", "--user", world.insurer_agent.email, "--name", "ci"])
    assert code == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert " " not in token
    answer = Client().get("/api/v1/customers", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    refused = Client().get("/api/v1/customers", headers={"Authorization": f"Bearer {token}x"})
    assert refused.status_code == 401


def test_token_create_for_an_unknown_user_fails_cleanly(db, capsys):
    assert cli.main(["token", "create", "--user", "nobody@nowhere.example"]) == 1
    err = capsys.readouterr().err
    assert "nobody@nowhere.example" in err and "Traceback" not in err


# --- the sweep: nothing stored is lost ----------------------------------------------------


def _api_body(external_id: str) -> bytes:
    body = {
        "customer": {"email": "lost@example.com"},
        "text": "還在嗎？",
        "external_id": external_id,
    }
    return json.dumps(body, ensure_ascii=False).encode()


def _age(envelope: InboundEnvelope, minutes: int) -> None:
    """Make the envelope look as if it arrived `minutes` ago (what a crash leaves behind)."""
    InboundEnvelope.objects.filter(pk=envelope.pk).update(
        received_at=clock.now() - timedelta(minutes=minutes)
    )


def _task_of(task_name: str, object_id: int) -> DBTaskResult:
    return next(
        r
        for r in DBTaskResult.objects.filter(task_path__endswith=task_name)
        if r.args_kwargs["args"] == [object_id]
    )


def test_sweep_leaves_work_that_a_queued_task_covers(world, run_tasks):
    envelope = inbound.accept(endpoint=world.insurer_api, raw=_api_body("covered"))
    _age(envelope, 10)
    before = DBTaskResult.objects.count()
    assert sweep() == (0, 0)
    assert DBTaskResult.objects.count() == before
    run_tasks()
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED


def test_sweep_requeues_an_envelope_whose_worker_was_killed(world, run_tasks):
    envelope = inbound.accept(endpoint=world.insurer_api, raw=_api_body("killed"))
    _age(envelope, 10)
    task = _task_of("process_envelope_task", envelope.pk)
    task.claim("dead-worker")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=clock.now() - timedelta(hours=1))
    assert run_tasks() == 0  # the RUNNING row is never picked up again on its own
    assert sweep() == (1, 0)
    assert run_tasks() == 1
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED


def test_sweep_waits_before_taking_over_a_fresh_envelope(world, run_tasks):
    # Stored by a request that may still be processing it (accept_and_process).
    envelope = InboundEnvelope.objects.create(
        endpoint=world.insurer_api, kind="api", raw=_api_body("fresh"), received_at=clock.now()
    )
    assert sweep() == (0, 0)
    _age(envelope, 3)
    assert sweep() == (1, 0)
    run_tasks()
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED


def test_sweep_requeues_a_delivery_whose_worker_was_killed(world, run_tasks):
    inbound.accept(endpoint=world.insurer_api, raw=_api_body("reply-me"))
    run_tasks()
    message = Message.objects.get(external_id="reply-me")
    reply = message_send(
        actor=SYSTEM, conversation=message.conversation, author_id=None, text="收到，處理中。"
    )
    assert sweep() == (0, 0)
    task = _task_of("deliver_task", reply.delivery.pk)
    task.claim("dead-worker")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=clock.now() - timedelta(hours=1))
    assert sweep() == (0, 1)
    assert run_tasks() == 1
    reply.delivery.refresh_from_db()
    assert reply.delivery.status == DeliveryStatus.SENT


# --- the worker process -------------------------------------------------------------------


def test_worker_processes_what_was_stored_while_it_was_down(seeded):
    home, endpoint_id, _key = seeded
    queued = int(run_python(home, accept_script(endpoint_id, "a@example.com", "first")))
    # A worker died running `crashed`; a request died before queuing `orphan`.
    crashed = queued + 1
    run_python(
        home,
        accept_script(endpoint_id, "b@example.com", "second")
        + textwrap.dedent(f"""
        from datetime import timedelta
        from django_tasks_db.models import DBTaskResult
        from lagniappe.channels.models import InboundEnvelope
        from lagniappe.core import clock
        hour_ago = clock.now() - timedelta(hours=1)
        for task in DBTaskResult.objects.all():
            if task.args_kwargs["args"] == [{crashed}]:
                task.claim("killed")
                DBTaskResult.objects.filter(pk=task.pk).update(started_at=hour_ago)
        InboundEnvelope.objects.filter(pk={crashed}).update(received_at=hour_ago)
        orphan = InboundEnvelope.objects.create(
            endpoint_id={endpoint_id}, kind="api", received_at=hour_ago,
            raw=b'{{"customer": {{"email": "c@example.com"}}, "text": "third"}}',
        )
        print(orphan.pk)
        """),
    )
    assert set(envelope_statuses(home).values()) == {EnvelopeStatus.RECEIVED}
    result = run_cli(home, "worker", "--batch")
    assert result.returncode == 0, result.stderr
    statuses = envelope_statuses(home)
    assert len(statuses) == 3 and queued in statuses and crashed in statuses
    assert set(statuses.values()) == {EnvelopeStatus.PROCESSED}


def test_worker_runs_until_sigterm_and_stops_gracefully(seeded):
    home, endpoint_id, _key = seeded
    worker = subprocess.Popen(
        [sys.executable, "-m", "lagniappe", "worker", "--interval", "0.2"],
        env=lagniappe_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        envelope_id = int(run_python(home, accept_script(endpoint_id, "d@example.com", "live")))
        wait_for(
            lambda: envelope_statuses(home).get(envelope_id) == EnvelopeStatus.PROCESSED,
            what="the worker to process the envelope",
        )
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "Worker stopped." in output


# --- serve, for real ----------------------------------------------------------------------


def _serve(home: Path, port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lagniappe", "serve", "--port", str(port), *extra],
        env=lagniappe_env(home, LAGNIAPPE_SWEEP_SECONDS="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(server: subprocess.Popen[str]) -> str:
    server.send_signal(signal.SIGTERM)
    try:
        output, _ = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
    return output


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_serve_answers_and_its_worker_thread_processes_inbound_work(seeded):
    home, endpoint_id, key = seeded
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(home, port)
    try:
        wait_for(lambda: _healthy(base), timeout=30, what="/healthz")
        # Static files come from the apps' directories, with DEBUG off and no collectstatic.
        for path in ("/static/admin/css/base.css", "/static/ninja/swagger-ui.css"):
            assert httpx.get(base + path, timeout=5).status_code == 200, path
        # Stored by another process while the server runs: the worker thread picks it up.
        envelope_id = int(run_python(home, accept_script(endpoint_id, "e@example.com", "hello")))
        wait_for(
            lambda: envelope_statuses(home).get(envelope_id) == EnvelopeStatus.PROCESSED,
            what="the worker thread to process the envelope",
        )
        # And through the wire: POST /api/v1/inbound with the brand's API key.
        answer = httpx.post(
            f"{base}/api/v1/inbound",
            json={"customer": {"email": "f@example.com", "name": "Fay"}, "text": "您好"},
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert answer.status_code in (200, 201, 202), answer.text
        wait_for(
            lambda: (
                len(envelope_statuses(home)) == 2
                and set(envelope_statuses(home).values()) == {EnvelopeStatus.PROCESSED}
            ),
            what="the API message to be processed",
        )
    finally:
        output = _stop(server)
    assert server.returncode == 0, output
    assert "in this process" in output


def test_serve_without_worker_leaves_work_for_a_worker(seeded):
    home, endpoint_id, _key = seeded
    port = free_port()
    server = _serve(home, port, "--no-worker")
    try:
        wait_for(lambda: _healthy(f"http://127.0.0.1:{port}"), timeout=30, what="/healthz")
        envelope_id = int(run_python(home, accept_script(endpoint_id, "g@example.com", "wait")))
        time.sleep(1.5)
        assert envelope_statuses(home)[envelope_id] == EnvelopeStatus.RECEIVED
    finally:
        output = _stop(server)
    assert server.returncode == 0, output
    assert run_cli(home, "worker", "--batch").returncode == 0
    assert envelope_statuses(home)[envelope_id] == EnvelopeStatus.PROCESSED


def test_serve_in_production_refuses_pending_migrations(tmp_path):
    result = run_cli(
        tmp_path / "prod",
        "serve",
        LAGNIAPPE_ENV="production",
        LAGNIAPPE_SECRET_KEY="k" * 10 + "x7Qp2Lm9Zt4Rv8Wn1Ys6Hb3Jc5Fd0Ge-aUoIiEyT_sDfGhJkL",
    )
    assert result.returncode == 1
    assert "lagniappe migrate" in result.stderr and "Traceback" not in result.stderr
