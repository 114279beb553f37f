"""The admin: every registered model opens, user data is escaped, failed envelopes replay."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from lagniappe.channels import inbound
from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.attachments import attachment_create
from lagniappe.conversations.changes import conversation_set_tags
from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.models import Attachment, Conversation, Message
from lagniappe.conversations.services import message_send, note_add
from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from lagniappe.staff.services import agent_create, skill_grant
from lagniappe.tenancy.services import brand_create, organisation_create

XSS_NAME = "<img src=x onerror=alert(1)>"


def _api_body(email: str, name: str = "陳小姐", text: str = "我的理賠進度如何？", **extra) -> bytes:
    body = {"customer": {"email": email, "name": name}, "text": text, **extra}
    return json.dumps(body, ensure_ascii=False).encode()


def _receive(world, email: str, **extra) -> Message:
    _, messages = inbound.accept_and_process(
        endpoint=world.insurer_api, raw=_api_body(email, **extra)
    )
    assert messages, "the API envelope should have been processed"
    return messages[0]


@pytest.fixture
def dataset(world, run_tasks):
    """At least one row of every model the admin shows, made by the real services."""
    message = _receive(world, "chen@example.tw", subject="理賠進度")
    conversation = message.conversation
    _receive(world, "xss@example.test", name=XSS_NAME, subject="escaping")
    message_send(
        actor=SYSTEM,
        conversation=conversation,
        author_id=world.insurer_agent.pk,
        text="您好，我們正在處理。",
    )
    note_add(actor=SYSTEM, conversation=conversation, author_id=world.admin.pk, text="VIP")
    conversation_set_tags(actor=SYSTEM, conversation=conversation, tags=["理賠"])
    attachment_create(
        conversation=conversation,
        upload=AttachmentUpload(filename="報告.pdf", content_type="application/pdf", content=b"%"),
    )
    skill_grant(actor=SYSTEM, agent=world.insurer_agent, skill_slug="claims")
    inbound.accept(endpoint=world.insurer_api, raw=b"\xff\xfe <script>alert(1)</script>")
    run_tasks()
    Group.objects.create(name="Supervisors")
    _knowledge(world)
    _email_settings(world)
    _portal(world)
    _canned(world)
    return conversation


def _canned(world) -> None:
    from lagniappe.staff.services import canned_response_create

    canned_response_create(
        actor=SYSTEM,
        brand=world.insurer,
        shortcut="hi",
        title="問候",
        text="{{customer.name}} 您好",
    )


def _portal(world) -> None:
    from lagniappe.portal.services import branding_save

    branding_save(
        actor=SYSTEM, brand=world.insurer, header_text_colour="#ffffff", background_colour="#f6f8fa"
    )


def _email_settings(world) -> None:
    from lagniappe.channels.email.models import EmailBrandSettings, EmailTemplate

    EmailBrandSettings.objects.create(brand=world.insurer, auto_reply_enabled=True)
    EmailTemplate.objects.create(
        brand=world.insurer, kind="reply", language="zh-Hant", text="{reply}\n\n-- \n<b>x</b>"
    )


def _knowledge(world) -> None:
    from lagniappe.knowledge import services as kb

    article = kb.article_create(actor=SYSTEM, brand=world.insurer, slug="claims-status")
    translation = kb.translation_save(
        actor=SYSTEM, article=article, language="zh-Hant", title="理賠進度", body_html="<p>查詢</p>"
    )
    kb.translation_save(
        actor=SYSTEM,
        article=article,
        language="zh-Hant",
        title="理賠進度查詢",
        body_html="<p>查</p>",
    )
    kb.article_publish(actor=SYSTEM, article=article)
    kb.feedback_record(
        article=article,
        translation=translation,
        helpful=False,
        reason="<b>不清楚</b>",
        language="zh-Hant",
        session_hash="s" * 64,
    )
    kb.search_log_record(brand=world.insurer, query="理賠", language="zh-Hant", result_count=1)
    kb.synonym_group_save(actor=SYSTEM, brand=world.insurer, language="zh-Hant", terms="理賠\n賠付")
    from lagniappe.knowledge.vector_services import translation_vectors_refresh

    translation_vectors_refresh()


@pytest.fixture
def admin_client(world) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_registered_model_opens(world, dataset, admin_client):
    opened = []
    for model, model_admin in admin.site._registry.items():
        changelist = admin_client.get(_url(model, "changelist"))
        assert changelist.status_code == 200, model
        add = admin_client.get(_url(model, "add"))
        expected_add = 200 if model_admin.has_add_permission(changelist.wsgi_request) else 403
        assert add.status_code == expected_add, model
        instance = model._default_manager.order_by("pk").first()
        assert instance is not None, f"the dataset has no {model.__name__}"
        change = admin_client.get(_url(model, "change", instance.pk))
        assert change.status_code == 200, model
        opened.append(model._meta.label)
    assert {
        "lagniappe_channels.InboundEnvelope",
        "lagniappe_channels.OutboundDelivery",
        "lagniappe_channels.Endpoint",
        "conversations.Conversation",
        "conversations.Message",
        "conversations.Note",
        "conversations.Attachment",
        "conversations.Tag",
        "core.AuditEvent",
    } <= set(opened)


def test_customer_names_are_escaped_in_lists(world, dataset, admin_client):
    for model in ("customers.Customer", "conversations.Conversation"):
        app_label, name = model.split(".")
        html = admin_client.get(reverse(f"admin:{app_label}_{name.lower()}_changelist"))
        html = html.content.decode()
        assert XSS_NAME not in html, model
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, model


def test_attachment_filename_is_escaped(world, dataset, admin_client):
    # Names are cleaned on the way in; this checks the admin does not trust them either.
    Attachment.objects.update(filename="<svg onload=alert(1)>.pdf")
    attachment = Attachment.objects.get()
    for url in (_url(Attachment, "changelist"), _url(Attachment, "change", attachment.pk)):
        html = admin_client.get(url).content.decode()
        assert "<svg onload" not in html
        assert "&lt;svg onload=alert(1)&gt;.pdf" in html


def test_endpoint_pages_never_show_the_secret_digest(world, dataset, admin_client):
    digest = world.insurer_api.secret_digest
    assert digest
    for url in (
        _url(type(world.insurer_api), "changelist"),
        _url(type(world.insurer_api), "change", world.insurer_api.pk),
    ):
        html = admin_client.get(url).content.decode()
        assert digest not in html
        assert world.insurer_api.secret_prefix in html


def test_endpoint_added_in_the_admin_gets_a_random_public_key_and_an_audit_row(world, admin_client):
    from lagniappe.channels.models import Endpoint

    response = admin_client.post(
        _url(Endpoint, "add"),
        {
            "brand": world.bank.pk,
            "kind": "webform",
            "name": "Bank contact form",
            "default_language": "ja",
            "settings": "{}",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = Endpoint.objects.get(name="Bank contact form")
    assert len(endpoint.public_key) >= 20
    assert AuditEvent.objects.filter(
        action="endpoint.create", object_id=str(endpoint.pk), actor_agent=world.admin
    ).exists()


def test_failed_envelope_shows_its_raw_input_escaped(world, dataset, admin_client):
    envelope = InboundEnvelope.objects.get(status=EnvelopeStatus.FAILED)
    html = admin_client.get(_url(InboundEnvelope, "change", envelope.pk)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "\ufffd" in html  # the bytes that are not UTF-8, replaced
    assert "UTF-8" in html  # the error


def test_envelope_list_puts_failed_first(world, dataset, admin_client):
    html = admin_client.get(_url(InboundEnvelope, "changelist")).content.decode()
    statuses = re.findall(r'<td class="field-status">([^<]+)</td>', html)
    assert statuses[0] == "Failed" and "Processed" in statuses


def _form_body(**fields) -> bytes:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"name": "林先生", "email": "lin@example.tw", "message": "附件是收據。", **fields}
    data["attachments"] = SimpleUploadedFile("收據.pdf", b"%PDF" + b"x" * 100, "application/pdf")
    return encode_multipart(BOUNDARY, data)


def test_replay_processes_a_failed_envelope_once_its_cause_is_fixed(world, admin_client, run_tasks):
    # The attachment limit was set too low when the form arrived, so processing refused it.
    with override_settings(LAGNIAPPE_MAX_ATTACHMENT_BYTES=50):
        envelope = inbound.accept(
            endpoint=world.insurer_form, raw=_form_body(), content_type=MULTIPART_CONTENT
        )
        run_tasks()
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.FAILED
    assert "PayloadTooLarge" in envelope.error
    assert not Conversation.objects.exists()

    # The limit is back to normal: the administrator replays the envelope.
    response = admin_client.post(
        _url(InboundEnvelope, "changelist"),
        {"action": "replay", "_selected_action": [envelope.pk], "index": 0},
        follow=True,
    )
    assert response.status_code == 200
    assert "queued to be processed again" in response.content.decode()
    audit = AuditEvent.objects.get(action="envelope.replay", object_id=str(envelope.pk))
    assert audit.actor_agent == world.admin and audit.brand_id == world.insurer.pk
    assert audit.before["status"] == EnvelopeStatus.FAILED

    assert run_tasks() >= 1
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED, envelope.error
    conversation = Conversation.objects.get()
    assert conversation.attachments.get().filename == "收據.pdf"
    assert envelope.attempts == 2


def test_replay_leaves_processed_envelopes_alone(world, dataset, admin_client):
    processed = InboundEnvelope.objects.filter(status=EnvelopeStatus.PROCESSED).first()
    response = admin_client.post(
        _url(InboundEnvelope, "changelist"),
        {"action": "replay", "_selected_action": [processed.pk], "index": 0},
        follow=True,
    )
    assert "already processed" in response.content.decode()
    assert not AuditEvent.objects.filter(action="envelope.replay").exists()


def test_raw_input_cannot_be_added_changed_or_deleted(world, dataset, admin_client):
    envelope = InboundEnvelope.objects.first()
    assert admin_client.get(_url(InboundEnvelope, "add")).status_code == 403
    assert admin_client.get(_url(InboundEnvelope, "delete", envelope.pk)).status_code == 403
    raw_before = bytes(envelope.raw)
    admin_client.post(_url(InboundEnvelope, "change", envelope.pk), {"status": "processed"})
    envelope.refresh_from_db()
    assert bytes(envelope.raw) == raw_before
    page = admin_client.get(_url(InboundEnvelope, "change", envelope.pk)).content.decode()
    assert 'name="raw"' not in page and "<textarea" not in page


def _conversations(world, count: int) -> None:
    for index in range(count):
        _receive(world, f"customer{index}@example.test", name=f"客戶 {index}")


@pytest.mark.parametrize("model", [Conversation, Message, InboundEnvelope, AuditEvent, Attachment])
def test_changelist_queries_do_not_grow_with_rows(
    world, admin_client, django_assert_max_num_queries, model
):
    _conversations(world, 5)
    for conversation in Conversation.objects.all():
        attachment_create(
            conversation=conversation,
            upload=AttachmentUpload(filename="a.txt", content_type="text/plain", content=b"a"),
        )
    url = _url(model, "changelist")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(url).status_code == 200
    _conversations(world, 25)
    for conversation in Conversation.objects.filter(attachments__isnull=True):
        attachment_create(
            conversation=conversation,
            upload=AttachmentUpload(filename="a.txt", content_type="text/plain", content=b"a"),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert "客戶 24" in response.content.decode() or model is not Conversation


def test_staff_of_another_organisation_see_nothing_of_this_one(world, dataset):
    other = organisation_create(actor=SYSTEM, name="Other Group", slug="other")
    brand_create(actor=SYSTEM, organisation=other, name="Other Brand", slug="other-brand")
    outsider = agent_create(
        actor=SYSTEM,
        organisation=other,
        email="out@other.test",
        display_name="Outsider",
        password="pw",
    )
    insider = agent_create(
        actor=SYSTEM,
        organisation=world.organisation,
        email="sup@harbour.test",
        display_name="Supervisor",
        password="pw",
        brands=[world.insurer],
    )
    view_permissions = Permission.objects.filter(
        codename__in=[
            "view_conversation",
            "view_customer",
            "view_inboundenvelope",
            "view_auditevent",
            "view_endpoint",
        ]
    )
    for agent in (outsider, insider):
        agent.is_staff = True
        agent.save(update_fields=["is_staff"])
        agent.user_permissions.set(view_permissions)
    conversation = dataset
    subject_cell = f">{conversation.subject}<"

    outsider_client, insider_client = Client(), Client()
    outsider_client.force_login(outsider)
    insider_client.force_login(insider)
    for model in (Conversation, InboundEnvelope, AuditEvent):
        assert outsider_client.get(_url(model, "changelist")).status_code == 200
    assert (
        subject_cell not in outsider_client.get(_url(Conversation, "changelist")).content.decode()
    )
    assert outsider_client.get(_url(Conversation, "change", conversation.pk)).status_code == 302
    envelopes = _url(InboundEnvelope, "changelist")
    assert "not UTF-8 JSON" not in outsider_client.get(envelopes).content.decode()
    assert "not UTF-8 JSON" in insider_client.get(envelopes).content.decode()
    assert subject_cell in insider_client.get(_url(Conversation, "changelist")).content.decode()
    assert insider_client.get(_url(Conversation, "change", conversation.pk)).status_code == 200
    # Viewing is not replaying: the action needs the change permission.
    envelope = InboundEnvelope.objects.get(status=EnvelopeStatus.FAILED)
    insider_client.post(
        _url(InboundEnvelope, "changelist"),
        {"action": "replay", "_selected_action": [envelope.pk], "index": 0},
    )
    assert not AuditEvent.objects.filter(action="envelope.replay").exists()


def test_note_added_in_the_admin_goes_through_the_service(world, dataset, admin_client):
    conversation = dataset
    conversation.refresh_from_db()
    page = admin_client.get(_url(Conversation, "change", conversation.pk)).content.decode()
    data = {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }
    data.update(
        {
            "brand": conversation.brand_id,
            "customer": conversation.customer_id,
            "subject": conversation.subject,
            "status": conversation.status,
            "priority": conversation.priority,
            "language": conversation.language,
            "notes-TOTAL_FORMS": int(data["notes-TOTAL_FORMS"]) + 1,
            "notes-1-text": "客戶來電催促",
            "notes-1-conversation": conversation.pk,
            "notes-0-text": "VIP",
        }
    )
    version = conversation.version
    response = admin_client.post(_url(Conversation, "change", conversation.pk), data)
    errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>.*?</ul>', response.content.decode())
    assert response.status_code == 302, errors
    note = conversation.notes.get(text="客戶來電催促")
    assert note.author == world.admin
    assert conversation.notes.count() == 2
    assert AuditEvent.objects.filter(action="note.add", actor_agent=world.admin).exists()
    conversation.refresh_from_db()
    assert conversation.version > version


def test_conversation_edited_in_the_admin_goes_through_the_services(world, dataset, admin_client):
    conversation = dataset
    conversation.refresh_from_db()
    page = admin_client.get(_url(Conversation, "change", conversation.pk)).content.decode()
    data = {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }
    data.update({"status": "closed", "priority": 4, "tags": [], "notes-0-text": "VIP"})
    response = admin_client.post(_url(Conversation, "change", conversation.pk), data)
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert (conversation.status, conversation.priority) == ("closed", 4)
    change = AuditEvent.objects.filter(
        action="conversation.update", object_id=str(conversation.pk), actor_agent=world.admin
    )
    assert change.exists()

    data.update({"status": "open"})
    response = admin_client.post(_url(Conversation, "change", conversation.pk), data)
    assert response.status_code == 200
    assert "This status cannot follow the current one." in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.status == "closed"


def test_admin_saves_are_audited_with_before_and_after(world, admin_client):
    brand = world.bank
    response = admin_client.post(
        _url(type(brand), "change", brand.pk),
        {
            "organisation": brand.organisation_id,
            "name": "Harbour Bank Japan",
            "slug": brand.slug,
            "default_language": brand.default_language,
            "time_zone": "Asia/Tokyo",
            "support_email": "",
            "support_phone": "",
            "primary_colour": brand.primary_colour,
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.change", object_type="brand")
    assert event.before == {"name": "Harbour Bank", "time_zone": "UTC"}
    assert event.after == {"name": "Harbour Bank Japan", "time_zone": "Asia/Tokyo"}
    assert event.actor_agent == world.admin


def test_mailbox_passwords_are_masked_in_the_admin_and_kept_on_save(world, admin_client):
    from lagniappe.channels.models import Endpoint
    from lagniappe.channels.services import endpoint_create
    from lagniappe.core.actors import SYSTEM

    mailbox = endpoint_create(
        actor=SYSTEM,
        brand=world.insurer,
        kind="email",
        name="Support mailbox",
        settings={
            "address": "help@insurer.test",
            "imap": {"host": "imap.test", "password": "s3cr3t-imap"},
        },
    )
    page = admin_client.get(_url(Endpoint, "change", mailbox.pk)).content.decode()
    assert "s3cr3t-imap" not in page and "********" in page
    response = admin_client.post(
        _url(Endpoint, "change", mailbox.pk),
        {
            "name": "Support mailbox (Taipei)",
            "default_language": "",
            "default_team": "",
            "settings": (
                '{"address": "help@insurer.test",'
                ' "imap": {"host": "imap2.test", "password": "********"}}'
            ),
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    mailbox.refresh_from_db()
    assert mailbox.settings["imap"] == {"host": "imap2.test", "password": "s3cr3t-imap"}
    assert "s3cr3t-imap" not in str(
        list(AuditEvent.objects.filter(object_type="endpoint").values_list("before", "after"))
    )
