"""`lagniappe email import`: mbox, Maildir and .eml folders through the same funnel."""

from __future__ import annotations

import json
import mailbox as stdlib_mailbox
import shutil

from lagniappe import cli
from lagniappe.channels.email import importing
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


def test_a_big_import_goes_in_batches_read_ahead_and_a_second_one_finds_duplicates(
    world, tmp_path, capsys, monkeypatch, readings_from_worker
):
    """The whole corpus (five languages, their charsets, two bounces, garbage) in batches
    smaller than the corpus, parsed by the reading worker: every mail a message or a clear
    failure, the same threads as one by one, and importing it again adds nothing."""
    monkeypatch.setattr(importing, "IMPORT_BATCH", 9)
    from_worker = readings_from_worker
    names = sorted(path.name for path in CORPUS.glob("*.eml"))
    for name in names:
        shutil.copy(CORPUS / name, tmp_path / name)
    args = ["email", "import", str(tmp_path), "--endpoint", "help@insurer.test", "--json"]

    assert cli.main(args) == 0
    first = _json_line(capsys)
    # The bounces carry no customer message and the garbage fails: each counted failed.
    assert first == {"imported": len(names) - 3, "duplicates": 0, "failed": 3}
    assert from_worker == [len(names) - 1]  # all but the garbage read by the worker
    assert InboundEnvelope.objects.filter(status=EnvelopeStatus.FAILED).count() == 1

    def conversation(external_id: str) -> int:
        return Message.objects.get(external_id=external_id).conversation_id

    assert conversation("<ooo-child@example.com>") == conversation("<ooo-parent@example.com>")
    assert conversation("<zh-hans-1@mail.example.cn>") == conversation(
        "<zh-hans-2@mail.example.cn>"
    )
    assert conversation("<id-1@example.co.id>") == conversation("<id-2@example.co.id>")

    assert cli.main(args) == 0
    again = _json_line(capsys)
    assert again == {"imported": 0, "duplicates": len(names) - 3, "failed": 3}
    assert Message.objects.count() == len(names) - 3
