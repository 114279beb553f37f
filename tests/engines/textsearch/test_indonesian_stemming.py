"""The Indonesian analyzer's fast path gives exactly Sastrawi's stems.

Indexed documents keep the stems they were written with, so a faster path that changed one
stem would silently stop old documents matching new queries.
"""

from __future__ import annotations

import random

import pytest
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from lagniappe.engines.textsearch import index_text, query_terms, word_term

# Every prefix, suffix, confix and infix rule family, loan words, names, English words.
GOLDEN_WORDS = [
    "pengembalian", "dikembalikan", "mengembalikan", "kembalikan", "pembayaran",
    "membayar", "dibayarkan", "bayarlah", "bayarkah", "bukunya", "bukuku", "bukumu",
    "sepatupun", "berlari", "bekerja", "belajar", "bersekolah", "berperan", "beterbangan",
    "terbang", "terpercaya", "tertawa", "menyapu", "memukul", "mempelajari", "memperbaiki",
    "menulis", "mengambil", "mengecat", "menganga", "meminjam", "melihat", "merawat",
    "pemakai", "penulis", "pengirim", "penyanyi", "pelajar", "perumahan", "perbaikan",
    "kesehatan", "keadilan", "sebuah", "secepatnya", "kuambil", "kauambil", "kautsar",
    "gerigi", "gelembung", "gemetar", "kinerja", "telunjuk", "sinambung", "globalisasi",
    "nasionalisme", "nasionalis", "tercapainya", "penduduk", "perhubungan", "berlin",
    "dibaba", "kampiun", "olimpiade", "refund", "refunds", "member", "termination",
    "person", "better", "media", "test", "analysis", "this", "bandung", "jakarta",
    "kenapa", "apakah", "siapakah", "dimanakah", "berapakah", "ad", "di", "ke", "se",
    "café", "naïve", "straße", "ｶﾀｶﾅ",
]  # fmt: skip


def _random_words(count: int) -> list[str]:
    """Indonesian-shaped nonsense (consonant-vowel patterns) with the affixes' letters."""
    chooser = random.Random(7)
    consonants, vowels = "bcdfghjklmnprstwy", "aiueo"
    words = []
    for _ in range(count):
        length = chooser.randint(2, 11)
        words.append(
            "".join(chooser.choice(vowels if i % 2 else consonants) for i in range(length))
        )
    return words


@pytest.mark.parametrize("words", [GOLDEN_WORDS, _random_words(1500)], ids=["golden", "random"])
def test_indonesian_terms_equal_sastrawi_stems(words):
    library = StemmerFactory().create_stemmer()
    for word in words:
        assert word_term(word, "id") == (str(library.stem(word)) or word), word


def test_english_looking_words_keep_their_form_in_the_indonesian_analyzer():
    # None of Sastrawi's rules can apply: the fast path answers without running them.
    assert index_text("refund policy update", "id") == "refund policy update"


def test_indonesian_affixes_are_still_removed():
    assert query_terms("pengembalian dikembalikan bukunya", "id") == ["kembali", "buku"]
