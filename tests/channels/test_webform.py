"""The web form: the customer's page, its checks, and the raw body it stores for the worker."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import translation

from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.channels.services import endpoint_create
from lagniappe.conversations.models import Attachment, Conversation
from lagniappe.core.actors import SYSTEM
from lagniappe.customers.models import Identity


def _url(world, suffix: str = "") -> str:
    return f"/forms/{world.insurer_form.public_key}/{suffix}"


def _post(client: Client, url: str, **fields):
    data = {
        "name": "陳小姐",
        "email": "chen@example.tw",
        "phone": "",
        "subject": "理賠進度",
        "message": "請問我的理賠申請進度如何？謝謝。",
        "language": "zh-Hant",
    }
    data.update(fields)
    return client.post(url, data)


def test_get_renders_a_labelled_form(world, client):
    response = client.get(_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("name", "email", "phone", "subject", "message", "attachments"):
        assert re.search(rf'<label for="id_{field}">[^<]+</label>', html), field
        assert f'id="id_{field}"' in html
    assert 'type="file" name="attachments" multiple' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="language" value="en"' in html
    for hidden in ("page", "searches", "articles"):
        assert f'type="hidden" name="{hidden}"' in html
    assert "Harbour Insurance" in html


def test_chinese_message_with_a_file_becomes_a_conversation(world, client, run_tasks):
    upload = SimpleUploadedFile("報告 <b>.pdf", b"%PDF-1.4 claim", content_type="application/pdf")
    response = _post(client, _url(world), attachments=[upload])
    assert response.status_code == 303
    thanks = response["Location"]
    assert thanks == _url(world, "thanks") + "?language=en"
    envelope = InboundEnvelope.objects.get()
    assert envelope.endpoint == world.insurer_form
    assert envelope.content_type.startswith("multipart/form-data; boundary=")
    raw = bytes(envelope.raw)
    assert "請問我的理賠申請進度如何".encode() in raw and b"%PDF-1.4 claim" in raw

    assert run_tasks() >= 1
    envelope.refresh_from_db()
    assert envelope.status == EnvelopeStatus.PROCESSED, envelope.error
    conversation = Conversation.objects.get()
    assert conversation.brand == world.insurer
    assert conversation.subject == "理賠進度"
    assert conversation.messages.get().text == "請問我的理賠申請進度如何？謝謝。"
    attachment = Attachment.objects.get(conversation=conversation)
    assert attachment.filename == "報告 _b_.pdf"
    assert attachment.file.read() == b"%PDF-1.4 claim"
    assert Identity.objects.get(customer=conversation.customer).value == "chen@example.tw"
    assert conversation.customer.name == "陳小姐"

    page = client.get(thanks)
    assert page.status_code == 200
    main = page.content.decode().split("<main>", 1)[1].split("</main>", 1)[0]
    visible = re.sub(r"<[^>]+>", " ", main)
    assert "received your message" in visible
    assert not re.search(r"\d", visible), visible  # no envelope, message or conversation id


def test_phone_alone_is_enough(world, client, run_tasks):
    response = _post(client, _url(world), email="", phone="+886 2 2345 6789")
    assert response.status_code == 303
    run_tasks()
    conversation = Conversation.objects.get()
    assert Identity.objects.get(customer=conversation.customer).kind == "phone"


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": "", "phone": ""}, "email", "email address or a phone number"),
        ({"email": "", "phone": "call me"}, "phone", "phone number"),
        ({"message": "   "}, "message", "Write a message or attach a file"),
    ],
)
def test_invalid_input_is_shown_next_to_the_field_and_nothing_is_stored(
    world, client, fields, field, fragment
):
    response = _post(client, _url(world), **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert fragment in html
    assert re.search(rf'<[^>]+id="id_{field}"[^>]*aria-invalid="true"', html) or re.search(
        rf'<[^>]+aria-invalid="true"[^>]*id="id_{field}"', html
    )
    assert 'role="alert"' in html
    assert '<input type="hidden" name="language" value="zh-Hant"' in html
    assert not InboundEnvelope.objects.exists()


def test_form_shown_again_keeps_the_page_language_when_none_was_posted(world, client):
    response = _post(client, _url(world) + "?language=ja", email="x", language="")
    assert response.status_code == 400
    assert '<input type="hidden" name="language" value="ja"' in response.content.decode()


def test_submitted_values_are_escaped_when_the_form_is_shown_again(world, client):
    response = _post(client, _url(world), name='"><script>alert(1)</script>', email="x")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unknown_inactive_or_other_kind_of_endpoint_is_404(world, client):
    assert client.get("/forms/no-such-key/").status_code == 404
    assert _post(client, "/forms/no-such-key/").status_code == 404
    assert client.get(f"/forms/{world.insurer_api.public_key}/").status_code == 404
    world.insurer_form.is_active = False
    world.insurer_form.save(update_fields=["is_active"])
    assert client.get(_url(world)).status_code == 404
    assert client.get(_url(world, "thanks")).status_code == 404
    assert not InboundEnvelope.objects.exists()


@override_settings(LAGNIAPPE_MAX_ATTACHMENT_BYTES=1000)
def test_oversized_file_is_refused_with_a_message_and_nothing_is_stored(world, client):
    small_overflow = SimpleUploadedFile("big.pdf", b"x" * 1001, content_type="application/pdf")
    response = _post(client, _url(world), attachments=[small_overflow])
    assert response.status_code == 400
    assert 'id="id_attachments_error"' in response.content.decode()
    assert "big.pdf" in response.content.decode()

    huge = SimpleUploadedFile("huge.pdf", b"x" * 200_000, content_type="application/pdf")
    response = _post(client, _url(world), attachments=[huge])
    assert response.status_code == 413
    assert "larger than allowed" in response.content.decode()
    assert not InboundEnvelope.objects.exists()


def test_blocked_file_type_is_refused_before_storing(world, client):
    page = SimpleUploadedFile("x.html", b"<script>1</script>", content_type="text/html")
    response = _post(client, _url(world), attachments=[page])
    assert response.status_code == 400
    assert 'id="id_attachments_error"' in response.content.decode()
    assert not InboundEnvelope.objects.exists()


def test_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = _post(client, _url(world))
    assert response.status_code == 403
    assert not InboundEnvelope.objects.exists()


def test_post_with_csrf_token_from_the_page_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    page = client.get(_url(world)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = _post(client, _url(world), csrfmiddlewaretoken=token)
    assert response.status_code == 303
    assert InboundEnvelope.objects.count() == 1


def test_urlencoded_post_is_refused(world, client):
    response = client.post(
        _url(world),
        "email=a%40b.test&message=hi",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert not InboundEnvelope.objects.exists()


@pytest.mark.parametrize("how", ["header", "query"])
def test_page_language_follows_the_request(world, client, how):
    if how == "header":
        response = client.get(_url(world), headers={"accept-language": "ja"})
    else:
        response = client.get(_url(world) + "?language=ja")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja"' in html
    assert '<input type="hidden" name="language" value="ja"' in html
    assert response["Content-Language"] == "ja"


def test_page_strings_go_through_gettext(world, client, monkeypatch):
    """Every visible string is marked: a catalogue that shouts proves it reaches the page."""
    from django.utils.translation import trans_real

    catalogue = trans_real.translation("ja")
    monkeypatch.setattr(catalogue, "gettext", lambda message: f"«{message}»", raising=False)
    with translation.override("ja"):
        html = client.get(_url(world) + "?language=ja").content.decode()
    for text in ("Your name", "Email address", "Phone number", "Subject", "Message", "Send"):
        assert f"«{text}»" in html, text


def test_other_brands_form_stores_for_that_brand(world, client, run_tasks):
    bank_form = endpoint_create(actor=SYSTEM, brand=world.bank, kind="webform", name="Bank form")
    response = _post(client, f"/forms/{bank_form.public_key}/", message="口座について")
    assert response.status_code == 303
    run_tasks()
    assert Conversation.objects.get().brand == world.bank
