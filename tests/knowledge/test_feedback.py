"""Help-centre facts: feedback, search logs, clicks, visits and the content gaps they show."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lagniappe.core import clock
from lagniappe.core.actors import SYSTEM
from lagniappe.knowledge.models import SearchLog
from lagniappe.knowledge.selectors import article_list_with_feedback, content_gaps
from lagniappe.knowledge.services import (
    article_create,
    article_publish,
    feedback_record,
    portal_visit_article_view,
    portal_visit_contact,
    search_log_click,
    search_log_record,
    translation_save,
)
from lagniappe.tenancy.scoping import ViewerScope


def _article(brand, slug, title, *, visibility="public"):
    article = article_create(actor=SYSTEM, brand=brand, slug=slug, visibility=visibility)
    translation_save(
        actor=SYSTEM, article=article, language="en", title=title, body_html=f"<p>{title}</p>"
    )
    article_publish(actor=SYSTEM, article=article)
    return article


def _scope(world, brand, agent=None):
    return ViewerScope(
        organisation_id=world.organisation.pk,
        brand_ids=frozenset({brand.pk}),
        agent_id=agent.pk if agent else None,
    )


@pytest.fixture
def articles(world):
    return {
        "refund": _article(world.insurer, "refund", "Refunds"),
        "internal": _article(world.insurer, "internal", "Internal", visibility="internal"),
        "card": _article(world.bank, "card", "Lost card"),
    }


def test_search_log_normalises_and_truncates(world):
    log = search_log_record(
        brand=world.insurer, query="  Refunds?  " + "x" * 400, language="en", result_count=0
    )
    assert len(log.query) == 300 and log.query.startswith("Refunds? ")
    assert log.normalised_query == "refund"  # the 400-letter term does not fit: whole terms only
    same = search_log_record(brand=world.insurer, query="REFUND", language="en", result_count=2)
    other = search_log_record(brand=world.insurer, query="refunds!", language="en", result_count=2)
    assert same.normalised_query == other.normalised_query == "refund"
    for odd in ("", "***", '"', "😀", "NEAR"):
        assert search_log_record(brand=world.insurer, query=odd, language="xx", result_count=0)


def test_click_needs_the_searchs_brand_and_counts_once(world, articles):
    log = search_log_record(brand=world.insurer, query="refund", language="en", result_count=1)
    assert not search_log_click(brand=world.bank, search_id=log.pk, article=articles["card"])
    assert not search_log_click(brand=world.insurer, search_id=log.pk, article=articles["card"])
    assert search_log_click(brand=world.insurer, search_id=log.pk, article=articles["refund"])
    assert not search_log_click(brand=world.insurer, search_id=log.pk, article=articles["refund"])
    log.refresh_from_db()
    assert log.clicked_article == articles["refund"]


def test_content_gaps_grouped_ordered_and_scoped(world, articles):
    def search(query, results, language="en", brand=world.insurer):
        return search_log_record(brand=brand, query=query, language=language, result_count=results)

    for query in ("cancel policy", "Cancel policy!", "policy cancel"):
        search(query, 0)
    search("refund", 3)  # no click
    clicked = search("refund", 3)
    search_log_click(brand=world.insurer, search_id=clicked.pk, article=articles["refund"])
    search("退款", 0, language="zh-Hant")
    search("lost card", 0, brand=world.bank)
    old = search("ancient", 0)
    SearchLog.objects.filter(pk=old.pk).update(created_at=clock.now() - timedelta(days=90))

    feedback_record(
        article=articles["refund"],
        translation=None,
        helpful=False,
        reason="too vague",
        language="en",
        session_hash="a",
    )
    feedback_record(
        article=articles["refund"],
        translation=None,
        helpful=True,
        reason="",
        language="en",
        session_hash="b",
    )
    portal_visit_article_view(brand=world.insurer, session_hash="s1")
    portal_visit_article_view(brand=world.insurer, session_hash="s1")
    portal_visit_article_view(brand=world.insurer, session_hash="s2")
    portal_visit_contact(brand=world.insurer, session_hash="s2")
    portal_visit_contact(brand=world.insurer, session_hash="s3")  # asked without reading

    since = clock.now() - timedelta(days=30)
    gaps = content_gaps(_scope(world, world.insurer), since)
    rows = [
        (g.language, g.normalised_query, g.searches, g.no_result, g.no_click) for g in gaps.searches
    ]
    assert rows[0] == ("en", "cancel polici", 3, 3, 0)
    assert ("en", "refund", 1, 0, 1) in rows
    assert any(row[0] == "zh-Hant" for row in rows)
    assert all("lost" not in row[1] and "ancient" not in row[1] for row in rows)
    assert gaps.searches[0].example_query == "policy cancel"
    assert [(f.slug, f.helpful, f.not_helpful, f.reasons) for f in gaps.feedback] == [
        ("refund", 1, 1, ("too vague",))
    ]
    assert (gaps.visits_with_article_views, gaps.deflected_visits) == (2, 1)

    only_zh = content_gaps(_scope(world, world.insurer), since, language="zh-Hant")
    assert [g.language for g in only_zh.searches] == ["zh-Hant"] and only_zh.feedback == ()

    bank = content_gaps(_scope(world, world.bank, world.bank_agent), since)
    assert [g.normalised_query for g in bank.searches] == ["card lost"]
    assert bank.feedback == () and bank.deflected_visits == 0


def test_article_list_with_feedback_counts_and_scope(world, articles, django_assert_num_queries):
    feedback_record(
        article=articles["refund"],
        translation=None,
        helpful=False,
        reason="",
        language="en",
        session_hash="a",
    )
    agent = article_list_with_feedback(_scope(world, world.insurer, world.insurer_agent))
    with django_assert_num_queries(2):
        rows = {
            a.slug: (a.helpful_count, a.unhelpful_count, len(a.translations.all())) for a in agent
        }
    assert rows == {"refund": (0, 1, 1), "internal": (0, 0, 1)}
    integration = article_list_with_feedback(_scope(world, world.insurer))
    assert [a.slug for a in integration] == ["refund"]
