"""/api/v1/conversations: open through the inbound funnel, list, read, change; brand walls."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.renderers import JSONRenderer

from lagniappe.api.schemas.conversations import ConversationCreatedOut
from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.conversations.models import Conversation, Message, Priority
from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from lagniappe.customers.identities import IdentityClaim
from lagniappe.customers.models import Customer
from lagniappe.customers.services import customer_create
from lagniappe.staff.models import Team

pytestmark = pytest.mark.django_db

GREETINGS = {
    "zh-Hant": ("保單查詢", "您好，我想查詢我的保單理賠進度。"),
    "zh-Hans": ("保单查询", "您好，我想查询我的保单理赔进度。"),
    "ja": ("口座について", "口座の残高を確認したいのですが、ログインできません。"),
    "id": ("Pertanyaan rekening", "Halo, saya tidak bisa masuk ke rekening saya."),
    "en": ("Card blocked", "Hello, my card was blocked after a trip abroad."),
}


def _open(api: Any, n: int = 1, **extra: Any) -> dict[str, Any]:
    body = {
        "customer": {"name": f"Customer {n}", "email": f"c{n}@example.com"},
        "subject": f"Subject {n}",
        "text": f"Message number {n}",
        **extra,
    }
    response = api.post("/conversations", body)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def _errors(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["details"]["errors"]]


# --- opening -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "language"),
    [
        ("insurer", "zh-Hant"),
        ("insurer", "zh-Hans"),
        ("bank", "ja"),
        ("bank_key", "id"),
        ("insurer_key", "en"),
    ],
)
def test_open_goes_through_the_funnel_in_each_language(world, api_as, who, language):  # type: ignore[no-untyped-def]
    subject, text = GREETINGS[language]
    response = api_as(who).post(
        "/conversations",
        {
            "customer": {"name": "顧客 Pelanggan", "email": f"{language}@example.com"},
            "subject": subject,
            "text": text,
            "language": language,
            "external_id": f"crm-{language}",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    brand = world.bank if who.startswith("bank") else world.insurer
    assert body["brand_id"] == brand.pk
    assert body["language"] == language
    assert body["subject"] == subject
    assert body["channel_kind"] == "api"
    assert body["status"] == "new"
    assert body["priority"] == "normal"
    assert body["message_count"] == 1
    assert body["tags"] == []
    message = Message.objects.get(pk=body["first_message_id"])
    assert message.text == text
    assert message.conversation_id == body["id"]
    assert message.direction == "in"
    # Store first: the envelope holds the customer's words, processed.
    envelope = InboundEnvelope.objects.get()
    assert envelope.status == EnvelopeStatus.PROCESSED
    assert envelope.message_ids == [message.pk]
    assert text in bytes(envelope.raw).decode("utf-8")
    assert envelope.endpoint.brand_id == brand.pk
    if who.endswith("_key"):
        assert (
            envelope.endpoint_id == (world.bank_api if who == "bank_key" else world.insurer_api).pk
        )
    # Whoever opened it is on the audit trail, besides the customer the funnel names.
    assert AuditEvent.objects.filter(
        action="conversation.open_via_api", object_id=str(body["id"])
    ).exists()
    detail = api_as(who).get(f"/conversations/{body['id']}")
    assert detail.status_code == 200
    assert detail.json()["subject"] == subject


@pytest.mark.parametrize("tags", [[], ["vip", "claims"]])
def test_the_created_answer_is_what_the_schema_makes_of_the_stored_row(world, api_as, tags):  # type: ignore[no-untyped-def]
    response = api_as("insurer").post(
        "/conversations",
        {
            "customer": {"name": "Ana", "email": "ana@example.com"},
            "subject": "Schema",
            "text": "Is the answer the schema's?",
            "priority": "high",
            "tags": tags,
        },
    )
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    stored = Conversation.objects.prefetch_related("tags").get(pk=response.json()["id"])
    stored.first_message_id = response.json()["first_message_id"]
    expected = ConversationCreatedOut.from_orm(stored).model_dump()
    assert response.json() == json.loads(JSONRenderer().render(None, expected, response_status=201))
    assert list(response.json()) == list(ConversationCreatedOut.model_fields)


def test_the_same_external_id_opens_one_conversation(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    body = {
        "customer": {"name": "陳大文", "email": "tai@example.hk"},
        "text": "我想查詢保單",
        "external_id": "ticket-1",
        "tags": ["保單"],
        "priority": "high",
    }
    first = api.post("/conversations", body)
    again = api.post("/conversations", body)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["first_message_id"] == first.json()["first_message_id"]
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 1
    # Every delivery is kept on the wire record; both point at the one message.
    assert InboundEnvelope.objects.count() == 2
    assert {tuple(e.message_ids) for e in InboundEnvelope.objects.all()} == {
        (first.json()["first_message_id"],)
    }
    assert again.json()["tags"] == ["保單"]
    assert again.json()["version"] == first.json()["version"]


def test_a_repeated_external_id_with_other_customer_details_adds_nobody(  # type: ignore[no-untyped-def]
    world, api_as
):
    api = api_as("insurer")
    body = {"customer": {"name": "陳大文", "email": "tai@example.hk"}, "text": "我想查詢保單"}
    first = api.post("/conversations", {**body, "external_id": "ticket-9"})
    other = {"name": "Siti", "email": "siti@example.co.id"}
    again = api.post("/conversations", {**body, "customer": other, "external_id": "ticket-9"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Customer.objects.count() == 1
    assert not AuditEvent.objects.filter(action="customer.create", after__name="Siti").exists()


def test_open_for_an_existing_customer(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    first = _open(api, 1)
    second = api.post(
        "/conversations",
        {"customer_id": first["customer_id"], "text": "再一個問題", "language": "zh-Hant"},
    )
    assert second.status_code == 201, second.content
    assert second.json()["customer_id"] == first["customer_id"]
    assert second.json()["id"] != first["id"]
    assert Customer.objects.count() == 1


def test_open_for_a_customer_without_a_handle_is_refused(world, api_as):  # type: ignore[no-untyped-def]
    customer = customer_create(
        actor=SYSTEM, organisation_id=world.organisation.pk, brand_id=world.insurer.pk, name="X"
    )
    response = api_as("insurer").post(
        "/conversations", {"customer_id": customer.pk, "text": "hello"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert InboundEnvelope.objects.count() == 0


def test_another_brands_external_id_is_not_used_as_the_handle(world, api_as):  # type: ignore[no-untyped-def]
    # Bank's customer id "42" names nobody at the insurer: writing as it would make a stranger.
    customer = customer_create(
        actor=SYSTEM,
        organisation_id=world.organisation.pk,
        brand_id=world.bank.pk,
        name="Ken",
        claims=[IdentityClaim("external_id", "42", True)],
    )
    customer.brands.add(world.insurer)
    response = api_as("insurer").post(
        "/conversations", {"customer_id": customer.pk, "text": "hello"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("who", ["bank", "bank_key"])
def test_open_for_another_brands_customer_is_not_found(world, api_as, who):  # type: ignore[no-untyped-def]
    insurer_conversation = _open(api_as("insurer"))
    response = api_as(who).post(
        "/conversations",
        {"customer_id": insurer_conversation["customer_id"], "text": "hello"},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert Conversation.objects.count() == 1


@pytest.mark.parametrize("who", ["bank", "bank_key"])
def test_open_in_another_brand_is_not_found(world, api_as, who):  # type: ignore[no-untyped-def]
    response = api_as(who).post(
        "/conversations",
        {"brand_id": world.insurer.pk, "customer": {"email": "a@example.com"}, "text": "hi"},
    )
    assert response.status_code == 404
    assert InboundEnvelope.objects.count() == 0


def test_an_admin_names_the_brand(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("admin")
    body = {"customer": {"email": "a@example.com"}, "text": "Hello"}
    missing = api.post("/conversations", body)
    assert missing.status_code == 422
    assert _errors(missing) == ["body.brand_id"]
    named = api.post("/conversations", {**body, "brand_id": world.bank.pk})
    assert named.status_code == 201
    assert named.json()["brand_id"] == world.bank.pk


def test_open_with_priority_tags_assignee_and_team(world, api_as):  # type: ignore[no-untyped-def]
    team = Team.objects.get(slug="claims")
    body = _open(
        api_as("insurer"),
        priority="urgent",
        tags=["理賠", "vip", "vip"],
        assignee_id=world.insurer_agent.pk,
        team_id=team.pk,
    )
    assert body["priority"] == "urgent"
    assert body["tags"] == ["vip", "理賠"]
    assert body["assignee_id"] == world.insurer_agent.pk
    assert body["team_id"] == team.pk
    stored = Conversation.objects.get(pk=body["id"])
    assert stored.priority == Priority.URGENT
    assert stored.version == body["version"]


def test_an_assignee_of_another_brand_leaves_nothing_behind(world, api_as):  # type: ignore[no-untyped-def]
    response = api_as("insurer").post(
        "/conversations",
        {
            "customer": {"email": "a@example.com"},
            "text": "hi",
            "assignee_id": world.bank_agent.pk,
        },
    )
    assert response.status_code == 422
    assert Conversation.objects.count() == 0
    assert InboundEnvelope.objects.count() == 0


def test_an_integration_cannot_assign_to_an_agent(world, api_as):  # type: ignore[no-untyped-def]
    response = api_as("insurer_key").post(
        "/conversations",
        {
            "customer": {"email": "a@example.com"},
            "text": "hi",
            "assignee_id": world.insurer_agent.pk,
        },
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Conversation.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "hi"}, "body"),
        (
            {"customer_id": 1, "customer": {"email": "a@example.com"}, "text": "hi"},
            "body",
        ),
        ({"customer": {"name": "No handle"}, "text": "hi"}, "body.customer"),
        ({"customer": {"email": "a@example.com"}, "text": ""}, "body.text"),
        ({"customer": {"email": "a@example.com"}, "text": "   "}, "body.text"),
        ({"customer": {"email": "a@example.com"}}, "body.text"),
        (
            {"customer": {"email": "a@example.com"}, "text": "hi", "priority": "asap"},
            "body.priority",
        ),
        ({"customer": {"email": "a@example.com"}, "text": "hi", "language": "xx"}, "body.language"),
        ({"customer": {"email": "a@example.com"}, "text": "hi", "tags": ["t"] * 21}, "body.tags"),
        ({"customer": {"email": "a@example.com", "age": 3}, "text": "hi"}, "body.customer.age"),
    ],
)
def test_open_input_is_checked_before_anything_is_stored(world, api_as, body, field):  # type: ignore[no-untyped-def]
    response = api_as("insurer").post("/conversations", body)
    assert response.status_code == 422, response.content
    assert field in _errors(response)
    assert InboundEnvelope.objects.count() == 0


def test_a_malformed_email_is_refused_before_storing(world, api_as):  # type: ignore[no-untyped-def]
    response = api_as("insurer").post(
        "/conversations", {"customer": {"email": "not-an-address"}, "text": "hi"}
    )
    assert response.status_code == 422
    assert InboundEnvelope.objects.count() == 0


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bank", "bank_key"])
def test_another_brands_conversation_is_not_found(world, api_as, who):  # type: ignore[no-untyped-def]
    insurer_conversation = _open(api_as("insurer"))
    api = api_as(who)
    path = f"/conversations/{insurer_conversation['id']}"
    assert api.get(path).status_code == 404
    patched = api.patch(path, {"status": "closed", "priority": "low", "tags": ["x"]})
    assert patched.status_code == 404
    assert patched.json()["code"] == "not_found"
    unchanged = Conversation.objects.get(pk=insurer_conversation["id"])
    assert (unchanged.status, unchanged.priority) == ("new", Priority.NORMAL)
    assert api.get(f"/conversations/{insurer_conversation['id'] + 1000}").status_code == 404


@pytest.mark.parametrize("who", ["bank", "bank_key"])
def test_lists_never_leak(world, api_as, who):  # type: ignore[no-untyped-def]
    insurer = _open(api_as("insurer"), 1)
    bank = _open(api_as("bank"), 2)
    api = api_as(who)
    assert [c["id"] for c in api.get("/conversations").json()["items"]] == [bank["id"]]
    assert api.get("/conversations", {"brand_id": world.insurer.pk}).json()["items"] == []
    by_customer = api.get("/conversations", {"customer_id": insurer["customer_id"]})
    assert by_customer.json()["items"] == []


def test_admin_sees_every_brand(world, api_as):  # type: ignore[no-untyped-def]
    _open(api_as("insurer"), 1)
    _open(api_as("bank"), 2)
    assert len(api_as("admin").get("/conversations").json()["items"]) == 2


def test_anonymous_callers_are_refused(world, api_as):  # type: ignore[no-untyped-def]
    conversation = _open(api_as("insurer"))
    anonymous = api_as("anonymous")
    path = f"/conversations/{conversation['id']}"
    for response in (
        anonymous.get("/conversations"),
        anonymous.post("/conversations", {"customer": {"email": "a@example.com"}, "text": "x"}),
        anonymous.get(path),
        anonymous.patch(path, {"status": "open"}),
    ):
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
    bad_token = api_as("insurer")
    bad_token.token = "nope"
    assert bad_token.get(path).status_code == 401
    assert Conversation.objects.count() == 1


def test_list_filters(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    first = _open(api, 1, language="zh-Hant", tags=["vip"], priority="high")
    second = _open(api, 2, language="en", assignee_id=world.insurer_agent.pk)
    third = _open(api, 3, language="zh-Hans")
    api.patch(f"/conversations/{third['id']}", {"status": "pending"})

    def ids(**params: Any) -> list[int]:
        response = api.get("/conversations", params)
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["items"]]

    assert ids() == [third["id"], second["id"], first["id"]]
    assert ids(status="pending") == [third["id"]]
    assert ids(status="new,pending") == [third["id"], second["id"], first["id"]]
    assert ids(status=["open", "pending"]) == [third["id"]]
    assert ids(language="zh-Hant") == [first["id"]]
    assert ids(language="zh-CN") == [third["id"]]
    assert ids(tag="vip") == [first["id"]]
    assert ids(priority="high") == [first["id"]]
    assert ids(assignee_id=world.insurer_agent.pk) == [second["id"]]
    assert ids(unassigned="true") == [third["id"], first["id"]]
    assert ids(customer_id=first["customer_id"]) == [first["id"]]
    assert ids(channel_kind="api") == [third["id"], second["id"], first["id"]]
    assert ids(channel_kind="email") == []
    bad = api.get("/conversations", {"status": "open,bogus"})
    assert bad.status_code == 422
    assert _errors(bad) == ["query.status"]
    assert api.get("/conversations", {"priority": "asap"}).status_code == 422


def test_cursor_pagination(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    opened = [_open(api, n)["id"] for n in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/conversations", params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == sorted(opened, reverse=True)
    assert api.get("/conversations", {"cursor": "garbage!"}).status_code == 422
    assert api.get("/conversations", {"limit": 101}).status_code == 422


def _conversations(world: Any, count: int) -> None:
    from lagniappe.conversations.changes import conversation_set_tags
    from lagniappe.conversations.services import conversation_create

    for n in range(count):
        customer = customer_create(
            actor=SYSTEM,
            organisation_id=world.organisation.pk,
            brand_id=world.insurer.pk,
            claims=[IdentityClaim("email", f"bulk{n}@example.com")],
        )
        conversation = conversation_create(
            actor=SYSTEM,
            brand_id=world.insurer.pk,
            customer=customer,
            channel_kind="api",
            assignee_id=world.insurer_agent.pk,
        )
        conversation_set_tags(actor=SYSTEM, conversation=conversation, tags=[f"t{n % 3}", "bulk"])


def _list_queries(api: Any, limit: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/conversations", {"limit": limit})
    assert response.status_code == 200
    assert all(len(c["tags"]) == 2 for c in response.json()["items"])
    return len(queries.captured_queries), len(response.json()["items"])


def test_list_costs_the_same_queries_for_5_and_50_rows(
    world, api_as, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    _conversations(world, 50)
    api = api_as("insurer")
    api.get("/conversations", {"limit": 1})  # warm caches outside the measurement
    small, small_rows = _list_queries(api, 5)
    large, large_rows = _list_queries(api, 50)
    assert (small_rows, large_rows) == (5, 50)
    assert small == large
    # Authentication (token, its use, the agent's brands), the rows, their tags.
    with django_assert_max_num_queries(6):
        api.get("/conversations", {"limit": 5})
    with django_assert_max_num_queries(6):
        api.get("/conversations", {"limit": 50})


# --- changing ------------------------------------------------------------------------------


def _patch(api: Any, conversation_id: int, body: dict[str, Any]) -> Any:
    return api.patch(f"/conversations/{conversation_id}", body)


@pytest.mark.parametrize(
    ("path", "target", "allowed"),
    [
        ([], "open", True),
        ([], "new", True),  # the same status is no change
        (["open"], "new", False),
        (["open"], "pending", True),
        (["pending"], "on_hold", True),
        (["on_hold"], "open", True),
        (["resolved"], "open", True),
        (["resolved"], "pending", False),
        (["resolved"], "closed", True),
        (["closed"], "open", False),
        (["closed"], "resolved", False),
    ],
)
def test_status_transitions(world, api_as, path, target, allowed):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    conversation = _open(api)
    for step in path:
        assert _patch(api, conversation["id"], {"status": step}).status_code == 200
    response = _patch(api, conversation["id"], {"status": target})
    if allowed:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == target
    else:
        assert response.status_code == 409
        assert response.json()["code"] == "invalid_transition"
        assert Conversation.objects.get(pk=conversation["id"]).status == (path or ["new"])[-1]


def test_resolving_stamps_the_time(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    conversation = _open(api)
    resolved = _patch(api, conversation["id"], {"status": "resolved"}).json()
    assert resolved["resolved_at"] is not None


def test_a_stale_version_is_a_conflict(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    conversation = _open(api)
    version = conversation["version"]
    fresh = _patch(api, conversation["id"], {"priority": "high", "version": version})
    assert fresh.status_code == 200
    assert fresh.json()["version"] > version
    stale = _patch(api, conversation["id"], {"priority": "low", "version": version})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert Conversation.objects.get(pk=conversation["id"]).priority == Priority.HIGH


def test_patch_assigns_tags_and_unassigns(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    team = Team.objects.get(slug="claims")
    conversation = _open(api)
    changed = _patch(
        api,
        conversation["id"],
        {
            "assignee_id": world.insurer_agent.pk,
            "team_id": team.pk,
            "tags": ["理賠", "急件"],
            "priority": "urgent",
        },
    ).json()
    assert changed["assignee_id"] == world.insurer_agent.pk
    assert changed["team_id"] == team.pk
    assert changed["tags"] == sorted(["理賠", "急件"])
    assert changed["priority"] == "urgent"
    # Only the team: the assignee stays.
    assert _patch(api, conversation["id"], {"team_id": team.pk}).json()["assignee_id"] == (
        world.insurer_agent.pk
    )
    unassigned = _patch(api, conversation["id"], {"assignee_id": None, "tags": []}).json()
    assert unassigned["assignee_id"] is None
    assert unassigned["team_id"] == team.pk
    assert unassigned["tags"] == []


def test_a_refused_change_undoes_the_others(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    conversation = _open(api)
    response = _patch(
        api, conversation["id"], {"status": "open", "assignee_id": world.bank_agent.pk}
    )
    assert response.status_code == 422
    stored = Conversation.objects.get(pk=conversation["id"])
    assert (stored.status, stored.assignee_id) == ("new", None)


def test_an_integration_changes_status_priority_and_tags_but_does_not_assign(world, api_as):  # type: ignore[no-untyped-def]
    key = api_as("insurer_key")
    conversation = _open(key)
    changed = _patch(
        key, conversation["id"], {"status": "pending", "priority": "low", "tags": ["crm"]}
    )
    assert changed.status_code == 200
    assert (changed.json()["status"], changed.json()["priority"]) == ("pending", "low")
    refused = _patch(key, conversation["id"], {"assignee_id": world.insurer_agent.pk})
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"


def test_patch_input_is_checked(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    conversation = _open(api)
    for body, field in [
        ({"status": "done"}, "body.status"),
        ({"colour": "red"}, "body.colour"),
        ({"assignee_id": 2**63}, "body.assignee_id"),
        ({"version": 0}, "body.version"),
    ]:
        response = _patch(api, conversation["id"], body)
        assert response.status_code == 422, body
        assert field in _errors(response)


def test_unknown_methods_answer_json_405(world, api_as):  # type: ignore[no-untyped-def]
    api = api_as("insurer")
    conversation = _open(api)
    response = api.delete(f"/conversations/{conversation['id']}")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "PATCH" in response["Allow"]


def test_the_external_id_look_up_uses_the_unique_index(world):
    """A create with an external id must not scan the endpoint's messages (it did on SQLite,
    which uses a partial index only when the query repeats its condition)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lagniappe.conversations.selectors import message_by_endpoint_external_id

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL infers the partial index's condition by itself")
    with CaptureQueriesContext(connection) as queries:
        message_by_endpoint_external_id(world.insurer_api.pk, "crm-42")
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "message_external_id_unique_per_endpoint" in plan, plan
