"""Transfer to an agent or a team with a handover note: one transaction, audited."""

import re

from lagniappe.conversations.models import Conversation, Note
from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from lagniappe.staff.models import Team
from lagniappe.staff.services import agent_create
from tests.workspace.conftest import assert_every_field_labelled


def _version(html: str) -> int:
    match = re.search(r'class="transfer">.*?name="version" value="(\d+)"', html, re.S)
    assert match
    return int(match.group(1))


def test_transfer_to_an_agent_assigns_and_adds_the_note(world, signed_in, inbound_conversation):
    colleague = agent_create(
        actor=SYSTEM,
        organisation=world.insurer.organisation,
        email="lee@insurer.example",
        display_name="Lee",
        brands=[world.insurer],
    )
    conversation = inbound_conversation(world.insurer_api)
    client = signed_in(world.insurer_agent)
    page = client.get(f"/conversations/{conversation.pk}").content.decode()
    assert 'id="transfer-target"' in page and 'id="transfer-note"' in page
    assert_every_field_labelled(page)
    response = client.post(
        f"/conversations/{conversation.pk}/transfer",
        {"version": _version(page), "target": f"agent:{colleague.pk}", "note": "客戶要求英文服務"},
    )
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.assignee_id == colleague.pk
    note = Note.objects.get(conversation=conversation)
    assert note.text == "客戶要求英文服務" and note.author_id == world.insurer_agent.pk
    assert list(note.mentions.values_list("pk", flat=True)) == [colleague.pk]
    audit = AuditEvent.objects.get(action="conversation.transfer", object_id=str(conversation.pk))
    assert audit.after == {"agent": colleague.pk, "team": None, "note": note.pk}
    assert "客戶要求英文服務" in client.get(f"/conversations/{conversation.pk}").content.decode()


def test_transfer_to_a_team_unassigns(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    Conversation.objects.filter(pk=conversation.pk).update(assignee=world.insurer_agent)
    claims = Team.objects.get(slug="claims")
    client = signed_in(world.insurer_agent)
    page = client.get(f"/conversations/{conversation.pk}").content.decode()
    client.post(
        f"/conversations/{conversation.pk}/transfer",
        {"version": _version(page), "target": f"team:{claims.pk}", "note": "Needs claims"},
    )
    conversation.refresh_from_db()
    assert (conversation.team_id, conversation.assignee_id) == (claims.pk, None)


def test_refused_transfers_change_nothing(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    claims = Team.objects.get(slug="claims")
    client = signed_in(world.insurer_agent)
    page = client.get(f"/conversations/{conversation.pk}").content.decode()
    version = _version(page)
    cases = [
        {"version": version, "target": f"team:{claims.pk}", "note": "  "},  # no note
        {"version": version, "target": f"agent:{world.bank_agent.pk}", "note": "x"},  # other brand
        {"version": version - 1, "target": f"team:{claims.pk}", "note": "stale"},
    ]
    for data in cases:
        response = client.post(
            f"/conversations/{conversation.pk}/transfer", data, HTTP_HX_REQUEST="true"
        )
        assert response.status_code in (409, 422), data
    conversation.refresh_from_db()
    assert (conversation.team_id, conversation.assignee_id) == (None, None)
    assert not Note.objects.filter(conversation=conversation).exists()
    assert not AuditEvent.objects.filter(action="conversation.transfer").exists()
    # Another brand's agent cannot transfer the conversation at all.
    other = signed_in(world.bank_agent).post(
        f"/conversations/{conversation.pk}/transfer",
        {"version": version, "target": f"team:{claims.pk}", "note": "x"},
    )
    assert other.status_code == 404
