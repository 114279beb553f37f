"""`lagniappe kb import/export`: a folder of Markdown and HTML in five languages, through the
services, into the index; idempotent; export then import round-trips."""

from __future__ import annotations

import pytest

from lagniappe.cli import main
from lagniappe.core.actors import SYSTEM
from lagniappe.knowledge.importing import folder_export, folder_import
from lagniappe.knowledge.models import Article, ArticleTranslation, ArticleVersion
from lagniappe.knowledge.selectors import article_search

FILES = {
    "refund.md": (
        "---\ntitle: 申請退款\nslug: refund\nlanguage: zh-Hant\ncategory: Claims\n---\n"
        "登入後在**保單**頁面申請退款。\n\n<script>alert(1)</script>\n"
    ),
    "refund.zh-Hans.md": (
        "---\ntranslation_of: refund\n---\n# 申请退款\n\n登录后在保单页面申请退款。\n"
    ),
    "refund-ja.md": (
        "---\ntitle: 返金の申請\nlanguage: ja\ntranslation_of: refund\n---\n"
        "ログイン後、保険証券のページから返金を申請してください。\n"
    ),
    "refund.id.md": (
        "---\ntitle: Pengajuan pengembalian dana\ntranslation_of: refund\n---\n"
        "Ajukan pengembalian dana dari halaman polis setelah masuk.\n"
    ),
    "refund.en.html": (
        '<html><head><title>Requesting a refund</title><meta name="translation_of" '
        'content="refund"></head><body><p>Request refunds from the policy page.</p></body></html>'
    ),
    "address.en.html": (
        "<html><head><title>Change your address</title>"
        '<meta name="visibility" content="internal"></head>'
        "<body><p>Agents update the postal address.</p></body></html>"
    ),
}


@pytest.fixture
def folder(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, "utf-8")
    return tmp_path


def test_import_links_translations_and_search_finds_each_language(world, folder):
    summary = folder_import(actor=SYSTEM, brand=world.insurer, folder=folder, publish=True)
    assert (summary.articles_created, summary.translations_saved, summary.failed) == (2, 6, 0)
    refund = Article.objects.get(brand=world.insurer, slug="refund")
    assert refund.category == "Claims"
    assert sorted(refund.translations.values_list("language", flat=True)) == [
        "en",
        "id",
        "ja",
        "zh-Hans",
        "zh-Hant",
    ]
    hant = refund.translations.get(language="zh-Hant")
    assert "<strong>保單</strong>" in hant.body_html and "<script" not in hant.body_html
    assert refund.translations.get(language="zh-Hans").title == "申请退款"  # from the heading
    address = Article.objects.get(brand=world.insurer, slug="address")
    assert address.visibility == Article.Visibility.INTERNAL
    for query, language in (
        ("退款", "zh-Hant"),
        ("申请退款", "zh-Hans"),
        ("返金", "ja"),
        ("pengembalian", "id"),
        ("refund", "en"),
    ):
        hits = article_search(world.insurer, query, language=language)
        assert [hit.slug for hit in hits] == ["refund"], query
    assert article_search(world.insurer, "postal address", language="en") == []  # internal


def test_reimport_unchanged_changes_nothing_and_an_edit_makes_a_version(world, folder):
    folder_import(actor=SYSTEM, brand=world.insurer, folder=folder)
    again = folder_import(actor=SYSTEM, brand=world.insurer, folder=folder)
    assert (again.articles_created, again.translations_saved, again.unchanged) == (0, 0, 6)
    assert not ArticleVersion.objects.exists()
    (folder / "refund.id.md").write_text(
        "---\ntitle: Pengembalian dana\ntranslation_of: refund\n---\nIsi baru.\n", "utf-8"
    )
    edited = folder_import(actor=SYSTEM, brand=world.insurer, folder=folder)
    assert (edited.articles_created, edited.translations_saved) == (0, 1)
    assert Article.objects.filter(brand=world.insurer).count() == 2
    current = ArticleTranslation.objects.get(article__slug="refund", language="id")
    assert (current.version, current.title) == (2, "Pengembalian dana")
    old = ArticleVersion.objects.get(translation=current)
    assert (old.version, old.title) == (1, "Pengajuan pengembalian dana")
    assert "halaman polis" in old.body_html


def test_export_then_import_round_trips(world, folder, tmp_path_factory):
    folder_import(actor=SYSTEM, brand=world.insurer, folder=folder, publish=True)
    out = tmp_path_factory.mktemp("export")
    assert folder_export(brand=world.insurer, folder=out) == 6
    before = {
        (t.article.slug, t.language): (t.title, t.body_html.strip(), t.article.visibility)
        for t in ArticleTranslation.objects.select_related("article")
    }
    # Into the same brand: nothing changes. Into another brand: the same articles appear.
    same = folder_import(actor=SYSTEM, brand=world.insurer, folder=out)
    assert (same.translations_saved, same.unchanged, same.failed) == (0, 6, 0)
    other = folder_import(actor=SYSTEM, brand=world.bank, folder=out)
    assert (other.articles_created, other.translations_saved) == (2, 6)
    after = {
        (t.article.slug, t.language): (t.title, t.body_html.strip(), t.article.visibility)
        for t in ArticleTranslation.objects.filter(article__brand=world.bank).select_related(
            "article"
        )
    }
    assert after == before


def test_a_bad_file_is_reported_and_the_rest_imported(world, folder):
    (folder / "orphan.md").write_text("---\ntitle: X\ntranslation_of: nowhere\n---\nx\n", "utf-8")
    (folder / "untitled.md").write_text("no title here\n", "utf-8")
    summary = folder_import(actor=SYSTEM, brand=world.insurer, folder=folder)
    assert summary.failed == 2 and summary.translations_saved == 6
    assert any("orphan.md" in error for error in summary.errors)


@pytest.mark.django_db(transaction=True)
def test_cli_import_shows_progress_and_summary(world, folder, capsys):
    assert main(["kb", "import", str(folder), "--brand", world.insurer.slug, "--publish"]) == 0
    captured = capsys.readouterr()
    assert "6/6" in captured.err
    assert "2 articles created, 6 translations saved, 0 unchanged, 0 failed." in captured.out
    assert main(["kb", "import", str(folder), "--brand", "no-such-brand"]) == 1
