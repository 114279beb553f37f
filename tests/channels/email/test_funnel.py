"""The email adapter through the real inbound funnel (accept -> worker -> message_receive)."""

from __future__ import annotations

import pytest

from lagniappe.channels import inbound
from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.models import Attachment, Message
from lagniappe.customers.models import Identity

from .conftest import eml


def _deliver(endpoint, run_tasks, *raws: bytes) -> list[InboundEnvelope]:
    envelopes = [inbound.accept(endpoint=endpoint, raw=raw) for raw in raws]
    run_tasks()
    for envelope in envelopes:
        envelope.refresh_from_db()
    return envelopes


def _message(external_id: str) -> Message:
    return Message.objects.select_related("conversation").get(external_id=external_id)


@pytest.mark.parametrize(
    ("name", "external_id", "sender", "subject", "snippet"),
    [
        ("zh_hans_gb2312_new.eml", "<zh-hans-1@mail.example.cn>", "wang.zhe@example.cn",
         "理赔进度查询", "我是王喆"),
        ("zh_hant_big5_hkscs.eml", "<zh-hant-1@example.hk>", "chan.taiman@example.hk",
         "保單理賠查詢", "我嘅保單"),
        ("ja_iso2022jp.eml", "<ja-1@example.jp>", "hanako@example.jp",
         "口座振替について", "口座振替の手続き"),
        ("ja_euc_jp_forward.eml", "<ja-3@example.jp>", "hanako@example.jp",
         "転送：請求書", "下記のメール"),
        ("id_subject_1.eml", "<id-1@example.co.id>", "budi@example.co.id",
         "Kartu kredit terblokir", "kartu kredit saya"),
        ("en_windows1252_inline.eml", "<en-1@example.ie>", "sean@example.ie",
         "Claim “urgent”", "It’s “urgent”"),
        ("undeclared_8bit_gbk.eml", "<zh-raw-1@example.cn>", "li@example.cn",
         "保险单续期问题", "如何续期"),
        ("wrong_declared_latin1.eml", "<ja-wrong-1@example.jp>", "kenji@example.jp",
         "Question", "振込手数料"),
    ],
)  # fmt: skip
def test_corpus_message_is_stored_in_its_language(
    mailbox, run_tasks, name, external_id, sender, subject, snippet
):
    (envelope,) = _deliver(mailbox, run_tasks, eml(name))
    assert envelope.status == EnvelopeStatus.PROCESSED, envelope.error
    message = _message(external_id)
    assert message.subject == subject
    assert snippet in message.text
    assert message.sent_at is not None
    assert Identity.objects.filter(
        kind="email", value=sender, customer=message.author_customer
    ).exists()


def test_attachments_keep_their_real_names(mailbox, run_tasks):
    _deliver(mailbox, run_tasks, eml("zh_hant_big5_hkscs.eml"), eml("en_windows1252_inline.eml"))
    names = set(Attachment.objects.values_list("filename", flat=True))
    assert {"理賠申請書.pdf", "report.pdf", "photo.png"} <= names
    html = _message("<en-1@example.ie>").html
    assert "urgent" in html and "<p>" in html


def test_forwarded_message_is_kept_as_an_attachment(mailbox, run_tasks):
    _deliver(mailbox, run_tasks, eml("ja_euc_jp_forward.eml"))
    attachment = Attachment.objects.get(message=_message("<ja-3@example.jp>"))
    assert attachment.filename == "請求書.eml"
    assert attachment.content_type == "message/rfc822"


def test_reply_threads_by_in_reply_to_and_references(mailbox, run_tasks, no_subject_threading):
    _deliver(
        mailbox, run_tasks, eml("zh_hans_gb2312_new.eml"), eml("zh_hans_reply_in_reply_to.eml")
    )
    first, reply = _message("<zh-hans-1@mail.example.cn>"), _message("<zh-hans-2@mail.example.cn>")
    assert reply.conversation_id == first.conversation_id
    assert first.conversation.message_count == 2


def test_reply_threads_by_references_only(mailbox, run_tasks, no_subject_threading):
    _deliver(
        mailbox,
        run_tasks,
        eml("zh_hant_big5_hkscs.eml"),
        eml("zh_hant_reply_references_only.eml"),
    )
    assert (
        _message("<zh-hant-2@example.hk>").conversation_id
        == _message("<zh-hant-1@example.hk>").conversation_id
    )


def test_without_any_threading_evidence_a_reply_opens_its_own_conversation(
    mailbox, run_tasks, no_subject_threading
):
    # The control for the tests above: same sender, same subject, no headers, no window.
    _deliver(mailbox, run_tasks, eml("id_subject_1.eml"), eml("id_subject_2.eml"))
    assert (
        _message("<id-1@example.co.id>").conversation_id
        != _message("<id-2@example.co.id>").conversation_id
    )


def test_reply_threads_by_subject_tag(mailbox, run_tasks, no_subject_threading):
    _deliver(mailbox, run_tasks, eml("ja_iso2022jp.eml"))
    conversation_id = _message("<ja-1@example.jp>").conversation_id
    tagged = eml("ja_shift_jis_tagged.eml").replace(b"[#CONV]", b"[#%d]" % conversation_id)
    _deliver(mailbox, run_tasks, tagged)
    assert _message("<ja-2@example.jp>").conversation_id == conversation_id


def test_subject_tag_of_another_customers_conversation_is_ignored(
    mailbox, run_tasks, no_subject_threading
):
    _deliver(mailbox, run_tasks, eml("zh_hans_gb2312_new.eml"))
    someone_else = _message("<zh-hans-1@mail.example.cn>").conversation_id
    tagged = eml("ja_shift_jis_tagged.eml").replace(b"[#CONV]", b"[#%d]" % someone_else)
    _deliver(mailbox, run_tasks, tagged)
    assert _message("<ja-2@example.jp>").conversation_id != someone_else


def test_same_customer_same_subject_threads_within_the_window(mailbox, run_tasks):
    _deliver(mailbox, run_tasks, eml("id_subject_1.eml"), eml("id_subject_2.eml"))
    assert (
        _message("<id-2@example.co.id>").conversation_id
        == _message("<id-1@example.co.id>").conversation_id
    )
    late = (
        eml("id_subject_2.eml")
        .replace(b"Tue, 12 Mar 2024", b"Fri, 12 Apr 2024")
        .replace(b"<id-2@", b"<id-3@")
    )
    _deliver(mailbox, run_tasks, late)
    assert (
        _message("<id-3@example.co.id>").conversation_id
        != _message("<id-1@example.co.id>").conversation_id
    )


def test_reply_arriving_before_its_parent_still_threads(mailbox, run_tasks, no_subject_threading):
    # Different senders and subject threading off: only the stored References can join them.
    _deliver(mailbox, run_tasks, eml("ooo_child.eml"), eml("ooo_parent.eml"))
    child, parent = _message("<ooo-child@example.com>"), _message("<ooo-parent@example.com>")
    assert parent.conversation_id == child.conversation_id
    assert child.conversation.message_count == 2


def test_same_message_id_in_two_mailboxes_is_one_message(mailbox, claims_mailbox, run_tasks):
    raw = eml("zh_hant_big5_hkscs.eml")
    envelopes = _deliver(mailbox, run_tasks, raw, raw)
    envelopes += _deliver(claims_mailbox, run_tasks, raw)
    assert all(e.status == EnvelopeStatus.PROCESSED for e in envelopes)
    assert Message.objects.filter(external_id="<zh-hant-1@example.hk>").count() == 1
    assert len({tuple(e.message_ids) for e in envelopes}) == 1
    assert Attachment.objects.count() == 1


def test_message_without_id_is_stored_once_under_a_content_hash(mailbox, claims_mailbox, run_tasks):
    raw = eml("no_message_id.eml")
    _deliver(mailbox, run_tasks, raw)
    _deliver(claims_mailbox, run_tasks, b"Received: by another.mx\r\n" + raw)
    (message,) = Message.objects.filter(external_id__startswith="sha256:")
    assert message.text.startswith("A message without an id.")


def test_garbage_fails_alone_keeps_its_raw_bytes_and_the_next_is_processed(mailbox, run_tasks):
    garbage = eml("garbage.eml")
    bad, good = _deliver(mailbox, run_tasks, garbage, eml("ja_iso2022jp.eml"))
    assert bad.status == EnvelopeStatus.FAILED
    assert "no header fields" in bad.error
    assert bytes(bad.raw) == garbage
    assert good.status == EnvelopeStatus.PROCESSED


def test_mail_without_a_sender_fails_with_a_reason(mailbox, run_tasks):
    (envelope,) = _deliver(mailbox, run_tasks, b"Subject: who?\r\n\r\nbody\r\n")
    assert envelope.status == EnvelopeStatus.FAILED
    assert "no sender address" in envelope.error
