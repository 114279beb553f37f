"""Preloading the mail analysers: the detector's model is loaded, and nothing changes."""

from __future__ import annotations

from lagniappe.engines.mail.language import mail_language
from lagniappe.engines.mail.preload import mail_analysis_preload
from lagniappe.engines.textsearch import detection
from lagniappe.engines.textsearch.filtering import document_terms


def test_the_preload_loads_the_detector_and_leaves_results_as_they_were() -> None:
    before = document_terms("Pengembalian premi saya belum dikembalikan", "id")
    mail_analysis_preload()
    assert detection._identifier.cache_info().currsize == 1
    mail_analysis_preload()  # a second call is harmless
    assert document_terms("Pengembalian premi saya belum dikembalikan", "id") == before
    assert "kembali" in before
    text = "Saya ingin mengembalikan kartu kredit saya karena sudah tidak dipakai lagi."
    assert mail_language(subject="Kartu kredit", text=text, default="en") == "id"
