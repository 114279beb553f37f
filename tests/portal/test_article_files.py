"""Files of an article on the help centre: anyone may fetch those of a published public
article; a draft's, an internal article's or another article's file id is simply not found."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.core.actors import SYSTEM
from lagniappe.knowledge.editor_services import article_attachment_add


def _attach(article, name="理賠表格.pdf", content_type="application/pdf", body=b"%PDF-1.4 x"):
    return article_attachment_add(
        actor=SYSTEM, article=article, upload=AttachmentUpload(name, content_type, body)
    )


def _url(article, file_id, brand_slug=None):
    return reverse(
        "portal:article-file", args=[brand_slug or article.brand.slug, article.slug, file_id]
    )


def test_a_published_public_articles_file_is_served_as_a_safe_download(world, kb, client):
    stored = _attach(kb["refund"])
    response = client.get(_url(kb["refund"], stored.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    page = client.get(reverse("portal:article", args=[world.insurer.slug, "refund"]))
    assert _url(kb["refund"], stored.pk) in page.content.decode()


def test_file_names_are_escaped_on_the_article_page(world, kb, client):
    stored = _attach(
        kb["refund"], name="<img src=x onerror=alert(1)>.txt", content_type="text/plain"
    )
    page = client.get(reverse("portal:article", args=[world.insurer.slug, "refund"])).content
    assert b"<img src=x" not in page and escape(stored.filename).encode() in page


def test_draft_internal_and_foreign_files_are_not_found(world, kb, client):
    drafted = _attach(kb["draft"])
    internal = _attach(kb["internal"])
    public = _attach(kb["refund"])
    assert client.get(_url(kb["draft"], drafted.pk)).status_code == 404
    assert client.get(_url(kb["internal"], internal.pk)).status_code == 404
    # A public article's address with another article's file id, or another brand's address.
    assert client.get(_url(kb["refund"], drafted.pk)).status_code == 404
    assert client.get(_url(kb["refund"], public.pk, world.bank.slug)).status_code == 404


def test_a_html_file_is_never_served_as_a_page(world, kb, client):
    stored = _attach(kb["refund"], name="page.txt", content_type="text/plain", body=b"hi")
    served = client.get(_url(kb["refund"], stored.pk))
    assert served["Content-Disposition"].startswith("attachment")
