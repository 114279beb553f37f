"""Deflection on the web form: articles suggested while the customer types, and the count
of a help-centre visit that ended in a message after all.

`form_suggestions` is an htmx fragment for /forms/<key>/: published public articles of the
brand matching what the customer has written so far. Each link opens the article in the
portal in a new tab, where the article view counts the session's visit (a deflection
candidate) like any other read. `form_sent` is posted by the web form's thank-you page: the
session's visit wrote to a person, so it was not deflected.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from lagniappe.knowledge import selectors, services
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


@require_POST
def form_sent(request: HttpRequest, brand_slug: str) -> HttpResponse:
    """The session sent the brand's web form: its help-centre visit asked for a person."""
    brand = selectors.help_centre_brand(brand_slug)
    if brand is None:
        raise Http404
    if request.session.session_key is not None:  # no session, no visit to mark
        services.portal_visit_contact(brand=brand, session_hash=visitor.session_hash(request))
    return HttpResponse(status=204)
