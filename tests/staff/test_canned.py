"""Canned responses: placeholders by plain substitution, per brand and language."""

from __future__ import annotations

import pytest

from lagniappe.core.actors import SYSTEM
from lagniappe.core.errors import InvalidInput
from lagniappe.staff.canned import canned_list_for_viewer, canned_render
from lagniappe.staff.selectors import agent_scope
from lagniappe.staff.services import canned_response_create
from tests.conftest import World

XSS = "<img src=x onerror=alert(1)>{{agent.name}}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{customer.name}} 様、{{agent.name}}です。", "山本 様、林です。"),
        ("{{ customer.name }}", "山本"),
        ("{{brand.name}} #{{conversation.id}}", "Harbour #7"),
        ("{{customer.secret}} {{ unknown }}", "{{customer.secret}} {{ unknown }}"),
        ("{{customer.name", "{{customer.name"),
    ],
)
def test_placeholders(text: str, expected: str) -> None:
    values = {
        "customer.name": "山本",
        "agent.name": "林",
        "brand.name": "Harbour",
        "conversation.id": "7",
    }
    assert canned_render(text, values) == expected


def test_a_value_is_never_rendered_again() -> None:
    """A customer named like a placeholder or like HTML stays that text."""
    assert canned_render("{{customer.name}}", {"customer.name": XSS, "agent.name": "林"}) == XSS


def test_per_brand_and_language_the_languages_own_version_wins(world: World) -> None:
    canned_response_create(
        actor=SYSTEM, brand=world.insurer, shortcut="hi", title="Hello", text="Hello"
    )
    canned_response_create(
        actor=SYSTEM,
        brand=world.insurer,
        shortcut="hi",
        title="問候",
        text="您好",
        language="zh-Hant",
    )
    canned_response_create(
        actor=SYSTEM, brand=world.bank, shortcut="hi", title="挨拶", text="こんにちは"
    )
    scope = agent_scope(world.insurer_agent)
    assert [r.text for r in canned_list_for_viewer(scope, language="zh-Hant")] == ["您好"]
    assert [r.text for r in canned_list_for_viewer(scope, language="ja")] == ["Hello"]
    assert [r.text for r in canned_list_for_viewer(scope, brand_id=world.bank.pk)] == []
    with pytest.raises(InvalidInput):
        canned_response_create(
            actor=SYSTEM, brand=world.insurer, shortcut="/hi", title="x", text="y"
        )
