"""A throw-away dovecot IMAP server in a temporary folder, for tests and bench/email_ingest.py.

Debian's `dovecot-imapd` (installed by .ci/run), its own configuration: one passwd-file user,
a maildir, 127.0.0.1 on a free port, no TLS, in the foreground (`dovecot -F -c conf`).
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else ""
)
USER = "support"
PASSWORD = "imap-Pa55word"


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    username: str
    password: str
    folder: Path

    def imap_settings(self, **extra: object) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "ssl": False,
            "username": self.username,
            "password": self.password,
            **extra,
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _owner() -> tuple[str, int, int]:
    """Who the mail processes run as: ourselves, or (as root, which dovecot refuses for mail)
    its own `dovecot` account."""
    if os.getuid() != 0:
        entry = pwd.getpwuid(os.getuid())
        return entry.pw_name, entry.pw_uid, entry.pw_gid
    for name in ("dovecot", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_name, entry.pw_uid, entry.pw_gid
    raise RuntimeError("no unprivileged account to run dovecot's mail processes as")


@contextmanager
def dovecot_server() -> Iterator[Dovecot]:
    """A fresh server in its own temporary folder (not pytest's: as root that one is 0700,
    and dovecot's unprivileged processes could not reach their files)."""
    if not DOVECOT:
        raise FileNotFoundError("dovecot is not installed (apt-get install dovecot-imapd)")
    folder = Path(tempfile.mkdtemp(prefix="lagniappe-dovecot-"))
    try:
        with _dovecot_in(folder) as server:
            yield server
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _dovecot_in(folder: Path) -> Iterator[Dovecot]:
    user, uid, gid = _owner()
    group = grp.getgrgid(gid).gr_name
    port = _free_port()
    for sub in ("run", "state", "mail", "home"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{folder}/home\n")
    if os.getuid() == 0:
        for sub in ("mail", "home"):
            os.chown(folder / sub, uid, gid)
        os.chmod(folder, 0o755)
    conf = folder / "dovecot.conf"
    conf.write_text(
        f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {folder}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                log = (
                    (folder / "dovecot.log").read_text()
                    if (folder / "dovecot.log").exists()
                    else ""
                )
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"dovecot exited: {error}\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield Dovecot("127.0.0.1", port, USER, PASSWORD, folder)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
