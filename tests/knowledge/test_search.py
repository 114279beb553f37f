"""The knowledge base on the real database: services keep the index, the selector searches it."""

from __future__ import annotations

import pytest

from lagniappe.core.actors import SYSTEM, Actor
from lagniappe.core.errors import Conflict, InvalidInput
from lagniappe.core.models import AuditEvent
from lagniappe.engines.textsearch import index_text, query_terms
from lagniappe.engines.textsearch.ranking import IndexedDocument, bm25_rank
from lagniappe.knowledge.models import Article, ArticleTranslation
from lagniappe.knowledge.search_index import IndexFilter, index_search
from lagniappe.knowledge.selectors import article_search
from lagniappe.knowledge.services import article_create, article_publish, translation_save
from lagniappe.tenancy.scoping import ViewerScope


def _article(brand, slug, language, title, body, *, publish=True, visibility="public"):
    article = article_create(actor=SYSTEM, brand=brand, slug=slug, visibility=visibility)
    translation_save(actor=SYSTEM, article=article, language=language, title=title, body_html=body)
    if publish:
        article_publish(actor=SYSTEM, article=article)
    return article


@pytest.fixture
def kb(world):
    return {
        "refund": _article(
            world.insurer, "refund", "zh-Hans", "退款申请", "<p>如何使用搜索功能申请退款。</p>"
        ),
        "address": _article(
            world.insurer, "address", "zh-Hant", "地址變更", "<p>登入後修改您的通訊地址。</p>"
        ),
        "draft": _article(
            world.insurer, "draft", "zh-Hans", "退款草稿", "<p>退款草稿内容</p>", publish=False
        ),
        "internal": _article(
            world.insurer,
            "internal",
            "zh-Hans",
            "退款内部流程",
            "<p>内部退款审核</p>",
            visibility="internal",
        ),
        "bank": _article(world.bank, "bank-refund", "zh-Hans", "退款", "<p>银行退款</p>"),
        "card": _article(
            world.bank, "card", "en", "Lost card", "<p>Block a lost card in the app.</p>"
        ),
        "kana": _article(world.bank, "kana", "ja", "カタカナ入力", "<p>カタカナで入力します。</p>"),
    }


def _slugs(hits):
    return [hit.slug for hit in hits]


def test_traditional_query_finds_simplified_article(world, kb):
    hits = article_search(world.insurer, "搜尋退款", language="zh-Hant")
    assert _slugs(hits)[0] == "refund"
    assert "<mark>" in hits[0].snippet_html


def test_simplified_query_finds_traditional_article(world, kb):
    assert _slugs(article_search(world.insurer, "地址变更", language="zh-Hans")) == ["address"]


def test_undeclared_language_is_detected(world, kb):
    assert _slugs(article_search(world.bank, "lost cards")) == ["card"]
    assert _slugs(article_search(world.bank, "ｶﾀｶﾅ")) == ["kana"]


def test_public_search_never_shows_drafts_internal_or_other_brands(world, kb):
    slugs = _slugs(article_search(world.insurer, "退款", language="zh-Hans"))
    assert slugs == ["refund"]


def test_an_agent_of_the_brand_also_finds_internal_and_draft_articles(world, kb):
    scope = ViewerScope(
        organisation_id=world.organisation.pk,
        brand_ids=frozenset({world.insurer.pk}),
        agent_id=world.insurer_agent.pk,
    )
    assert set(_slugs(article_search(scope, "退款", language="zh-Hans"))) == {
        "refund",
        "draft",
        "internal",
    }


def test_an_integration_scope_sees_only_public_published(world, kb):
    scope = ViewerScope(
        organisation_id=world.organisation.pk, brand_ids=frozenset({world.insurer.pk})
    )
    assert _slugs(article_search(scope, "退款", language="zh-Hans")) == ["refund"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        '退款" OR "',
        "NEAR(退款 地址)",
        "title:退款",
        "-退款 *",
        "AND OR NOT",
        "🙂",
        "退款" * 5000,
        "x" * 10_000,
        "'; DROP TABLE knowledge_search; --",
    ],
)
def test_bad_queries_never_raise(world, kb, query):
    for language in (None, "en", "zh-Hant", "ja", "id"):
        article_search(world.insurer, query, language=language)
    assert _slugs(article_search(world.insurer, "退款", language="zh-Hans")) == ["refund"]


def test_fts_syntax_is_searched_as_words(world, kb):
    assert _slugs(article_search(world.bank, 'card" OR "refund', language="en")) == ["card"]


def test_snippet_is_escaped(world):
    _article(world.insurer, "xss", "en", "Script", "<p>refund &lt;script&gt;alert(1)</p>")
    hit = article_search(world.insurer, "refund", language="en")[0]
    assert "<script>" not in hit.snippet_html
    assert "&lt;script&gt;" in hit.snippet_html
    assert "<mark>refund</mark>" in hit.snippet_html


def test_saving_a_translation_again_reindexes_it(world, kb):
    translation_save(
        actor=SYSTEM,
        article=kb["address"],
        language="zh-Hant",
        title="搬家",
        body_html="<p>搬家後請更新資料</p>",
    )
    assert article_search(world.insurer, "通訊地址", language="zh-Hant") == []
    assert _slugs(article_search(world.insurer, "搬家", language="zh-Hant")) == ["address"]
    assert kb["address"].translations.get().version == 2


def test_body_html_is_sanitised(world):
    article = article_create(actor=SYSTEM, brand=world.insurer, slug="s")
    translation = translation_save(
        actor=SYSTEM,
        article=article,
        language="en",
        title="T",
        body_html='<p onclick="x()">Hi<script>alert(1)</script></p>',
    )
    assert "script" not in translation.body_html and "onclick" not in translation.body_html
    assert translation.body_text == "Hi"


def test_services_are_audited(world):
    actor = Actor.agent(world.insurer_agent.pk, "林美惠")
    article = article_create(actor=actor, brand=world.insurer, slug="audited")
    translation_save(actor=actor, article=article, language="zh-TW", title="標題", body_html="x")
    article_publish(actor=actor, article=article)
    actions = list(
        AuditEvent.objects.filter(object_type="knowledge.article", object_id=str(article.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["article.create", "article.translation_save", "article.publish"]
    assert article.translations.get().language == "zh-Hant"
    assert Article.objects.get(pk=article.pk).author_id == world.insurer_agent.pk


def test_duplicate_slug_and_empty_article_are_refused(world):
    article = article_create(actor=SYSTEM, brand=world.insurer, slug="dup")
    with pytest.raises(Conflict):
        article_create(actor=SYSTEM, brand=world.insurer, slug="dup")
    with pytest.raises(InvalidInput):
        article_publish(actor=SYSTEM, article=article)
    with pytest.raises(InvalidInput):
        translation_save(actor=SYSTEM, article=article, language="fr", title="x", body_html="")


RANKING_CORPUS = [
    ("card-lost", "Lost card", "Block a lost card in the app and order a new card."),
    ("card-fees", "Card fees", "Fees for a card payment abroad and for cash withdrawals."),
    ("transfer", "Transfer limits", "Daily transfer limits for a new payee and how to raise them."),
    ("statement", "Statements", "Download a statement of your account as a PDF file."),
    ("app", "Using the app", "Log in to the app, see your card, your account and statements."),
    ("address", "Change address", "Change the postal address of your account in the app."),
    ("long", "Account help", " ".join(["Your account and card questions answered."] * 12)),
]


@pytest.mark.parametrize(
    "query", ["lost card", "card app", "account statement pdf", "new payee limits", "fees"]
)
def test_database_ranking_is_the_reference_bm25(world, query):

    for slug, title, body in RANKING_CORPUS:
        _article(world.bank, slug, "en", title, f"<p>{body}</p>")
    translations = ArticleTranslation.objects.all()
    documents = {
        t.pk: IndexedDocument(
            index_text(t.title, "en").split(), index_text(t.body_text, "en").split()
        )
        for t in translations
    }
    terms = query_terms(query, "en")
    expected = bm25_rank(documents, terms)
    where = IndexFilter(frozenset({world.bank.pk}), ("published",), ("public",), ("en",))
    got = index_search(terms, where, 20)
    assert [pk for pk, _ in got] == [pk for pk, _ in expected]
    assert [round(score, 6) for _, score in got] == [round(score, 6) for _, score in expected]
