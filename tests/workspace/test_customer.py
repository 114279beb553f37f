from lagniappe.conversations.models import Conversation
from lagniappe.core.models import AuditEvent
from lagniappe.customers.models import Customer
from tests.workspace.conftest import assert_every_field_labelled


def test_customer_page_edits_and_lists_identities(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    customer = conversation.customer
    client = signed_in(world.insurer_agent)
    page = client.get(f"/customers/{customer.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "chen@example.tw" in html and f'href="/conversations/{conversation.pk}"' in html
    assert assert_every_field_labelled(html) == 5  # with the language picker
    answer = client.post(
        f"/customers/{customer.pk}", {"name": "陳美玲", "language": "zh-Hant", "notes": "VIP"}
    )
    assert answer.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.language, customer.notes) == ("陳美玲", "zh-Hant", "VIP")
    assert AuditEvent.objects.filter(action="customer.update", object_id=customer.pk).exists()


def test_customer_of_another_brand_is_not_found(world, signed_in, inbound_conversation):
    customer = inbound_conversation(world.insurer_api).customer
    client = signed_in(world.bank_agent)
    assert client.get(f"/customers/{customer.pk}").status_code == 404
    assert client.post(f"/customers/{customer.pk}", {"name": "x"}).status_code == 404


def test_merge_shows_a_preview_then_merges_on_confirmation(world, signed_in, inbound_conversation):
    kept = inbound_conversation(world.insurer_api, email="chen@example.tw").customer
    duplicate_conversation = inbound_conversation(
        world.insurer_api, email="chen.other@example.tw", name="Chen"
    )
    duplicate = duplicate_conversation.customer
    client = signed_in(world.insurer_agent)
    preview = client.get(f"/customers/{kept.pk}/merge", {"source": duplicate.pk})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "conversations: 1" in html and "identities: 1" in html
    assert assert_every_field_labelled(html) == 2
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id is None  # a preview changes nothing
    answer = client.post(f"/customers/{kept.pk}/merge", {"source": duplicate.pk})
    assert answer.status_code == 302 and answer["Location"] == f"/customers/{kept.pk}"
    assert Customer.objects.get(pk=duplicate.pk).merged_into_id == kept.pk
    assert Conversation.objects.get(pk=duplicate_conversation.pk).customer_id == kept.pk
    page = client.get(f"/customers/{kept.pk}").content.decode()
    assert "chen.other@example.tw" in page and "The customers are merged." in page


def test_merge_into_itself_is_refused(world, signed_in, inbound_conversation):
    customer = inbound_conversation(world.insurer_api).customer
    client = signed_in(world.insurer_agent)
    answer = client.post(f"/customers/{customer.pk}/merge", {"source": customer.pk})
    assert answer.status_code == 302
    assert (
        "cannot be merged into itself" in client.get(f"/customers/{customer.pk}").content.decode()
    )


def test_merge_of_an_invisible_customer_is_not_found(world, signed_in, inbound_conversation):
    mine = inbound_conversation(world.insurer_api).customer
    theirs = inbound_conversation(world.bank_api, email="only-bank@example.jp").customer
    client = signed_in(world.insurer_agent)
    assert client.get(f"/customers/{mine.pk}/merge", {"source": theirs.pk}).status_code == 404
    assert client.post(f"/customers/{mine.pk}/merge", {"source": theirs.pk}).status_code == 404
    assert Customer.objects.get(pk=theirs.pk).merged_into_id is None
