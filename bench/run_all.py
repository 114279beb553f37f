"""`make bench`: the API-create benchmark on the bare baseline, then on Lagniappe.

    python bench/run_all.py [--requests 2000] [--clients 4] [--keep]
                            [--database-url postgresql://postgres@127.0.0.1:5432/lagniappe_bench]

Each server gets a free port and a fresh temporary home (for Lagniappe: an admin, a brand and
a token; both get the same brand_id in their bodies) and runs alone while it is measured
(baseline first, then Lagniappe) so the two never share the CPU. Prints every JSON line of
bench/api_create.py for both, each server's `api_create_server_cpu_ms` (its CPU time per
request, from /proc: on a shared machine it compares code better than the throughput does),
then `api_create_ratio_to_baseline` (Lagniappe / baseline throughput). With --database-url
Lagniappe runs on that PostgreSQL database, which is dropped and created fresh; the baseline
always runs on SQLite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

BENCH_DIR = Path(__file__).resolve().parent
LAGNIAPPE = [sys.executable, "-m", "lagniappe"]
ADMIN_EMAIL = "bench@example.org"
ADMIN_PASSWORD = "bench-password-not-secret-1"
HEALTH_TIMEOUT_S = 90.0
WARMUP_REQUESTS = 20  # bench/api_create.py's default


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log(message: str) -> None:
    print(f"run_all: {message}", file=sys.stderr, flush=True)


def wait_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{url}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    tail = log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""
    raise SystemExit(f"run_all: {url} did not become healthy; server log:\n{tail}")


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime field 14, stime field 15 (man 5 proc).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(
    command: list[str], url: str, log_path: Path, env: dict[str, str] | None = None
) -> Iterator[int]:
    """Run a server until the block ends; yields its process id."""
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=env)
        try:
            wait_healthy(url, process, log_path)
            yield process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def api_create(url: str, token: str, args: argparse.Namespace, server_pid: int, name: str) -> float:
    """Run bench/api_create.py, echo its figures, and return the throughput (0 on failure).

    Also prints the server's CPU time per request (`api_create_server_cpu_ms`): unlike the
    throughput it hardly moves with what else the machine runs, so it compares code."""
    cpu_before = process_cpu_seconds(server_pid)
    command = [
        sys.executable,
        str(BENCH_DIR / "api_create.py"),
        "--url",
        url,
        # One argument: a token may begin with "-", which argparse would take for an option.
        f"--token={token}",
        "--requests",
        str(args.requests),
        "--clients",
        str(args.clients),
    ]
    if args.brand_id is not None:
        command += ["--brand-id", str(args.brand_id)]
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    cpu_after = process_cpu_seconds(server_pid)
    throughput = 0.0
    for line in result.stdout.splitlines():
        print(line, flush=True)
        figure = json.loads(line)
        if figure.get("figure") == "api_create_throughput":
            throughput = float(figure["value"])
    if result.returncode != 0:
        log(f"api_create.py against {url} failed (exit {result.returncode})")
        return 0.0
    if cpu_before is not None and cpu_after is not None:
        # The warm-up requests and the final listing check run on the server too.
        served = args.requests + WARMUP_REQUESTS
        figure = {
            "figure": "api_create_server_cpu_ms",
            "value": round((cpu_after - cpu_before) * 1000 / served, 3),
            "unit": "ms/request",
            "server": name,
            "note": "includes warm-up and the listing check",
        }
        print(json.dumps(figure), flush=True)
    return throughput


def run_baseline(work: Path, args: argparse.Namespace) -> float:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    token_file = work / "baseline-token"
    command = [
        sys.executable,
        str(BENCH_DIR / "baseline" / "serve.py"),
        "--port",
        str(port),
        "--db",
        str(work / "baseline.sqlite3"),
        "--token-file",
        str(token_file),
    ]
    log(f"baseline on {url}")
    with server(command, url, work / "baseline.log") as pid:
        return api_create(url, token_file.read_text().strip(), args, pid, "baseline")


def lagniappe_env(work: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAGNIAPPE_")}
    env["LAGNIAPPE_HOME"] = str(work / "lagniappe-home")
    if database_url:
        env["LAGNIAPPE_DATABASE_URL"] = database_url
    return env


# The CLI has no brand command; an agent must serve a brand to open conversations.
BRAND_CREATE = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagniappe.config.settings.embedded")
import django
django.setup()
from lagniappe.core.actors import Actor
from lagniappe.tenancy.models import Organisation
from lagniappe.tenancy.services import brand_create
organisation = Organisation.objects.order_by("pk").first()
brand = brand_create(
    actor=Actor.system("bench"), organisation=organisation, name="Bench", slug="bench"
)
print(brand.pk)
"""


def lagniappe_prepare(env: dict[str, str]) -> tuple[str, int]:
    """Migrate, create the admin and a brand; a fresh API token and the brand's id."""

    def cli(*arguments: str) -> str:
        result = subprocess.run(
            [*LAGNIAPPE, *arguments], env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise SystemExit(
                f"run_all: `lagniappe {' '.join(arguments)}` failed:\n"
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        return result.stdout

    cli("migrate")
    cli("createadmin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD)
    brand = subprocess.run(
        [sys.executable, "-c", BRAND_CREATE], env=env, capture_output=True, text=True, check=False
    )
    if brand.returncode != 0:
        raise SystemExit(f"run_all: creating the bench brand failed:\n{brand.stderr[-2000:]}")
    lines = [line.strip() for line in cli("token", "create", "--user", ADMIN_EMAIL).splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise SystemExit("run_all: `lagniappe token create` printed no token")
    return lines[-1], int(brand.stdout.split()[-1])


def run_lagniappe(work: Path, args: argparse.Namespace) -> float:
    env = lagniappe_env(work, args.database_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Warning level silences uvicorn's per-request access log, as the baseline has none.
    command = [*LAGNIAPPE, "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning"]
    log(f"lagniappe on {url}" + (" (PostgreSQL)" if args.database_url else " (SQLite)"))
    with server(command, url, work / "lagniappe.log", env=env) as pid:
        return api_create(url, args.token, args, pid, "lagniappe")


@contextmanager
def fresh_postgres(database_url: str | None) -> Iterator[None]:
    """Drop and create the database named in the URL; drop it again afterwards."""
    if not database_url:
        yield
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))

    def execute(statement: sql.Composed) -> None:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    execute(drop)
    execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        execute(drop)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="run Lagniappe on PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="lagniappe-bench-"))
    log(f"working directory {work}")
    try:
        with fresh_postgres(args.database_url):
            # Set up Lagniappe first so its migrations do not run beside the baseline's run.
            args.token, args.brand_id = lagniappe_prepare(lagniappe_env(work, args.database_url))
            baseline = run_baseline(work, args)
            lagniappe = run_lagniappe(work, args)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    ratio = round(lagniappe / baseline, 3) if baseline > 0 else 0.0
    print(
        json.dumps(
            {
                "figure": "api_create_ratio_to_baseline",
                "value": ratio,
                "unit": "ratio",
                "lagniappe": lagniappe,
                "baseline": baseline,
                "database": "postgresql" if args.database_url else "sqlite",
            }
        ),
        flush=True,
    )
    return 0 if baseline > 0 and lagniappe > 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
