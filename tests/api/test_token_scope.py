"""The API's one-statement token look-up sees exactly what agent_scope and
agent_token_by_secret see: the same brands, the same refusals."""

from __future__ import annotations

import pytest

from lagniappe.core import clock
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.models import AgentToken, Role
from lagniappe.staff.selectors import agent_scope, agent_token_by_secret, agent_token_with_scope
from lagniappe.staff.services import agent_create, token_create
from tests.conftest import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["insurer_token", "bank_token", "admin_token"])
def test_the_same_token_agent_and_scope_as_the_orm(world: World, who: str) -> None:
    secret = getattr(world, who)
    found = agent_token_with_scope(secret)
    assert found is not None
    token, scope = found
    expected = agent_token_by_secret(secret)
    assert expected is not None
    assert token.pk == expected.pk and token.last_used_at == expected.last_used_at
    assert token.agent.pk == expected.agent.pk and token.agent.email == expected.agent.email
    assert scope == agent_scope(expected.agent)


def test_an_admin_sees_every_brand_and_an_agent_only_theirs(world: World) -> None:
    admin = agent_token_with_scope(world.admin_token)
    agent = agent_token_with_scope(world.insurer_token)
    assert admin is not None and agent is not None
    assert admin[1].brand_ids == {world.insurer.pk, world.bank.pk}
    assert agent[1].brand_ids == {world.insurer.pk}


def test_an_agent_of_no_brand_sees_none(world: World) -> None:
    lonely = agent_create(
        actor=SYSTEM,
        organisation=world.organisation,
        email="lonely@harbour.test",
        display_name="Lonely",
        role=Role.AGENT,
    )
    _, secret = token_create(actor=SYSTEM, agent=lonely)
    found = agent_token_with_scope(secret)
    assert found is not None
    assert found[1].brand_ids == frozenset() and found[1] == agent_scope(lonely)


def test_revoked_tokens_inactive_agents_and_strangers_get_nothing(world: World) -> None:
    assert agent_token_with_scope("lgp_not-a-token") is None
    AgentToken.objects.filter(agent=world.bank_agent).update(revoked_at=clock.now())
    assert agent_token_with_scope(world.bank_token) is None
    world.insurer_agent.is_active = False
    world.insurer_agent.save(update_fields=["is_active"])
    assert agent_token_with_scope(world.insurer_token) is None
