"""Articles suggested on the web form while the customer types (deflection).

An htmx fragment for /forms/<key>/: published public articles of the brand matching what the
customer has written so far. Each link opens the article in the portal in a new tab, where
the article view counts the session's visit (a deflection candidate) like any other read.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from lagniappe.knowledge import selectors
from lagniappe.portal import visitor

SUGGESTED = 3
SUBJECT_CHARS = 300
MESSAGE_CHARS = 500  # the start of a message says what it is about; the rest costs time


@require_GET
def form_suggestions(request: HttpRequest, brand_slug: str) -> HttpResponse:
    brand = selectors.help_centre_brand(brand_slug)
    if brand is None:
        raise Http404
    candidates = visitor.language_candidates(request, brand)
    subject = request.GET.get("subject", "")[:SUBJECT_CHARS]
    message = request.GET.get("message", "")[:MESSAGE_CHARS]
    query = " ".join(f"{subject} {message}".split())
    hits: list[selectors.ArticleHit] = []
    if query:
        language = visitor.search_language(query, candidates[0])
        # A Brand as the scope: published public articles only, never internal ones.
        hits = selectors.article_search(brand, query, language=language, limit=SUGGESTED)
    with translation.override(candidates[0].lower()):
        return render(request, "portal/_deflection.html", {"brand": brand, "hits": hits})
