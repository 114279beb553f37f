"""Merging from the conversation page: find the conversation that remains by number or
words (only ones the agent may merge into), preview it and what moves, confirm or cancel;
a merged conversation's page shows where it went; refusals in the agent's words."""

from __future__ import annotations

from django.core.files.base import ContentFile

from lagniappe.conversations.changes import conversation_set_status
from lagniappe.conversations.models import Attachment, Conversation, Message
from lagniappe.conversations.services import message_send, note_add
from lagniappe.conversations.states import Status
from lagniappe.core.actors import SYSTEM
from lagniappe.core.models import AuditEvent
from tests.workspace.conftest import assert_every_field_labelled
from tests.workspace.test_escaping import PAYLOADS, _active_content, _assert_escaped


def _nothing_merged() -> None:
    assert not Conversation.objects.filter(merged_into__isnull=False).exists()
    assert not AuditEvent.objects.filter(action__startswith="conversation.merge").exists()


def test_find_preview_and_merge_from_the_conversation_page(world, signed_in, inbound_conversation):
    target = inbound_conversation(world.insurer_api, text="第一封", subject="保單續約")
    source = inbound_conversation(world.insurer_api, text="第二封", email="wu@example.tw")
    client = signed_in(world.insurer_agent)
    page = client.get(f"/conversations/{source.pk}").content.decode()
    assert 'id="merge-q"' in page and f'action="/conversations/{source.pk}/merge"' in page
    assert_every_field_labelled(page)

    # A number typed leads straight to that conversation's preview.
    preview = client.get(f"/conversations/{source.pk}/merge", {"q": f"#{target.pk}"})
    assert preview.status_code == 200
    shown = preview.content.decode()
    assert assert_every_field_labelled(shown) >= 1
    assert f"#{target.pk} 保單續約" in shown and "陳小姐" in shown
    assert "API" in shown and "New" in shown  # channel and status of the target
    assert '<span data-count="messages">1</span>' in shown
    assert f'name="into" value="{target.pk}"' in shown
    assert f'<a href="/conversations/{source.pk}">Cancel</a>' in shown
    _nothing_merged()  # the preview wrote nothing

    response = client.post(f"/conversations/{source.pk}/merge", {"into": target.pk}, follow=True)
    assert response.redirect_chain[-1][0] == f"/conversations/{target.pk}"
    merged = response.content.decode()
    assert "第一封" in merged and "第二封" in merged
    assert f"Conversation #{source.pk} was merged into this one." in merged
    assert set(Message.objects.values_list("conversation_id", flat=True)) == {target.pk}


def test_search_lists_only_conversations_the_agent_may_merge_into(
    world, signed_in, inbound_conversation
):
    source = inbound_conversation(world.insurer_api, text="windscreen cracked", email="a@x.org")
    same = inbound_conversation(world.insurer_api, text="windscreen photos", email="b@x.org")
    closed = inbound_conversation(world.insurer_api, text="windscreen invoice", email="c@x.org")
    conversation_set_status(actor=SYSTEM, conversation=closed, status=Status.CLOSED)
    theirs = inbound_conversation(world.bank_api, text="windscreen loan", email="d@x.org")
    for agent in (world.insurer_agent, world.admin):  # the admin sees both brands
        client = signed_in(agent)
        shown = client.get(f"/conversations/{source.pk}/merge", {"q": "windscreen"})
        html = shown.content.decode()
        listed = {c.pk for c in shown.context["candidates"]}
        assert listed == {same.pk}, agent
        assert f"into={same.pk}" in html and f"into={source.pk}" not in html
        assert shown.context["target"] is None  # words alone pick nothing yet
        # Another brand's number is not offered, and naming it is "not found".
        by_number = client.get(f"/conversations/{source.pk}/merge", {"q": str(theirs.pk)})
        assert by_number.context["candidates"] == [] and by_number.context["target"] is None
        assert by_number.context["refusal"]  # the typed number is answered, not ignored
        closed_number = client.get(f"/conversations/{source.pk}/merge", {"q": f"#{closed.pk}"})
        assert closed_number.context["target"] is None
        assert "closed conversation cannot be merged" in closed_number.content.decode()
        named = client.get(f"/conversations/{source.pk}/merge", {"into": theirs.pk})
        assert named.context["target"] is None
        # Not the insurer agent's: not found; the admin's: of another brand.
        refusal = "Not found" if agent == world.insurer_agent else "two brands cannot be"
        assert refusal in named.content.decode()
        assert 'class="merge-confirm"' not in named.content.decode()
    nothing = signed_in(world.insurer_agent).get(
        f"/conversations/{source.pk}/merge", {"q": "zzzznothing"}
    )
    assert "No conversation you could merge into matches." in nothing.content.decode()
    _nothing_merged()


def test_the_preview_counts_messages_notes_and_attachments_that_move(
    world, signed_in, inbound_conversation
):
    target = inbound_conversation(world.insurer_api, text="first")
    source = inbound_conversation(world.insurer_api, text="second", email="wu@example.tw")
    inbound_conversation(
        world.insurer_api, text="third", email="wu@example.tw", conversation_id=source.pk
    )
    agent = world.insurer_agent
    message_send(actor=SYSTEM, conversation=source, author_id=agent.pk, text="On it")
    note_add(actor=SYSTEM, conversation=source, author_id=agent.pk, text="Call them")
    attachment = Attachment(conversation=source, message=None, filename="a.txt", size=1)
    attachment.file.save("a.txt", ContentFile(b"x"), save=False)
    attachment.content_type = "text/plain"
    attachment.save()
    html = (
        signed_in(agent)
        .get(f"/conversations/{source.pk}/merge", {"into": target.pk})
        .content.decode()
    )
    assert '<span data-count="messages">3</span>' in html
    assert '<span data-count="notes">1</span>' in html
    assert '<span data-count="attachments">1</span>' in html
    assert "The customers differ" in html  # the target keeps its own customer


def test_cancel_and_refusals_leave_nothing_changed(world, signed_in, inbound_conversation):
    mine = inbound_conversation(world.insurer_api)
    other = inbound_conversation(world.insurer_api, email="wu@example.tw")
    theirs = inbound_conversation(world.bank_api)
    versions = dict(Conversation.objects.values_list("pk", "version"))
    client = signed_in(world.insurer_agent)
    preview = client.get(f"/conversations/{mine.pk}/merge", {"into": other.pk}).content.decode()
    assert f'<a href="/conversations/{mine.pk}">Cancel</a>' in preview
    assert client.get(f"/conversations/{mine.pk}").status_code == 200  # cancelled
    itself = client.get(f"/conversations/{mine.pk}/merge", {"into": mine.pk}).content.decode()
    assert "cannot be merged into itself" in itself and 'class="merge-confirm"' not in itself
    missing = client.post(f"/conversations/{mine.pk}/merge", {}, follow=True)
    assert missing.redirect_chain[-1][0] == f"/conversations/{mine.pk}"
    refused = client.post(f"/conversations/{mine.pk}/merge", {"into": mine.pk}, follow=True)
    assert "cannot be merged into itself" in refused.content.decode()
    across = client.post(f"/conversations/{mine.pk}/merge", {"into": theirs.pk}, follow=True)
    assert "Not found" in across.content.decode()
    # Another brand's conversation as the source is simply not found.
    assert client.get(f"/conversations/{theirs.pk}/merge").status_code == 404
    assert client.post(f"/conversations/{theirs.pk}/merge", {"into": mine.pk}).status_code == 404
    _nothing_merged()
    assert dict(Conversation.objects.values_list("pk", "version")) == versions


def test_a_merged_conversations_page_says_where_it_went(world, signed_in, inbound_conversation):
    target = inbound_conversation(world.insurer_api, text="第一封", subject="保單續約")
    source = inbound_conversation(world.insurer_api, text="第二封", email="wu@example.tw")
    client = signed_in(world.insurer_agent)
    client.post(f"/conversations/{source.pk}/merge", {"into": target.pk})
    page = client.get(f"/conversations/{source.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="merged-banner"' in html
    assert f'href="/conversations/{target.pk}"' in html and "保單續約" in html
    assert f"This conversation was merged into conversation #{target.pk}:" in html
    # Nothing to write into any more: no composer, controls or merge form.
    assert "reply-form" not in html and 'id="controls"' not in html and "merge-q" not in html
    # Its merge page leads back to it.
    again = client.get(f"/conversations/{source.pk}/merge")
    assert again.status_code == 302 and again["Location"] == f"/conversations/{source.pk}"
    # A target the viewer may not see is not named or linked.
    Conversation.objects.filter(pk=target.pk).update(brand=world.bank)
    hidden = client.get(f"/conversations/{source.pk}").content.decode()
    assert "This conversation was merged into another conversation." in hidden
    assert f'href="/conversations/{target.pk}"' not in hidden and "保單續約" not in hidden


def test_subjects_and_names_are_escaped_in_the_preview_and_the_banner(
    world, signed_in, inbound_conversation
):
    client = signed_in(world.insurer_agent)
    for index, payload in enumerate(PAYLOADS):
        target = inbound_conversation(
            world.insurer_api,
            email=f"x{index}@example.tw",
            name=payload,
            subject=payload,
            text="needle",
        )
        source = inbound_conversation(
            world.insurer_api, email=f"y{index}@example.tw", name=payload, subject=payload
        )
        for params in ({"q": "needle"}, {"into": target.pk}):
            html = client.get(f"/conversations/{source.pk}/merge", params).content.decode()
            assert _active_content(html) == [], params
            _assert_escaped(html, payload)
        client.post(f"/conversations/{source.pk}/merge", {"into": target.pk})
        html = client.get(f"/conversations/{source.pk}").content.decode()
        assert 'id="merged-banner"' in html
        assert _active_content(html) == []
        _assert_escaped(html, payload)
