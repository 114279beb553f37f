import re

from lagniappe.conversations.changes import conversation_assign, conversation_set_status
from lagniappe.conversations.models import Conversation
from lagniappe.conversations.states import Status
from lagniappe.core.actors import SYSTEM
from lagniappe.staff.models import Team
from tests.workspace.conftest import assert_every_field_labelled


def _row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="conversation-row-(\d+)"', html)]


def _count(html: str, view: str) -> int:
    match = re.search(
        r'href="\?view=' + re.escape(view) + r'"[^>]*>[^<]*<span class="count">([\d,]+)</span>',
        html,
    )
    assert match, f"no count for {view}"
    return int(match.group(1).replace(",", ""))


def test_inbox_lists_views_with_counts_and_labelled_filters(world, signed_in, inbound_conversation):
    first = inbound_conversation(world.insurer_api, email="a@example.tw")
    second = inbound_conversation(world.insurer_api, email="b@example.tw")
    conversation_assign(actor=SYSTEM, conversation=first, assignee_id=world.insurer_agent.pk)
    conversation_set_status(actor=SYSTEM, conversation=second, status=Status.PENDING)
    claims = Team.objects.get(slug="claims")
    html = signed_in(world.insurer_agent).get("/?view=open").content.decode()
    assert _count(html, "mine") == 1
    assert _count(html, "unassigned") == 1
    assert _count(html, f"team-{claims.pk}") == 0
    assert _count(html, "open") == 1
    assert _count(html, "pending") == 1
    assert _count(html, "on_hold") == 0
    assert "Claims" in html
    assert _row_ids(html) == [first.pk]
    assert assert_every_field_labelled(html) >= 10


def test_bank_agent_never_sees_insurer_rows_or_counts(world, signed_in, inbound_conversation):
    insurer = [inbound_conversation(world.insurer_api, email=f"{i}@x.tw") for i in range(3)]
    bank = inbound_conversation(world.bank_api, email="k@example.jp", text="口座について")
    client = signed_in(world.bank_agent)
    for view in ("unassigned", "open"):
        html = client.get(f"/?view={view}").content.decode()
        assert _row_ids(html) == [bank.pk]
        assert _count(html, "unassigned") == 1
        assert _count(html, "open") == 1
    html = client.get(f"/?view=open&brand={world.insurer.pk}").content.decode()
    assert _row_ids(html) == [bank.pk]  # an unknown brand is not a filter that widens
    assert "Harbour Insurance" not in html
    for conversation in insurer:
        assert client.get(f"/conversations/{conversation.pk}").status_code == 404


def test_admin_sees_every_brand(world, signed_in, inbound_conversation):
    insurer = inbound_conversation(world.insurer_api)
    bank = inbound_conversation(world.bank_api, email="k@example.jp")
    html = signed_in(world.admin).get("/?view=open").content.decode()
    assert _row_ids(html) == [bank.pk, insurer.pk]


def test_filters_narrow_the_list(world, signed_in, inbound_conversation):
    zh = inbound_conversation(world.insurer_api, email="a@x.tw", language="zh-Hant")
    en = inbound_conversation(world.insurer_api, email="b@x.tw", text="Hello", language="en")
    bank = inbound_conversation(world.bank_api, email="c@x.jp", language="ja")
    conversation_assign(actor=SYSTEM, conversation=en, assignee_id=world.insurer_agent.pk)
    from lagniappe.conversations.changes import conversation_set_priority, conversation_set_tags

    conversation_set_priority(actor=SYSTEM, conversation=zh, priority=4)
    conversation_set_tags(actor=SYSTEM, conversation=zh, tags=["理賠"])
    client = signed_in(world.admin)

    def rows(query: str) -> list[int]:
        return _row_ids(client.get(f"/?view=open&{query}").content.decode())

    assert rows("language=en") == [en.pk]
    assert rows(f"brand={world.bank.pk}") == [bank.pk]
    assert rows("priority=4") == [zh.pk]
    assert rows("tag=理賠") == [zh.pk]
    assert rows(f"assignee={world.insurer_agent.pk}") == [en.pk]
    assert rows("assignee=none") == [bank.pk, zh.pk]
    assert rows("channel=api") == [bank.pk, en.pk, zh.pk]
    assert rows("channel=email") == []
    assert rows("status=pending") == []


def test_cursor_pagination_walks_every_row_once(world, signed_in, inbound_conversation):
    made = [inbound_conversation(world.insurer_api, email=f"p{i}@x.tw") for i in range(7)]
    client = signed_in(world.insurer_agent)
    seen: list[int] = []
    url = "/?view=open&size=3"
    while url:
        html = client.get(url).content.decode()
        seen += _row_ids(html)
        match = re.search(r'href="\?([^"]+)" rel="next"', html)
        url = "/?" + match.group(1).replace("&amp;", "&") if match else ""
    assert seen == sorted((c.pk for c in made), reverse=True)


def test_query_count_does_not_grow_with_the_page(
    world, signed_in, inbound_conversation, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(50):
        conversation = inbound_conversation(world.insurer_api, email=f"q{i}@x.tw")
        conversation_set_status(actor=SYSTEM, conversation=conversation, status=Status.OPEN)
    client = signed_in(world.insurer_agent)
    client.get("/?view=open&size=5")  # warm the session and the caches
    with CaptureQueriesContext(connection) as five:
        page = client.get("/?view=open&size=5")
    assert len(_row_ids(page.content.decode())) == 5
    assert len(five) <= 15, [q["sql"][:120] for q in five.captured_queries]
    with django_assert_max_num_queries(len(five)):
        page = client.get("/?view=open&size=50")
    assert len(_row_ids(page.content.decode())) == 50


def test_bulk_assign_status_and_tag_report_each_refusal(world, signed_in, inbound_conversation):
    mine = [inbound_conversation(world.insurer_api, email=f"m{i}@x.tw") for i in range(2)]
    closed = inbound_conversation(world.insurer_api, email="closed@x.tw")
    conversation_set_status(actor=SYSTEM, conversation=closed, status=Status.CLOSED)
    other_brand = inbound_conversation(world.bank_api, email="z@x.jp")
    client = signed_in(world.insurer_agent)
    ids = [c.pk for c in [*mine, other_brand]]

    answer = client.post(
        "/conversations/bulk", {"action": "assign_me", "ids": ids, "next": "/?view=open"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/?view=open"
    assert all(
        Conversation.objects.get(pk=c.pk).assignee_id == world.insurer_agent.pk for c in mine
    )
    assert Conversation.objects.get(pk=other_brand.pk).assignee_id is None
    html = client.get("/?view=open").content.decode()
    assert f"Conversation #{other_brand.pk}:" in html
    assert "2 conversations changed." in html

    client.post(
        "/conversations/bulk",
        {"action": "status", "status": "pending", "ids": [mine[0].pk, closed.pk]},
    )
    assert Conversation.objects.get(pk=mine[0].pk).status == Status.PENDING
    assert Conversation.objects.get(pk=closed.pk).status == Status.CLOSED
    html = client.get("/").content.decode()
    assert f"Conversation #{closed.pk}: This status cannot follow the current one." in html

    client.post("/conversations/bulk", {"action": "tag", "tag": "vip", "ids": [mine[1].pk]})
    client.post("/conversations/bulk", {"action": "tag", "tag": "理賠", "ids": [mine[1].pk]})
    tags = sorted(Conversation.objects.get(pk=mine[1].pk).tags.values_list("name", flat=True))
    assert tags == ["vip", "理賠"]


def test_bulk_needs_a_status_for_a_status_change(world, signed_in, inbound_conversation):
    conversation = inbound_conversation(world.insurer_api)
    client = signed_in(world.insurer_agent)
    client.post("/conversations/bulk", {"action": "status", "ids": [conversation.pk]})
    assert "Choose the new status." in client.get("/").content.decode()
    assert Conversation.objects.get(pk=conversation.pk).status == Status.NEW
