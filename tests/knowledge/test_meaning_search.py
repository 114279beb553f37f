"""Search by meaning as well as words, on the real database and the real encoder: customer
phrasing finds the article that shares none of its words, and nothing the viewer may not see
ever comes back through it."""

from __future__ import annotations

import pytest

from lagniappe.core.actors import SYSTEM
from lagniappe.engines.textsearch.semantic import MODEL_ID
from lagniappe.knowledge import vector_index
from lagniappe.knowledge.hybrid_search import MEANING_ONLY_LIMIT
from lagniappe.knowledge.models import ArticleTranslation, TranslationVector
from lagniappe.knowledge.selectors import article_search, article_suggest
from lagniappe.knowledge.services import article_create, article_publish, translation_save
from lagniappe.knowledge.vector_services import (
    translation_vectors_queue_stale,
    translation_vectors_refresh,
    translations_without_current_vector,
)
from tests.engines.textsearch.test_semantic import ADDRESS, CARD_LOST, QUERIES

CLAIM = {
    "en": "Filing a claim\nSign in, open Claims > New claim, describe what happened and upload "
    "photos and receipts. A claims handler contacts you within two working days.",
    "zh-Hant": "申請理賠\n登入後開啟「理賠 > 新增理賠」，說明事發經過並上傳照片與收據。"
    "理賠專員會在兩個工作天內與您聯絡。",
    "zh-Hans": "申请理赔\n登录后打开「理赔 > 新建理赔」，说明事情经过并上传照片和收据。"
    "理赔专员会在两个工作日内与您联系。",
    "ja": "保険金の請求\nログインして「請求 > 新規請求」を開き、状況を説明して写真と領収書を"
    "アップロードしてください。担当者が2営業日以内にご連絡します。",
    "id": "Mengajukan klaim\nMasuk, buka Klaim > Klaim baru, jelaskan apa yang terjadi dan "
    "unggah foto serta kuitansi. Petugas klaim menghubungi Anda dalam dua hari kerja.",
}


def _article(brand, slug, language, text, *, visibility="public", publish=True):
    title, _, body = text.partition("\n")
    article = article_create(actor=SYSTEM, brand=brand, slug=slug, visibility=visibility)
    translation_save(
        actor=SYSTEM, article=article, language=language, title=title, body_html=f"<p>{body}</p>"
    )
    if publish:
        article_publish(actor=SYSTEM, article=article)
    return article


@pytest.fixture
def service_kb(world):
    for language in QUERIES:
        suffix = language.lower()
        _article(world.bank, f"card-{suffix}", language, CARD_LOST[language])
        _article(world.bank, f"address-{suffix}", language, ADDRESS[language])
        _article(world.bank, f"claim-{suffix}", language, CLAIM[language])
    assert translation_vectors_refresh() == 15
    return world


@pytest.mark.parametrize("language", sorted(QUERIES))
def test_customer_phrasing_finds_the_article_it_means(service_kb, language):
    hits = article_search(service_kb.bank, QUERIES[language], language=language)
    assert hits[0].slug == f"card-{language.lower()}"


def test_meaning_finds_what_words_alone_cannot(service_kb, settings):
    # Jieba reads 上卡 as one word: not one analyzer term of the query is in the article.
    query = QUERIES["zh-Hans"]
    settings.LAGNIAPPE_SEARCH_MEANING = False
    assert article_search(service_kb.bank, query, language="zh-Hans") == []
    settings.LAGNIAPPE_SEARCH_MEANING = True
    assert article_search(service_kb.bank, query, language="zh-Hans")[0].slug == "card-zh-hans"


def test_keywords_still_rank_by_their_words(service_kb):
    assert article_search(service_kb.bank, "claim", language="en")[0].slug == "claim-en"
    assert article_search(service_kb.bank, "住所", language="ja")[0].slug == "address-ja"
    assert article_suggest(service_kb.bank, "lost card", language="en")[0][0] == "card-en"
    # Suggestions as you type rank by words alone: a paraphrase suggests nothing.
    assert article_suggest(service_kb.bank, QUERIES["zh-Hans"], language="zh-Hans") == []


def test_meaning_never_brings_back_what_the_viewer_may_not_see(service_kb):
    world = service_kb
    text = CARD_LOST["en"].replace("Lost or stolen card", "Card blocking procedure")
    _article(world.bank, "internal-card", "en", text, visibility="internal")
    _article(world.bank, "draft-card", "en", text, publish=False)
    _article(world.insurer, "insurer-card", "en", text)
    translation_vectors_refresh()
    slugs = [hit.slug for hit in article_search(world.bank, QUERIES["en"], language="en")]
    assert slugs[0] == "card-en"
    assert not {"internal-card", "draft-card", "insurer-card"} & set(slugs)
    # And another language's article is not offered to a search in one language.
    assert all(slug.endswith("-en") for slug in slugs)


def test_a_query_no_word_of_which_matches_gets_a_few_suggestions_by_meaning(service_kb):
    hits = article_search(service_kb.bank, "I moved house last month", language="en")
    assert hits[0].slug == "address-en"
    assert len(hits) <= MEANING_ONLY_LIMIT
    assert len(article_search(service_kb.bank, "qwxz vbnm plok", language="en")) <= 3
    for query in ("!!! ???", "🙂🙂", "", "   "):
        assert article_search(service_kb.bank, query, language="en") == []


def test_a_new_text_gets_a_new_vector_and_a_stale_one_is_never_written(service_kb, monkeypatch):
    translation = ArticleTranslation.objects.get(article__slug="address-en")
    before = bytes(TranslationVector.objects.get(pk=translation.pk).vector)
    translation_save(
        actor=SYSTEM,
        article=translation.article,
        language="en",
        title="Moving house",
        body_html="<p>Tell us your new home before you move.</p>",
    )
    assert list(translations_without_current_vector()) == [translation]
    # A text saved while its vector is being computed: the computed vector is dropped.
    from lagniappe.knowledge import vector_services

    real = vector_services.EMBEDDER.passage_vectors

    def save_meanwhile(passages):
        vectors = real(passages)
        ArticleTranslation.objects.filter(pk=translation.pk).update(version=99)
        return vectors

    monkeypatch.setattr(vector_services.EMBEDDER, "passage_vectors", save_meanwhile)
    assert translation_vectors_refresh() == 0
    monkeypatch.undo()
    assert translation_vectors_refresh() == 1
    vector = TranslationVector.objects.get(pk=translation.pk)
    assert (vector.version, vector.model) == (99, MODEL_ID)
    assert bytes(vector.vector) != before


def test_saving_queues_the_vector_and_the_sweep_heals_lost_ones(
    world, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = _article(world.bank, "card", "en", CARD_LOST["en"])
    run_tasks()
    translation = article.translations.get()
    assert TranslationVector.objects.filter(pk=translation.pk, version=1).exists()
    TranslationVector.objects.all().delete()  # say, written before vectors existed
    assert translation_vectors_queue_stale() == 1  # what the worker's sweep calls every minute
    run_tasks()
    assert TranslationVector.objects.filter(pk=translation.pk).exists()


def test_a_process_reloads_its_vectors_when_they_change(service_kb):
    brand_ids = frozenset({service_kb.bank.pk})
    first = vector_index.brand_vectors(brand_ids)
    assert vector_index.brand_vectors(brand_ids) is first
    translation = ArticleTranslation.objects.get(article__slug="claim-en")
    translation_save(
        actor=SYSTEM, article=translation.article, language="en", title="Claims", body_html="x"
    )
    translation_vectors_refresh()
    second = vector_index.brand_vectors(brand_ids)
    assert second is not first and len(second.keys) == len(first.keys)
    assert vector_index.brand_vectors(brand_ids) is second
