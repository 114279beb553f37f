"""Customers sign in to the help centre with an emailed link and see their own conversations.

The link travels as real mail to an SMTP server on a free port; replies go through the web
form's inbound funnel and the worker, as in production.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lagniappe.channels import inbound
from lagniappe.channels.models import InboundEnvelope
from lagniappe.channels.services import endpoint_create
from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.models import Conversation, Message
from lagniappe.conversations.services import message_send, note_add
from lagniappe.core import clock
from lagniappe.core.actors import SYSTEM
from lagniappe.customers.models import PortalSignInLink, PortalSignInRequest
from tests.channels.email.smtp_capture import smtp_capture

pytestmark = pytest.mark.django_db

_LINK = re.compile(r"https?://\S+/help/insurance/sign-in/([A-Za-z0-9_\-]+)")


@dataclass
class People:
    chen: Conversation  # chen@example.tw, with the insurer
    chen_bank: Conversation  # the same person, with the bank
    wang: Conversation  # another customer of the insurer
    capture: object


def _api(endpoint, email: str, text: str, external_id: str, run_tasks) -> Conversation:
    body = {"customer": {"email": email}, "text": text, "external_id": external_id}
    envelope = inbound.accept(endpoint=endpoint, raw=json.dumps(body).encode())
    run_tasks()
    envelope.refresh_from_db()
    return Message.objects.get(pk=envelope.message_ids[0]).conversation


@pytest.fixture
def people(world, run_tasks):
    with smtp_capture() as (capture, port):
        endpoint_create(
            actor=SYSTEM,
            brand=world.insurer,
            kind="email",
            name="Help mailbox",
            settings={
                "address": "help@insurer.test",
                "from_name": "Harbour Insurance",
                "smtp": {"host": "127.0.0.1", "port": port},
            },
        )
        chen = _api(world.insurer_api, "chen@example.tw", "我的理賠進度如何？", "c-1", run_tasks)
        message_send(
            actor=SYSTEM,
            conversation=chen,
            author_id=world.insurer_agent.pk,
            text="您好，我們正在處理。",
            attachments=[AttachmentUpload("收據.pdf", "application/pdf", b"%PDF-1.4 chen")],
        )
        note_add(
            actor=SYSTEM,
            conversation=chen,
            author_id=world.insurer_agent.pk,
            text="INTERNAL: customer sounds upset",
        )
        chen_bank = _api(world.bank_api, "chen@example.tw", "BANK SECRET card", "b-1", run_tasks)
        wang = _api(world.insurer_api, "wang@example.tw", "WANG private claim", "w-1", run_tasks)
        message_send(
            actor=SYSTEM,
            conversation=wang,
            author_id=world.insurer_agent.pk,
            text="For Wang",
            attachments=[AttachmentUpload("wang.pdf", "application/pdf", b"%PDF-1.4 wang")],
        )
        run_tasks()
        capture.received.clear()
        yield People(chen, chen_bank, wang, capture)


def _ask(client: Client, address: str, brand: str = "insurance"):
    return client.post(f"/help/{brand}/sign-in", {"email": address})


def _mailed_token(people: People, run_tasks) -> str:
    run_tasks()
    assert len(people.capture.received) == 1
    envelope = people.capture.received.pop()
    mail = message_from_bytes(envelope.content, policy=default_policy)
    assert envelope.rcpt_tos == ["chen@example.tw"]
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "help@insurer.test" in mail["From"]
    match = _LINK.search(mail.get_body(("plain",)).get_content())
    assert match is not None
    return match.group(1)


def _signed_in_client(people: People, run_tasks) -> Client:
    client = Client()
    _ask(client, "Chen@Example.tw")
    token = _mailed_token(people, run_tasks)
    response = client.post(f"/help/insurance/sign-in/{token}")
    assert response.status_code == 303
    assert response["Location"] == "/help/insurance/conversations/"
    return client


def test_link_signs_in_and_shows_only_own_conversations_of_the_brand(people, run_tasks):
    client = _signed_in_client(people, run_tasks)
    listing = client.get("/help/insurance/conversations/").content.decode()
    assert f"/help/insurance/conversations/{people.chen.pk}/" in listing
    assert f"/conversations/{people.wang.pk}/" not in listing
    assert f"/conversations/{people.chen_bank.pk}/" not in listing
    assert "chen@example.tw" in listing

    page = client.get(f"/help/insurance/conversations/{people.chen.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("我的理賠進度如何？") < html.index("您好，我們正在處理。")
    assert "收據.pdf" in html
    assert "INTERNAL" not in html and "WANG" not in html and "BANK SECRET" not in html


def test_another_customers_or_brands_conversation_and_files_are_not_found(people, run_tasks, world):
    client = _signed_in_client(people, run_tasks)
    assert client.get(f"/help/insurance/conversations/{people.wang.pk}/").status_code == 404
    assert client.get(f"/help/insurance/conversations/{people.chen_bank.pk}/").status_code == 404
    assert client.get(f"/help/bank/conversations/{people.chen_bank.pk}/").status_code == 303
    wang_file = people.wang.attachments.get()
    assert client.get(f"/help/insurance/attachments/{wang_file.pk}").status_code == 404
    own = people.chen.attachments.get()
    download = client.get(f"/help/insurance/attachments/{own.pk}")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 chen"
    assert Client().get(f"/help/insurance/attachments/{own.pk}").status_code == 404


def test_known_and_unknown_addresses_get_the_same_answer(people, run_tasks):
    answers = []
    for address in ("chen@example.tw", "nobody@example.tw", "wang-not@example.tw"):
        response = _ask(Client(), address)
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1 and answers[0][0] == 303
    run_tasks()
    assert [e.rcpt_tos for e in people.capture.received] == [["chen@example.tw"]]
    assert PortalSignInRequest.objects.count() == 3  # every request counted, none named


def test_a_customer_of_another_brand_only_gets_no_link(people, run_tasks, world):
    _api(world.bank_api, "only-bank@example.tw", "hello", "b-2", run_tasks)
    assert _ask(Client(), "only-bank@example.tw").status_code == 303
    run_tasks()
    assert people.capture.received == []


def test_opening_the_link_does_not_spend_it_pressing_the_button_does_once(people, run_tasks):
    client = Client()
    _ask(client, "chen@example.tw")
    token = _mailed_token(people, run_tasks)
    for _ in range(2):  # a mail scanner fetching the link first changes nothing
        opened = client.get(f"/help/insurance/sign-in/{token}")
        assert opened.status_code == 200
        assert opened["Referrer-Policy"] == "same-origin"
        assert token not in opened.content.decode()  # not in "talk to a person"'s page either
    assert client.post(f"/help/insurance/sign-in/{token}").status_code == 303
    again = Client()
    assert again.post(f"/help/insurance/sign-in/{token}").status_code == 404
    assert again.get("/help/insurance/conversations/").status_code == 303
    assert PortalSignInLink.objects.get().used_at is not None


def test_expired_link_does_not_sign_in(people, run_tasks):
    client = Client()
    _ask(client, "chen@example.tw")
    token = _mailed_token(people, run_tasks)
    PortalSignInLink.objects.update(expires_at=clock.now() - timedelta(seconds=1))
    assert client.get(f"/help/insurance/sign-in/{token}").status_code == 404
    assert client.post(f"/help/insurance/sign-in/{token}").status_code == 404
    assert client.get("/help/insurance/conversations/").status_code == 303


def test_tampered_link_and_only_its_digest_stored(people, run_tasks):
    client = Client()
    _ask(client, "chen@example.tw")
    token = _mailed_token(people, run_tasks)
    link = PortalSignInLink.objects.get()
    assert token not in link.token_digest and len(link.token_digest) == 64
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for forged in (tampered, token + "x", "x" * 500, str(link.pk)):
        assert client.post(f"/help/insurance/sign-in/{forged}").status_code == 404
    assert client.get("/help/insurance/conversations/").status_code == 303
    assert client.post(f"/help/insurance/sign-in/{token}").status_code == 303  # still good


def test_link_of_one_brand_does_not_sign_in_on_another(people, run_tasks):
    client = Client()
    _ask(client, "chen@example.tw")
    token = _mailed_token(people, run_tasks)
    assert client.post(f"/help/bank/sign-in/{token}").status_code == 404
    assert client.get("/help/bank/conversations/").status_code == 303
    assert client.post(f"/help/insurance/sign-in/{token}").status_code == 303
    # Signed in on the insurer's help centre is not signed in on the bank's.
    assert client.get("/help/bank/conversations/").status_code == 303


def test_requests_are_limited_per_address_and_per_ip(people, run_tasks):
    client = Client()
    assert [_ask(client, "chen@example.tw").status_code for _ in range(4)] == [303, 303, 303, 429]
    assert _ask(client, "unknown@example.tw").status_code == 303  # limits are per address
    for number in range(6):
        assert _ask(client, f"someone{number}@example.tw").status_code == 303
    # Ten requests from this address in the window: the IP limit answers for every address.
    assert _ask(client, "another@example.tw").status_code == 429
    run_tasks()
    assert len(people.capture.received) == 3


def test_not_an_address_is_a_form_error(people):
    response = _ask(Client(), "not an address")
    assert response.status_code == 400
    assert PortalSignInRequest.objects.count() == 0


def test_answer_goes_through_the_inbound_funnel_into_the_same_conversation(people, run_tasks):
    client = _signed_in_client(people, run_tasks)
    before = InboundEnvelope.objects.count()
    response = client.post(
        f"/help/insurance/conversations/{people.chen.pk}/",
        {
            "message": "謝謝，我再等等。",
            "attachments": [
                SimpleUploadedFile(
                    '保單 "A".pdf', b"%PDF-1.4 policy", content_type="application/pdf"
                )
            ],
        },
    )
    assert response.status_code == 303
    assert InboundEnvelope.objects.count() == before + 1  # stored first
    run_tasks()
    latest = people.chen.messages.order_by("-id").first()
    assert latest.text.startswith("謝謝，我再等等。") and latest.direction == "in"
    assert latest.channel_kind == "webform"
    file = latest.attachments.get()
    assert file.filename == "保單 %22A%22.pdf" and file.content_type == "application/pdf"
    assert file.file.read() == b"%PDF-1.4 policy"
    assert latest.author_customer_id == people.chen.customer_id
    assert Conversation.objects.filter(customer_id=people.chen.customer_id).count() == 2
    assert (
        "謝謝，我再等等。"
        in client.get(f"/help/insurance/conversations/{people.chen.pk}/").content.decode()
    )


def test_answer_to_someone_elses_conversation_is_not_found(people, run_tasks):
    client = _signed_in_client(people, run_tasks)
    before = InboundEnvelope.objects.count()
    response = client.post(f"/help/insurance/conversations/{people.wang.pk}/", {"message": "x"})
    assert response.status_code == 404
    assert InboundEnvelope.objects.count() == before


def test_sign_out(people, run_tasks):
    client = _signed_in_client(people, run_tasks)
    assert 'action="/help/insurance/sign-out"' in client.get("/help/insurance/").content.decode()
    assert client.post("/help/insurance/sign-out").status_code == 303
    assert client.get("/help/insurance/conversations/").status_code == 303


def test_a_sign_in_lasts_eight_hours(people, run_tasks):
    client = _signed_in_client(people, run_tasks)
    session = client.session
    entries = session["portal_customer"]
    for entry in entries.values():
        entry["since"] -= 8 * 3600 + 1
    session["portal_customer"] = entries
    session.save()
    assert client.get("/help/insurance/conversations/").status_code == 303


def test_pages_cost_a_fixed_number_of_queries(people, run_tasks, django_assert_max_num_queries):
    client = _signed_in_client(people, run_tasks)
    for number in range(5):
        message_send(
            actor=SYSTEM,
            conversation=people.chen,
            author_id=None,
            text=f"reply {number}",
            attachments=[AttachmentUpload(f"{number}.pdf", "application/pdf", b"%PDF")],
        )
    # Session, brand, identity, conversation, web form (twice), look, messages, files.
    with django_assert_max_num_queries(9):
        assert client.get(f"/help/insurance/conversations/{people.chen.pk}/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/help/insurance/conversations/").status_code == 200
