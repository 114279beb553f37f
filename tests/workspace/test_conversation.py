import re

from django.test.client import encode_multipart

from lagniappe.channels import inbound
from lagniappe.conversations.models import Attachment, Conversation, Message, Note
from lagniappe.conversations.states import Status
from tests.workspace.conftest import assert_every_field_labelled

HX = {"HTTP_HX_REQUEST": "true"}


def test_page_shows_messages_customer_and_labelled_forms(world, signed_in, inbound_conversation):
    earlier = inbound_conversation(world.insurer_api, text="第一次聯絡")
    from lagniappe.conversations.changes import conversation_set_status
    from lagniappe.core.actors import SYSTEM

    conversation_set_status(actor=SYSTEM, conversation=earlier, status=Status.CLOSED)
    conversation = inbound_conversation(world.insurer_api, text="第二次聯絡")
    bank = inbound_conversation(world.bank_api, text="銀行の件")
    assert bank.customer_id == conversation.customer_id  # one person across brands
    page = signed_in(world.insurer_agent).get(f"/conversations/{conversation.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "第二次聯絡" in html and "陳小姐" in html and "chen@example.tw" in html
    assert f'href="/conversations/{earlier.pk}"' in html
    assert f'href="/conversations/{bank.pk}"' not in html  # the bank is not this agent's
    assert "2 contacts in the last 7 days" in html
    assert "Open commitments" in html
    assert assert_every_field_labelled(html) >= 7
    assert len(set(re.findall(r' id="([^"]+)"', html))) == len(re.findall(r' id="([^"]+)"', html))


def test_another_brands_conversation_is_not_found(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    client = signed_in(world.bank_agent)
    assert client.get(f"/conversations/{conversation.pk}").status_code == 404
    assert client.post(f"/conversations/{conversation.pk}/reply", {"text": "x"}).status_code == 404
    assert client.post(f"/conversations/{conversation.pk}/take", {"version": 1}).status_code == 404
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_reply_through_htmx_returns_the_message_partial(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    answer = signed_in(world.insurer_agent).post(
        f"/conversations/{conversation.pk}/reply", {"text": "您好，我們正在處理。"}, **HX
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    reply = Message.objects.filter(conversation=conversation, direction="out").get()
    assert html.lstrip().startswith(f'<article id="message-{reply.pk}"')
    assert "您好，我們正在處理。" in html and "<html" not in html
    assert "Waiting to be sent" in html  # the delivery's status
    # The controls come along out of band, carrying the version the reply raised.
    fresh = Conversation.objects.get(pk=conversation.pk)
    assert (
        'id="controls" class="controls" aria-labelledby="controls-title" hx-swap-oob="true"' in html
    )
    assert f'name="version" value="{fresh.version}"' in html
    assert fresh.status == Status.OPEN


def test_reply_without_htmx_redirects_back(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    answer = signed_in(world.insurer_agent).post(
        f"/conversations/{conversation.pk}/reply", {"text": "ok"}
    )
    assert answer.status_code == 302 and answer["Location"] == f"/conversations/{conversation.pk}"


def test_empty_reply_is_refused_with_a_message(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    answer = signed_in(world.insurer_agent).post(
        f"/conversations/{conversation.pk}/reply", {"text": ""}, **HX
    )
    assert answer.status_code == 422
    assert answer["HX-Retarget"] == "#flash"
    assert 'role="alert"' in answer.content.decode()


def test_note_with_mentions_returns_the_note_partial(world, signed_in, inbound_conversation):
    from lagniappe.core.actors import SYSTEM
    from lagniappe.staff.services import agent_create

    colleague = agent_create(
        actor=SYSTEM,
        organisation=world.organisation,
        email="wang@insurer.test",
        display_name="王大明",
        brands=[world.insurer],
    )
    conversation = inbound_conversation(world.insurer_api)
    answer = signed_in(world.insurer_agent).post(
        f"/conversations/{conversation.pk}/note",
        {"text": "@wang 請看一下，@taro 不是這個品牌的"},
        **HX,
    )
    assert answer.status_code == 200
    note = Note.objects.get(conversation=conversation)
    assert list(note.mentions.all()) == [colleague]
    html = answer.content.decode()
    assert html.lstrip().startswith(f'<article id="note-{note.pk}"')
    assert "@王大明" in html and "Internal note" in html
    page = signed_in(world.insurer_agent).get(f"/conversations/{conversation.pk}").content.decode()
    assert f'id="note-{note.pk}"' in page


def test_stale_form_is_refused_with_a_clear_message(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    client = signed_in(world.insurer_agent)
    shown = conversation.version
    client.post(f"/conversations/{conversation.pk}/take", {"version": shown}, **HX)
    answer = client.post(
        f"/conversations/{conversation.pk}/update",
        {"version": shown, "status": "pending", "priority": 3, "assignee": "", "tags": ""},
        **HX,
    )
    assert answer.status_code == 409
    assert "Someone changed this conversation after you opened it" in answer.content.decode()
    fresh = Conversation.objects.get(pk=conversation.pk)
    assert fresh.status == Status.NEW and fresh.priority == 2
    assert fresh.assignee_id == world.insurer_agent.pk


def test_controls_change_status_priority_team_and_tags(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    claims = world.insurer_agent.teams.get()
    answer = signed_in(world.insurer_agent).post(
        f"/conversations/{conversation.pk}/update",
        {
            "version": conversation.version,
            "status": "on_hold",
            "priority": 4,
            "assignee": world.insurer_agent.pk,
            "team": claims.pk,
            "tags": "理賠, vip ,",
        },
        **HX,
    )
    assert answer.status_code == 200
    assert answer.content.decode().lstrip().startswith('<section id="controls"')
    fresh = Conversation.objects.get(pk=conversation.pk)
    assert (fresh.status, fresh.priority, fresh.assignee_id, fresh.team_id) == (
        Status.ON_HOLD,
        4,
        world.insurer_agent.pk,
        claims.pk,
    )
    assert sorted(fresh.tags.values_list("name", flat=True)) == ["vip", "理賠"]


def test_take_ownership_then_resolve(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    client = signed_in(world.insurer_agent)
    client.post(f"/conversations/{conversation.pk}/take", {"version": conversation.version}, **HX)
    fresh = Conversation.objects.get(pk=conversation.pk)
    assert fresh.assignee_id == world.insurer_agent.pk
    answer = client.post(f"/conversations/{conversation.pk}/resolve", {"version": fresh.version})
    assert answer.status_code == 302
    assert Conversation.objects.get(pk=conversation.pk).status == Status.RESOLVED


def _form_with_file(run_tasks, world, filename: str, content: bytes, content_type: str):
    boundary = "----lagniappe-test"
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = encode_multipart(
        boundary,
        {
            "email": "file@example.tw",
            "name": "附件",
            "message": "請看附件",
            "attachments": SimpleUploadedFile(filename, content, content_type=content_type),
        },
    )
    envelope = inbound.accept(
        endpoint=world.insurer_form,
        raw=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    run_tasks()
    envelope.refresh_from_db()
    return Message.objects.get(pk=envelope.message_ids[0])


def test_attachment_downloads_with_the_session_and_never_renders(world, signed_in, run_tasks):
    message = _form_with_file(
        run_tasks, world, "保單.html", b"<script>alert(1)</script>", "text/plain"
    )
    attachment = Attachment.objects.get(message=message)
    client = signed_in(world.insurer_agent)
    page = client.get(f"/conversations/{message.conversation_id}").content.decode()
    assert f'href="/attachments/{attachment.pk}/download"' in page and "保單.html" in page
    answer = client.get(f"/attachments/{attachment.pk}/download")
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"<script>alert(1)</script>"
    assert answer["Content-Type"] == "application/octet-stream"
    assert answer["Content-Disposition"].startswith("attachment;")
    assert "UTF-8''%E4%BF%9D%E5%96%AE.html" in answer["Content-Disposition"]
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Security-Policy"] == "sandbox"
    assert (
        signed_in(world.bank_agent).get(f"/attachments/{attachment.pk}/download").status_code == 404
    )


def test_conversation_page_costs_the_same_queries_for_2_or_20_messages(
    world, signed_in, inbound_conversation, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lagniappe.conversations.services import message_send, note_add
    from lagniappe.core.actors import SYSTEM

    def grow(conversation: Conversation, replies: int) -> None:
        for i in range(replies):
            message_send(
                actor=SYSTEM,
                conversation=conversation,
                author_id=world.insurer_agent.pk,
                text=f"{i}",
            )
            note_add(actor=SYSTEM, conversation=conversation, author_id=None, text=f"n{i}")

    small = inbound_conversation(world.insurer_api, email="s@x.tw")
    large = inbound_conversation(world.insurer_api, email="l@x.tw")
    grow(small, 1)
    grow(large, 19)
    client = signed_in(world.insurer_agent)
    client.get(f"/conversations/{small.pk}")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/conversations/{small.pk}")
    # 24: the page, plus the header (status, notifications), the read mark, reading the
    # conversation's notifications and the canned responses (docs/subsystems/workspace.md).
    assert len(few) <= 24, [q["sql"][:100] for q in few.captured_queries]
    with django_assert_max_num_queries(len(few)):
        page = client.get(f"/conversations/{large.pk}")
    assert page.content.decode().count('class="message message-out"') == 19
