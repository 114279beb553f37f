"""The demo data: built through the services, the documented shape, idempotent, seeded."""

from __future__ import annotations

import sqlite3
from collections import defaultdict

import pytest

from lagniappe import cli
from lagniappe.channels.models import Endpoint, OutboundDelivery
from lagniappe.conversations.models import Conversation, Direction, Message
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.languages import Language
from lagniappe.core.models import AuditEvent
from lagniappe.customers.models import Customer
from lagniappe.demo.build import demo_build
from lagniappe.demo.staff import ORGANISATION_SLUG
from lagniappe.demo.texts import FOLLOW_UPS, REPLIES, TOPICS
from lagniappe.staff.models import Agent, AgentLanguage, AgentSkill, Role, Team
from lagniappe.tenancy.models import Brand, Organisation
from tests.test_cli import run_cli

FIVE_LANGUAGES = set(Language.values)
DEMO_KINDS = {
    ChannelKind.API,
    ChannelKind.WEBFORM,
    ChannelKind.EMAIL,
    ChannelKind.CHAT,
    ChannelKind.VOICE,
}


@pytest.fixture
def small_demo(db):
    return demo_build(customers=20, conversations=60, seed=7)


def test_every_text_exists_in_the_five_languages():
    for topics in TOPICS.values():
        for topic in topics:
            assert set(topic.texts) == FIVE_LANGUAGES, topic.key
    assert set(FOLLOW_UPS) == set(REPLIES) == FIVE_LANGUAGES


def test_small_demo_has_the_documented_shape(small_demo):
    assert small_demo.created
    organisation = Organisation.objects.get(slug=ORGANISATION_SLUG)
    brands = Brand.objects.filter(organisation=organisation)
    assert sorted(brands.values_list("default_language", flat=True)) == ["ja", "zh-Hant"]
    teams = Team.objects.filter(organisation=organisation)
    assert teams.count() == 3 and teams.filter(handles_complaints=True).count() == 1
    agents = Agent.objects.filter(organisation=organisation)
    assert agents.filter(role=Role.AGENT).count() == 8
    admin = agents.get(role=Role.ADMIN)
    assert admin.check_password("harbour-admin-demo")
    for agent in agents.filter(role=Role.AGENT):
        assert AgentLanguage.objects.filter(agent=agent).exists(), agent
        assert AgentSkill.objects.filter(agent=agent).exists(), agent
        assert agent.brands.exists() and agent.check_password("harbour-agent-demo")
    assert set(AgentLanguage.objects.values_list("language", flat=True)) == FIVE_LANGUAGES
    for brand in brands:
        kinds = set(Endpoint.objects.filter(brand=brand).values_list("kind", flat=True))
        assert kinds == DEMO_KINDS, brand


def test_small_demo_customers_and_conversations(small_demo):
    customers = Customer.objects.all()
    assert customers.count() == 20
    assert set(customers.values_list("language", flat=True)) == FIVE_LANGUAGES
    conversations = Conversation.objects.all()
    assert conversations.count() == 60
    assert set(conversations.values_list("language", flat=True)) == FIVE_LANGUAGES
    assert set(conversations.values_list("channel_kind", flat=True)) == DEMO_KINDS
    assert len(set(conversations.values_list("status", flat=True))) >= 4
    assert len(set(conversations.values_list("priority", flat=True))) >= 3
    assert conversations.filter(assignee__isnull=False).exists()
    assert conversations.filter(tags__isnull=False).exists()
    # Texts in the customer's language, never a mix-up.
    for conversation in conversations.select_related("customer"):
        assert conversation.language == conversation.customer.language
    # Some customers reach both brands, on more than one channel.
    brands_of: dict[int, set[int]] = defaultdict(set)
    kinds_of: dict[int, set[str]] = defaultdict(set)
    for customer_id, brand_id, kind in conversations.values_list(
        "customer_id", "brand_id", "channel_kind"
    ):
        brands_of[customer_id].add(brand_id)
        kinds_of[customer_id].add(kind)
    assert any(len(brands_of[c]) == 2 and len(kinds_of[c]) >= 2 for c in brands_of)
    # Agents answered, and their replies wait in the outbound funnel for the worker.
    replies = Message.objects.filter(direction=Direction.OUTBOUND)
    assert replies.exists()
    assert OutboundDelivery.objects.count() == replies.count()
    # Made by the services: each conversation and reply left its audit record.
    audits = AuditEvent.objects.filter(action="conversation.create").count()
    assert audits == 60
    assert AuditEvent.objects.filter(action="message.send").count() == replies.count()


def test_a_second_run_adds_nothing(small_demo):
    counts = (Customer.objects.count(), Conversation.objects.count(), Message.objects.count())
    again = demo_build(customers=20, conversations=60, seed=8)
    assert not again.created
    assert again.organisation == small_demo.organisation
    after = (Customer.objects.count(), Conversation.objects.count(), Message.objects.count())
    assert after == counts


def test_demo_command_prints_the_logins_and_says_when_it_did_nothing(db, capsys):
    assert cli.main(["demo", "--customers", "6", "--conversations", "12"]) == 0
    out = capsys.readouterr().out
    assert "admin@harbour.example / harbour-admin-demo" in out
    assert out.count("/ harbour-agent-demo") == 8
    assert cli.main(["demo", "--customers", "6", "--conversations", "12"]) == 0
    assert "exists already" in capsys.readouterr().out
    assert Conversation.objects.count() == 12


def _snapshot(database) -> list[tuple]:
    with sqlite3.connect(database) as db:
        people = db.execute("SELECT name, language FROM customers_customer ORDER BY id")
        talks = db.execute(
            "SELECT status, channel_kind, language, priority, subject "
            "FROM conversations_conversation ORDER BY id"
        )
        return [*people.fetchall(), *talks.fetchall()]


def test_the_same_seed_gives_the_same_demo(tmp_path):
    snapshots = []
    for home in (tmp_path / "a", tmp_path / "b"):
        args = ("demo", "--customers", "8", "--conversations", "15", "--seed", "3")
        result = run_cli(home, *args)
        assert result.returncode == 0, result.stderr
        snapshots.append(_snapshot(home / "lagniappe.sqlite3"))
    assert len(snapshots[0]) == 8 + 15
    assert snapshots[0] == snapshots[1]


def test_the_demo_help_centres_have_published_articles_in_several_languages(db):
    from lagniappe.demo.build import demo_build
    from lagniappe.knowledge.models import Article, ArticleTranslation
    from lagniappe.knowledge.selectors import article_search
    from lagniappe.tenancy.models import Brand

    demo_build(customers=5, conversations=5, seed=7)
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() >= 4
    languages = set(ArticleTranslation.objects.values_list("language", flat=True))
    assert languages == {"en", "id", "ja", "zh-Hans", "zh-Hant"}
    insurer = Brand.objects.get(slug="harbour-insurance")
    assert article_search(insurer, "理赔进度")  # a Simplified query finds the claims article
