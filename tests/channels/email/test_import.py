"""`lagniappe email import`: mbox, Maildir and .eml folders through the same funnel."""

from __future__ import annotations

import json
import mailbox as stdlib_mailbox
import shutil

from lagniappe import cli
from lagniappe.channels.models import Endpoint, EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.models import Message

from .conftest import CORPUS, eml

THREADED = ["ooo_child.eml", "ooo_parent.eml", "zh_hans_gb2312_new.eml", "garbage.eml"]


def _json_line(capsys) -> dict[str, int]:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_folder_of_eml_files_imports_and_creates_the_mailbox(world, tmp_path, capsys):
    for name in THREADED:
        shutil.copy(CORPUS / name, tmp_path / name)
    args = ["email", "import", str(tmp_path), "--endpoint", "Help@Insurer.test", "--json"]
    assert cli.main(args) == 0
    assert _json_line(capsys) == {"imported": 3, "duplicates": 0, "failed": 1}
    endpoint = Endpoint.objects.get(kind="email")
    assert endpoint.settings == {"address": "help@insurer.test"}
    assert endpoint.brand_id == world.insurer.pk  # the first brand
    failed = InboundEnvelope.objects.get(status=EnvelopeStatus.FAILED)
    assert bytes(failed.raw) == eml("garbage.eml")
    child = Message.objects.get(external_id="<ooo-child@example.com>")
    parent = Message.objects.get(external_id="<ooo-parent@example.com>")
    assert child.conversation_id == parent.conversation_id

    assert cli.main(args) == 0  # the same mail again: nothing new, same endpoint
    assert _json_line(capsys) == {"imported": 0, "duplicates": 3, "failed": 1}
    assert Endpoint.objects.filter(kind="email").count() == 1
    assert Message.objects.count() == 3


def test_mbox_and_maildir_with_the_same_mail_give_one_message_each(world, tmp_path, capsys):
    mbox = stdlib_mailbox.mbox(tmp_path / "in.mbox")
    maildir = stdlib_mailbox.Maildir(tmp_path / "Maildir")
    for name in ("ja_iso2022jp.eml", "id_subject_1.eml", "id_subject_2.eml"):
        mbox.add(eml(name))
        maildir.add(eml(name))
    mbox.flush()
    assert cli.main(["email", "import", str(tmp_path / "in.mbox"), "--endpoint", "a@insurer.test",
                     "--json"]) == 0  # fmt: skip
    assert _json_line(capsys) == {"imported": 3, "duplicates": 0, "failed": 0}
    # Another mailbox of the same brand receiving the same messages.
    assert cli.main(["email", "import", str(tmp_path / "Maildir"), "--endpoint",
                     "b@insurer.test", "--json"]) == 0  # fmt: skip
    assert _json_line(capsys) == {"imported": 0, "duplicates": 3, "failed": 0}
    assert Message.objects.count() == 3


def test_import_of_a_missing_path_fails_cleanly(world, tmp_path, capsys):
    code = cli.main(["email", "import", str(tmp_path / "nope"), "--endpoint", "a@insurer.test"])
    assert code == 1
    assert "lagniappe: error" in capsys.readouterr().err
