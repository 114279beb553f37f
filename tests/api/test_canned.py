"""GET /api/v1/canned-responses: scoped by brand, for agents and integration keys."""

from __future__ import annotations

from lagniappe.core.actors import SYSTEM
from lagniappe.staff.services import canned_response_create


def test_listed_by_brand_and_never_another_brands(world, api_as):  # type: ignore[no-untyped-def]
    canned_response_create(
        actor=SYSTEM,
        brand=world.insurer,
        shortcut="hi",
        title="問候",
        text="{{customer.name}} 您好",
    )
    canned_response_create(
        actor=SYSTEM, brand=world.bank, shortcut="hi", title="挨拶", text="<b>こんにちは</b>"
    )
    answer = api_as("insurer").get("/canned-responses")
    assert answer.status_code == 200, answer.content
    assert [(i["shortcut"], i["text"]) for i in answer.json()["items"]] == [
        ("hi", "{{customer.name}} 您好")
    ]
    key = api_as("bank_key").get("/canned-responses?language=ja").json()["items"]
    assert [i["text"] for i in key] == ["<b>こんにちは</b>"]
    assert len(api_as("admin").get("/canned-responses").json()["items"]) == 2
    # Another brand's id is not found; bad input is a 422 with a field path.
    other = api_as("insurer").get(f"/canned-responses?brand_id={world.bank.pk}")
    assert other.status_code == 404
    bad = api_as("insurer").get("/canned-responses?language=klingon")
    assert bad.status_code == 422
    assert api_as("anonymous").get("/canned-responses").status_code == 401
