"""The merge form on the conversation page: merge into a number, land on the remaining
conversation; an old link of the merged one leads there too; refusals in the agent's words."""

from __future__ import annotations

from lagniappe.conversations.models import Conversation, Message
from tests.workspace.conftest import assert_every_field_labelled


def test_merge_from_the_conversation_page(world, signed_in, inbound_conversation):
    target = inbound_conversation(world.insurer_api, text="第一封")
    source = inbound_conversation(world.insurer_api, text="第二封", email="wu@example.tw")
    client = signed_in(world.insurer_agent)
    page = client.get(f"/conversations/{source.pk}").content.decode()
    assert 'id="merge-into"' in page and 'id="merge-confirm"' in page
    assert_every_field_labelled(page)
    response = client.post(
        f"/conversations/{source.pk}/merge", {"into": target.pk, "confirm": "on"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/conversations/{target.pk}"
    shown = response.content.decode()
    assert "第一封" in shown and "第二封" in shown
    assert set(Message.objects.values_list("conversation_id", flat=True)) == {target.pk}
    # The merged conversation's old link lands on the one that remains.
    old = client.get(f"/conversations/{source.pk}")
    assert old.status_code == 302 and old["Location"] == f"/conversations/{target.pk}"


def test_refusals_stay_on_the_page(world, signed_in, inbound_conversation):
    mine = inbound_conversation(world.insurer_api)
    theirs = inbound_conversation(world.bank_api)
    client = signed_in(world.insurer_agent)
    unconfirmed = client.post(f"/conversations/{mine.pk}/merge", {"into": mine.pk}, follow=True)
    assert unconfirmed.redirect_chain[-1][0] == f"/conversations/{mine.pk}"
    itself = client.post(
        f"/conversations/{mine.pk}/merge", {"into": mine.pk, "confirm": "on"}, follow=True
    )
    assert "cannot be merged into itself" in itself.content.decode()
    other = client.post(
        f"/conversations/{mine.pk}/merge", {"into": theirs.pk, "confirm": "on"}, follow=True
    )
    assert "Not found" in other.content.decode()
    assert client.post(f"/conversations/{theirs.pk}/merge", {"into": mine.pk}).status_code == 404
    assert not Conversation.objects.filter(merged_into__isnull=False).exists()
