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


def test_every_conversation_says_whether_and_where_it_was_merged(world, api_as, opened):
    target, source = opened(text="first"), opened(text="second")
    fresh = api_as("insurer").get(f"/conversations/{target}").json()
    assert fresh["merged_into_id"] is None and fresh["merged_at"] is None
    merged = api_as("insurer").post(f"/conversations/{source}/merge", {"into": target}).json()
    assert merged["id"] == target and merged["merged_into_id"] is None
    # The merged-away conversation still answers, and tells where its messages went.
    for who in ("insurer", "insurer_key", "admin"):
        away = api_as(who).get(f"/conversations/{source}")
        assert away.status_code == 200, (who, away.content)
        body = away.json()
        assert body["merged_into_id"] == target and body["merged_at"] is not None
        assert body["status"] == "closed" and body["message_count"] == 0
    # Lists carry the same fields.
    listed = {row["id"]: row for row in api_as("insurer").get("/conversations").json()["items"]}
    assert listed[source]["merged_into_id"] == target
    assert listed[target]["merged_into_id"] is None


def test_another_brand_cannot_see_a_merged_conversation_or_where_it_went(world, api_as, opened):
    target, source = opened(text="first"), opened(text="second")
    merged = api_as("insurer").post(f"/conversations/{source}/merge", {"into": target})
    assert merged.status_code == 200
    for who in ("bank", "bank_key"):
        away = api_as(who).get(f"/conversations/{source}")
        assert (away.status_code, away.json()["code"]) == (404, "not_found")
        assert "merged" not in away.content.decode()
        listed = api_as(who).get("/conversations").json()["items"]
        assert source not in {row["id"] for row in listed}


def test_the_openapi_schema_documents_the_merge_fields(world, api_as):
    schema = api_as("insurer").get("/openapi.json").json()
    properties = schema["components"]["schemas"]["ConversationOut"]["properties"]
    assert {"merged_into_id", "merged_at"} <= set(properties)
    assert "merged" in properties["merged_into_id"]["description"]
    assert properties["merged_at"]["anyOf"][0]["format"] == "date-time"
