"""/api/v1/customers through the real URL conf, auth, services and database."""

from __future__ import annotations

from typing import Any

import pytest

from lagniappe.api.pagination import cursor_encode
from lagniappe.conversations.models import Conversation, Priority
from lagniappe.conversations.services import conversation_create
from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from lagniappe.customers.identities import IdentityClaim
from lagniappe.customers.models import Customer, Identity
from lagniappe.customers.services import customer_create, identity_add
from tests.conftest import World

BANK_VIEWERS = ["bank", "bank_key"]


def _customer(
    world: World, brands: list[Any], email: str, name: str = "", **claims: str
) -> Customer:
    customer = customer_create(
        actor=SYSTEM,
        organisation_id=world.organisation.pk,
        brand_id=brands[0].pk,
        name=name,
        claims=[IdentityClaim("email", email)],
    )
    customer.brands.add(*brands)
    for brand_slug, external_id in claims.items():
        brand = next(b for b in brands if b.slug == brand_slug)
        identity_add(
            actor=SYSTEM,
            customer=customer,
            brand_id=brand.pk,
            claim=IdentityClaim("external_id", external_id, brand_scoped=True),
        )
    return customer


def _conversation(customer: Customer, brand: Any, subject: str) -> Conversation:
    return conversation_create(
        actor=SYSTEM,
        brand_id=brand.pk,
        customer=customer,
        channel_kind="email",
        subject=subject,
        language="ja",
        priority=Priority.HIGH,
    )


@pytest.fixture
def insurer_only(world: World) -> Customer:
    """A customer only the insurer's agents and key may see, with a conversation."""
    customer = _customer(world, [world.insurer], "secret@insured.test", "保戶甲", insurance="POL-1")
    _conversation(customer, world.insurer, "理賠")
    return customer


@pytest.fixture
def shared(world: World) -> Customer:
    """One person who contacted both brands, with a conversation and an external id in each."""
    customer = _customer(
        world,
        [world.insurer, world.bank],
        "both@example.jp",
        "両方さん",
        insurance="POL-9",
        bank="ACC-9",
    )
    _conversation(customer, world.insurer, "insurer claim")
    _conversation(customer, world.bank, "bank card")
    return customer


def _error_fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["details"]["errors"]]


# --- list -------------------------------------------------------------------------------


def test_list_pages_newest_first_with_a_cursor(world, api_as):
    created = [_customer(world, [world.insurer], f"c{n}@example.tw", f"客戶{n}") for n in range(5)]
    api = api_as("insurer")
    first = api.get("/customers", {"limit": 3})
    assert first.status_code == 200
    body = first.json()
    assert [item["id"] for item in body["items"]] == [c.pk for c in created[::-1][:3]]
    assert body["items"][0]["identities"][0]["value"] == "c4@example.tw"
    assert body["items"][0]["brand_ids"] == [world.insurer.pk]
    second = api.get("/customers", {"limit": 3, "cursor": body["next"]}).json()
    assert [item["id"] for item in second["items"]] == [created[1].pk, created[0].pk]
    assert second["next"] is None


def test_list_searches_names_and_identities(world, api_as):
    wanted = _customer(world, [world.insurer], "wanted@example.tw", "王小明")
    _customer(world, [world.insurer], "other@example.tw", "李大華")
    api = api_as("insurer_key")
    by_name = api.get("/customers", {"q": "小明"}).json()["items"]
    by_identity = api.get("/customers", {"q": "WANTED@"}).json()["items"]
    assert [c["id"] for c in by_name] == [wanted.pk]
    assert [c["id"] for c in by_identity] == [wanted.pk]


@pytest.mark.parametrize("who", BANK_VIEWERS)
def test_list_shows_the_bank_nothing_of_the_insurer(world, api_as, insurer_only, shared, who):
    api = api_as(who)
    items = api.get("/customers").json()["items"]
    assert [item["id"] for item in items] == [shared.pk]
    (item,) = items
    assert item["brand_ids"] == [world.bank.pk]
    values = {identity["value"] for identity in item["identities"]}
    assert values == {"both@example.jp", "ACC-9"}
    assert api.get("/customers", {"q": "secret"}).json()["items"] == []
    assert api.get("/customers", {"q": "POL-9"}).json()["items"] == []


def test_list_hides_merged_customers(world, api_as):
    source = _customer(world, [world.insurer], "old@example.tw")
    target = _customer(world, [world.insurer], "new@example.tw")
    api = api_as("insurer")
    assert api.post(f"/customers/{source.pk}/merge", {"into": target.pk}).status_code == 200
    assert [c["id"] for c in api.get("/customers").json()["items"]] == [target.pk]


@pytest.mark.parametrize("who", ["insurer", "insurer_key"])
def test_list_costs_the_same_queries_for_5_and_50_customers(
    world, api_as, django_assert_max_num_queries, who
):
    def fill(count: int) -> None:
        start = Customer.objects.count()
        for n in range(start, start + count):
            _customer(
                world,
                [world.insurer, world.bank],
                f"q{n}@example.tw",
                f"客戶{n}",
                insurance=f"POL-{n}",
                bank=f"ACC-{n}",
            )

    api = api_as(who)
    # auth (token, last-used stamp, scope) + one page query + identities + brands
    budget = 6
    fill(5)
    with django_assert_max_num_queries(budget):
        small = api.get("/customers", {"limit": 5})
    fill(45)
    with django_assert_max_num_queries(budget):
        large = api.get("/customers", {"limit": 50})
    assert len(small.json()["items"]) == 5
    assert len(large.json()["items"]) == 50
    assert all(len(item["identities"]) == 2 for item in large.json()["items"])


# --- create -------------------------------------------------------------------------------


def test_create_with_the_agents_only_brand(world, api_as):
    response = api_as("insurer").post(
        "/customers",
        {
            "name": "陳小姐",
            "language": "zh-Hant",
            "identities": [
                {"kind": "email", "value": " Chen@Example.TW "},
                {"kind": "phone", "value": "+886 (2) 2345-6789"},
                {"kind": "external_id", "value": "POL-77"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["brand_ids"] == [world.insurer.pk]
    assert body["language"] == "zh-Hant"
    assert [(i["kind"], i["value"], i["brand_id"]) for i in body["identities"]] == [
        ("email", "chen@example.tw", None),
        ("phone", "+886223456789", None),
        ("external_id", "POL-77", world.insurer.pk),
    ]
    assert AuditEvent.objects.filter(action="customer.create", object_id=str(body["id"])).exists()


def test_create_by_api_key_uses_its_brand_and_refuses_another(world, api_as):
    api = api_as("bank_key")
    created = api.post("/customers", {"identities": [{"kind": "email", "value": "k@bank.jp"}]})
    assert created.status_code == 201
    assert created.json()["brand_ids"] == [world.bank.pk]
    refused = api.post(
        "/customers",
        {"brand_id": world.insurer.pk, "identities": [{"kind": "email", "value": "x@bank.jp"}]},
    )
    assert refused.status_code == 404
    assert not Identity.objects.filter(value="x@bank.jp").exists()


@pytest.mark.parametrize("who", BANK_VIEWERS)
def test_create_in_the_insurers_brand_is_not_found_for_the_bank(world, api_as, who):
    response = api_as(who).post(
        "/customers",
        {"brand_id": world.insurer.pk, "identities": [{"kind": "email", "value": "n@x.jp"}]},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Customer.objects.exists()


def test_admin_must_name_the_brand(world, api_as):
    api = api_as("admin")
    body: dict[str, Any] = {"identities": [{"kind": "email", "value": "a@x.jp"}]}
    missing = api.post("/customers", body)
    assert missing.status_code == 422
    assert _error_fields(missing) == ["body.brand_id"]
    named = api.post("/customers", {**body, "brand_id": world.bank.pk})
    assert named.status_code == 201
    assert named.json()["brand_ids"] == [world.bank.pk]


def test_taken_identity_names_the_owner_only_to_who_may_see_them(world, api_as, insurer_only):
    body = {"identities": [{"kind": "email", "value": "SECRET@insured.test"}]}
    for who in BANK_VIEWERS:
        hidden = api_as(who).post("/customers", body)
        assert hidden.status_code == 409
        assert hidden.json()["code"] == "identity_taken"
        assert "customer_id" not in hidden.json()["details"]
        assert str(insurer_only.pk) not in hidden.content.decode()
    shown = api_as("insurer").post("/customers", body)
    assert shown.status_code == 409
    assert shown.json()["details"]["customer_id"] == insurer_only.pk
    assert Customer.objects.count() == 1


def test_a_handle_repeated_in_one_request_is_stored_once(world, api_as):
    response = api_as("insurer").post(
        "/customers",
        {"identities": [{"kind": "email", "value": "twice@x.tw"}] * 2},
    )
    assert response.status_code == 201
    assert len(response.json()["identities"]) == 1


@pytest.mark.parametrize(
    ("identity", "field"),
    [
        ({"kind": "email", "value": "not-an-address"}, "body.identities.0.value"),
        ({"kind": "phone", "value": "call me maybe"}, "body.identities.0.value"),
        ({"kind": "fax", "value": "123"}, "body.identities.0.kind"),
    ],
)
def test_create_refuses_invalid_identities_with_a_field_path(world, api_as, identity, field):
    response = api_as("insurer").post("/customers", {"identities": [identity]})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert _error_fields(response) == [field]
    assert not Customer.objects.exists()


def test_create_refuses_unknown_fields_and_empty_identities(world, api_as):
    api = api_as("insurer")
    unknown = api.post(
        "/customers", {"nickname": "x", "identities": [{"kind": "email", "value": "a@b.tw"}]}
    )
    assert unknown.status_code == 422
    assert _error_fields(unknown) == ["body.nickname"]
    empty = api.post("/customers", {"identities": []})
    assert empty.status_code == 422
    assert _error_fields(empty) == ["body.identities"]


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("陳美玲（臺北）", "zh-Hant"),
        ("山田 花子・ヤマダ", "ja"),
        ("Siti Nurhaliza binti Tarudin", "id"),
        ('<script>alert("x")</script> & Co', "en"),
    ],
)
def test_names_round_trip_unchanged(world, api_as, name, language):
    api = api_as("insurer")
    created = api.post(
        "/customers",
        {"name": name, "language": language, "identities": [{"kind": "email", "value": "r@t.tw"}]},
    )
    assert created.status_code == 201
    assert created.json()["name"] == name
    fetched = api.get(f"/customers/{created.json()['id']}")
    assert fetched["Content-Type"].startswith("application/json")
    assert fetched.json()["name"] == name
    assert fetched.json()["language"] == language
    assert Customer.objects.get().name == name


# --- detail and update -------------------------------------------------------------------


def test_get_shows_the_viewers_part_of_a_customer(world, api_as, shared):
    insurer_view = api_as("insurer").get(f"/customers/{shared.pk}").json()
    bank_view = api_as("bank_key").get(f"/customers/{shared.pk}").json()
    admin_view = api_as("admin").get(f"/customers/{shared.pk}").json()
    assert insurer_view["brand_ids"] == [world.insurer.pk]
    assert {i["value"] for i in insurer_view["identities"]} == {"both@example.jp", "POL-9"}
    assert {i["value"] for i in bank_view["identities"]} == {"both@example.jp", "ACC-9"}
    assert admin_view["brand_ids"] == sorted([world.insurer.pk, world.bank.pk])
    assert len(admin_view["identities"]) == 3


def test_patch_updates_and_audits(world, api_as, insurer_only):
    response = api_as("insurer").patch(
        f"/customers/{insurer_only.pk}",
        {"name": "保戶乙", "time_zone": "Asia/Taipei", "language": "zh-TW", "notes": "VIP"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["time_zone"], body["language"], body["notes"]) == (
        "保戶乙",
        "Asia/Taipei",
        "zh-Hant",
        "VIP",
    )
    event = AuditEvent.objects.get(action="customer.update", object_id=str(insurer_only.pk))
    assert event.before["name"] == "保戶甲"
    assert body["identities"][0]["value"] == "secret@insured.test"


def test_patch_leaves_out_fields_unchanged_and_validates(world, api_as, insurer_only):
    api = api_as("insurer_key")
    assert api.patch(f"/customers/{insurer_only.pk}", {"notes": "n"}).json()["name"] == "保戶甲"
    bad = api.patch(
        f"/customers/{insurer_only.pk}",
        {"time_zone": "Mars/Olympus", "language": "tlh", "nickname": "x"},
    )
    assert bad.status_code == 422
    assert sorted(_error_fields(bad)) == ["body.language", "body.nickname", "body.time_zone"]
    insurer_only.refresh_from_db()
    assert insurer_only.time_zone == ""


# --- identities ------------------------------------------------------------------------------


def test_identities_list_and_add(world, api_as, shared):
    api = api_as("bank")
    listed = api.get(f"/customers/{shared.pk}/identities").json()["items"]
    assert [i["value"] for i in listed] == ["both@example.jp", "ACC-9"]
    added = api.post(
        f"/customers/{shared.pk}/identities", {"kind": "phone", "value": "090-1234-5678"}
    )
    assert added.status_code == 201, added.content
    assert (added.json()["value"], added.json()["brand_id"]) == ("09012345678", None)
    scoped = api.post(f"/customers/{shared.pk}/identities", {"kind": "chat_visitor", "value": "v1"})
    assert scoped.status_code == 201
    assert scoped.json()["brand_id"] == world.bank.pk
    assert AuditEvent.objects.filter(
        action="customer.identity_add", brand_id=world.bank.pk
    ).exists()
    # The insurer sees the phone (organisation-wide) but not the bank's chat visitor.
    insurer_values = [
        i["value"]
        for i in api_as("insurer").get(f"/customers/{shared.pk}/identities").json()["items"]
    ]
    assert insurer_values == ["both@example.jp", "POL-9", "09012345678"]


def test_brand_scoped_identity_needs_a_visible_brand(world, api_as, shared):
    api = api_as("admin")
    missing = api.post(f"/customers/{shared.pk}/identities", {"kind": "external_id", "value": "E"})
    assert missing.status_code == 422
    assert _error_fields(missing) == ["body.brand_id"]
    hidden = api_as("bank").post(
        f"/customers/{shared.pk}/identities",
        {"kind": "external_id", "value": "E", "brand_id": world.insurer.pk},
    )
    assert hidden.status_code == 404
    named = api.post(
        f"/customers/{shared.pk}/identities",
        {"kind": "external_id", "value": "E", "brand_id": world.insurer.pk},
    )
    assert named.status_code == 201
    assert named.json()["brand_id"] == world.insurer.pk


def test_adding_a_taken_identity_conflicts(world, api_as, shared, insurer_only):
    response = api_as("bank").post(
        f"/customers/{shared.pk}/identities", {"kind": "email", "value": "secret@insured.test"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "identity_taken"
    assert "customer_id" not in response.json()["details"]
    again = api_as("insurer").post(
        f"/customers/{shared.pk}/identities", {"kind": "email", "value": "both@example.jp"}
    )
    assert again.status_code == 409
    assert again.json()["details"]["customer_id"] == shared.pk


def test_adding_an_invalid_identity_names_the_field(world, api_as, shared):
    response = api_as("bank").post(
        f"/customers/{shared.pk}/identities", {"kind": "email", "value": "nope"}
    )
    assert response.status_code == 422
    assert _error_fields(response) == ["body.value"]


# --- merge -------------------------------------------------------------------------------------


def test_merge_preview_counts_what_the_viewer_may_see(world, api_as, shared):
    target = _customer(world, [world.bank], "target@bank.jp")
    bank = api_as("bank").get(f"/customers/{shared.pk}/merge-preview", {"into": target.pk})
    assert bank.status_code == 200, bank.content
    assert bank.json() == {
        "source_id": shared.pk,
        "into_id": target.pk,
        "moves": {"customers.Identity": 2, "conversations.Conversation": 1},
    }
    admin = api_as("admin").get(f"/customers/{shared.pk}/merge-preview", {"into": target.pk})
    assert admin.json()["moves"] == {"customers.Identity": 3, "conversations.Conversation": 2}
    assert not AuditEvent.objects.filter(action="customer.merge").exists()


def test_merge_moves_everything_and_is_audited(world, api_as, shared):
    target = _customer(world, [world.bank], "target@bank.jp", "")
    response = api_as("bank").post(f"/customers/{shared.pk}/merge", {"into": target.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == target.pk
    assert body["name"] == "両方さん"
    assert {i["value"] for i in body["identities"]} == {
        "target@bank.jp",
        "both@example.jp",
        "ACC-9",
    }
    assert Conversation.objects.filter(customer=target).count() == 2
    shared.refresh_from_db()
    assert shared.merged_into_id == target.pk
    event = AuditEvent.objects.get(action="customer.merge")
    assert (event.object_id, event.actor_agent_id) == (str(target.pk), world.bank_agent.pk)
    assert event.before == {"source": shared.pk}
    # The merged customer still answers, pointing at the one who remains.
    assert api_as("bank").get(f"/customers/{shared.pk}").json()["merged_into_id"] == target.pk


def test_merge_refusals_have_stable_codes(world, api_as, shared):
    api = api_as("bank")
    target = _customer(world, [world.bank], "target@bank.jp")
    itself = api.post(f"/customers/{shared.pk}/merge", {"into": shared.pk})
    assert (itself.status_code, itself.json()["code"]) == (422, "merge_into_self")
    preview = api.get(f"/customers/{shared.pk}/merge-preview", {"into": shared.pk})
    assert (preview.status_code, preview.json()["code"]) == (422, "merge_into_self")
    assert api.post(f"/customers/{shared.pk}/merge", {"into": target.pk}).status_code == 200
    again = api.post(f"/customers/{shared.pk}/merge", {"into": target.pk})
    assert (again.status_code, again.json()["code"]) == (409, "customer_merged")
    into_merged = api.post(f"/customers/{target.pk}/merge", {"into": shared.pk})
    assert (into_merged.status_code, into_merged.json()["code"]) == (409, "customer_merged")
    late = api.post(f"/customers/{shared.pk}/identities", {"kind": "email", "value": "l@x.jp"})
    assert (late.status_code, late.json()["code"]) == (409, "customer_merged")
    assert AuditEvent.objects.filter(action="customer.merge").count() == 1


def test_merge_is_for_agents_only(world, api_as, shared):
    target = _customer(world, [world.bank], "target@bank.jp")
    response = api_as("bank_key").post(f"/customers/{shared.pk}/merge", {"into": target.pk})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    shared.refresh_from_db()
    assert shared.merged_into_id is None


def test_merge_body_is_validated(world, api_as, shared):
    response = api_as("bank").post(f"/customers/{shared.pk}/merge", {"into": 0, "why": "x"})
    assert response.status_code == 422
    assert sorted(_error_fields(response)) == ["body.into", "body.why"]


# --- conversations ---------------------------------------------------------------------------


def test_conversations_newest_first_and_paginated(world, api_as, shared):
    newer = _conversation(shared, world.insurer, "newer")
    api = api_as("insurer")
    first = api.get(f"/customers/{shared.pk}/conversations", {"limit": 1}).json()
    (item,) = first["items"]
    assert item["id"] == newer.pk
    assert item["brand_id"] == world.insurer.pk
    assert (item["channel_kind"], item["subject"], item["priority"]) == ("email", "newer", "high")
    assert (item["status"], item["language"], item["message_count"]) == ("new", "ja", 0)
    assert item["last_message_at"] is None and item["created_at"]
    rest = api.get(
        f"/customers/{shared.pk}/conversations", {"limit": 5, "cursor": first["next"]}
    ).json()
    assert [c["subject"] for c in rest["items"]] == ["insurer claim"]
    assert rest["next"] is None


@pytest.mark.parametrize("who", BANK_VIEWERS)
def test_conversations_show_only_the_viewers_brands(world, api_as, shared, who):
    items = api_as(who).get(f"/customers/{shared.pk}/conversations").json()["items"]
    assert [c["subject"] for c in items] == ["bank card"]


@pytest.mark.parametrize(
    "path", ["/customers", "/customers/{id}/conversations"], ids=["customers", "conversations"]
)
@pytest.mark.parametrize("cursor", ["not-a-cursor", "!!", cursor_encode(1)[:-1] + "A" * 70])
def test_invalid_cursor_is_422(world, api_as, shared, path, cursor):
    response = api_as("bank").get(path.format(id=shared.pk), {"cursor": cursor})
    assert response.status_code == 422
    assert _error_fields(response) == ["query.cursor"]


# --- access, for every endpoint ----------------------------------------------------------------


def _calls(customer_id: int, other_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", f"/customers/{customer_id}", None),
        ("PATCH", f"/customers/{customer_id}", {"name": "leaked"}),
        ("GET", f"/customers/{customer_id}/identities", None),
        ("POST", f"/customers/{customer_id}/identities", {"kind": "email", "value": "z@z.jp"}),
        ("GET", f"/customers/{customer_id}/merge-preview?into={other_id}", None),
        ("GET", f"/customers/{other_id}/merge-preview?into={customer_id}", None),
        ("POST", f"/customers/{customer_id}/merge", {"into": other_id}),
        ("POST", f"/customers/{other_id}/merge", {"into": customer_id}),
        ("GET", f"/customers/{customer_id}/conversations", None),
    ]


@pytest.mark.parametrize("who", BANK_VIEWERS)
def test_every_endpoint_answers_404_for_the_insurers_customer(
    world, api_as, insurer_only, shared, who
):
    api = api_as(who)
    missing_id = insurer_only.pk + shared.pk + 1000
    for method, path, body in _calls(insurer_only.pk, shared.pk):
        response = api.get(path) if method == "GET" else api.send(method, path, body)
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["code"] == "not_found"
        # Indistinguishable from a customer who does not exist.
        absent_path = path.replace(str(insurer_only.pk), str(missing_id))
        absent_body = (
            {**body, "into": missing_id} if body and body.get("into") == insurer_only.pk else body
        )
        absent = (
            api.get(absent_path) if method == "GET" else api.send(method, absent_path, absent_body)
        )
        assert absent.status_code == 404
        assert response.json()["message"] == absent.json()["message"]
    insurer_only.refresh_from_db()
    assert (insurer_only.name, insurer_only.merged_into_id) == ("保戶甲", None)
    assert not Identity.objects.filter(value="z@z.jp").exists()
    assert not AuditEvent.objects.filter(action__in=["customer.merge", "customer.update"]).exists()


@pytest.mark.parametrize("who", ["insurer", "insurer_key", "admin"])
def test_the_insurers_side_reaches_the_customer(world, api_as, insurer_only, who):
    response = api_as(who).get(f"/customers/{insurer_only.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == insurer_only.pk


@pytest.mark.parametrize("token", [None, "wrong-token", "lgk_wrong"])
def test_anonymous_and_bad_tokens_get_401_json(world, api_as, insurer_only, shared, token):
    from tests.api.conftest import ApiClient

    api = ApiClient(token)
    calls = [
        *_calls(insurer_only.pk, shared.pk),
        ("GET", "/customers", None),
        ("POST", "/customers", {"identities": [{"kind": "email", "value": "a@b.jp"}]}),
    ]
    for method, path, body in calls:
        response = api.get(path) if method == "GET" else api.send(method, path, body)
        assert response.status_code == 401, (method, path)
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "unauthenticated"
    assert Customer.objects.count() == 2
