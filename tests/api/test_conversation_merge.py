"""POST /api/v1/conversations/{id}/merge: agents merge within their brands; another brand's
conversation is not found, as source or as target; refusals have stable codes."""

from __future__ import annotations

import pytest

from lagniappe.conversations.models import Conversation, Message


@pytest.fixture
def opened(api_as):
    def make(who: str = "insurer_key", text: str = "Where is my claim?") -> int:
        body = {"customer": {"email": f"{who}-{text[:5]}@example.org"}, "text": text}
        response = api_as(who).post("/conversations", body)
        assert response.status_code == 201, response.content
        return int(response.json()["id"])

    return make


def test_an_agent_merges_and_gets_the_remaining_conversation(world, api_as, opened):
    target, source = opened(text="first"), opened(text="second")
    response = api_as("insurer").post(f"/conversations/{source}/merge", {"into": target})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == target and body["message_count"] == 2
    assert set(Message.objects.values_list("conversation_id", flat=True)) == {target}
    merged = api_as("insurer").get(f"/conversations/{source}").json()
    assert merged["status"] == "closed" and merged["message_count"] == 0
    # Asking again answers the same and changes nothing.
    again = api_as("insurer").post(f"/conversations/{source}/merge", {"into": target})
    assert again.status_code == 200 and again.json()["version"] == body["version"]


def test_another_brands_conversation_is_not_found_as_source_or_target(world, api_as, opened):
    mine, theirs = opened(text="mine"), opened("bank_key", text="theirs")
    as_insurer = api_as("insurer")
    into_theirs = as_insurer.post(f"/conversations/{mine}/merge", {"into": theirs})
    from_theirs = as_insurer.post(f"/conversations/{theirs}/merge", {"into": mine})
    assert (into_theirs.status_code, into_theirs.json()["code"]) == (404, "not_found")
    assert (from_theirs.status_code, from_theirs.json()["code"]) == (404, "not_found")
    assert not Conversation.objects.filter(merged_into__isnull=False).exists()


def test_refusals_have_stable_codes(world, api_as, opened):
    one, two, bank = opened(text="one"), opened(text="two"), opened("bank_key", text="bank")
    admin = api_as("admin")  # sees both brands
    itself = admin.post(f"/conversations/{one}/merge", {"into": one})
    assert (itself.status_code, itself.json()["code"]) == (422, "merge_into_itself")
    across = admin.post(f"/conversations/{one}/merge", {"into": bank})
    assert (across.status_code, across.json()["code"]) == (422, "merge_across_brands")
    assert admin.post(f"/conversations/{one}/merge", {"into": two}).status_code == 200
    gone = admin.post(f"/conversations/{two}/merge", {"into": one})
    assert (gone.status_code, gone.json()["code"]) == (409, "conversation_merged")
    admin.patch(f"/conversations/{two}", {"status": "closed"})
    three = opened(text="three")
    closed = admin.post(f"/conversations/{three}/merge", {"into": two})
    assert (closed.status_code, closed.json()["code"]) == (409, "merge_closed")
    key = api_as("insurer_key").post(f"/conversations/{three}/merge", {"into": two})
    assert (key.status_code, key.json()["code"]) == (403, "permission_denied")
