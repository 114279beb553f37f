"""The customer's help centre: search, articles, "did this help?", and a way to a person.

Views read through knowledge selectors (a Brand as the scope: published public articles only)
and write through knowledge services; the visitor's session trail lives in visitor.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from lagniappe.channels.selectors import endpoint_webform_first_for_brand
from lagniappe.core.downloads import stored_file_download
from lagniappe.knowledge import selectors, services
from lagniappe.knowledge.models import Article, ArticleTranslation
from lagniappe.portal import branding, customer_session, visitor
from lagniappe.portal import selectors as portal_selectors
from lagniappe.tenancy.models import Brand

MAX_QUERY_CHARS = 300  # what the page echoes and logs; the analyzer reads at most 1,000
SUGGESTIONS = 5
RESULTS = 10
CONTEXT_CHARS = 2000  # the web form's hidden fields hold this much


class FeedbackForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))])
    reason = forms.CharField(
        label=_("What were you looking for?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": "1000"}),
    )
    language = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)


def brand_or_404(brand_slug: str) -> Brand:
    brand = selectors.help_centre_brand(brand_slug)
    if brand is None:
        raise Http404
    return brand


def _article_or_404(brand: Brand, article_slug: str) -> Article:
    article = selectors.article_public_by_slug(brand, article_slug[:120])
    if article is None:  # drafts, internal articles and other brands' look the same: absent
        raise Http404
    return article


def _translation_for(article: Article, candidates: list[str]) -> ArticleTranslation | None:
    translations = {item.language: item for item in article.translations.all()}
    picked = visitor.language_pick(candidates, translations)
    return translations.get(picked) if picked else None


def page_render(
    request: HttpRequest,
    brand: Brand,
    template: str,
    context: dict[str, Any],
    language: str,
    *,
    status: int = 200,
) -> HttpResponse:
    """A help-centre page: the brand's look, the way to a person, and who is signed in."""
    look = branding.portal_look(brand)
    base = {
        "brand": brand,
        "look": look,  # colours validated: they are written into a <style> block
        "brand_colour": look.primary,
        "can_contact": endpoint_webform_first_for_brand(brand.pk) is not None,
        "page_path": request.path,
        "visitor_language": language,
        "signed_in": customer_session.session_signed_in(request, brand),
    }
    response = render(request, template, {**base, **context}, status=status)
    # LocaleMiddleware would name its own choice, not the language this page is shown in.
    response.headers["Content-Language"] = language
    return response


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "")[:MAX_QUERY_CHARS].strip()


@require_GET
def home(request: HttpRequest, brand_slug: str) -> HttpResponse:
    brand = brand_or_404(brand_slug)
    candidates = visitor.language_candidates(request, brand)
    with translation.override(candidates[0].lower()):
        groups: dict[str, list[tuple[Article, ArticleTranslation]]] = {}
        for article in selectors.article_list_public(brand):
            shown = _translation_for(article, candidates)
            if shown is not None:
                groups.setdefault(article.category, []).append((article, shown))
        categories = sorted(groups.items(), key=lambda item: (item[0] == "", item[0]))
        return page_render(
            request, brand, "portal/home.html", {"categories": categories}, candidates[0]
        )


@require_GET
def search(request: HttpRequest, brand_slug: str) -> HttpResponse:
    brand = brand_or_404(brand_slug)
    candidates = visitor.language_candidates(request, brand)
    query = _query(request)
    with translation.override(candidates[0].lower()):
        hits: list[selectors.ArticleHit] = []
        search_id = None
        if query:
            language = visitor.search_language(query, candidates[0])
            hits = selectors.article_search(brand, query, language=language, limit=RESULTS)
            logged = services.search_log_record(
                brand=brand, query=query, language=language, result_count=len(hits)
            )
            search_id = logged.pk
            visitor.trail_search(request, brand, query, logged.pk)
        context = {"query": query, "hits": hits, "search_id": search_id}
        return page_render(request, brand, "portal/search.html", context, candidates[0])


@require_GET
def suggest(request: HttpRequest, brand_slug: str) -> HttpResponse:
    """Titles for the search box as the visitor types (an htmx fragment). Not logged."""
    brand = brand_or_404(brand_slug)
    candidates = visitor.language_candidates(request, brand)
    query = _query(request)
    found: list[tuple[str, str]] = []
    if query:
        language = visitor.search_language(query, candidates[0])
        found = selectors.article_suggest(brand, query, language=language, limit=SUGGESTIONS)
    with translation.override(candidates[0].lower()):
        return render(request, "portal/_suggestions.html", {"brand": brand, "suggestions": found})


@require_GET
def article(request: HttpRequest, brand_slug: str, article_slug: str) -> HttpResponse:
    brand = brand_or_404(brand_slug)
    found = _article_or_404(brand, article_slug)
    candidates = visitor.language_candidates(request, brand)
    shown = _translation_for(found, candidates)
    if shown is None:
        raise Http404
    from_search = request.GET.get("from_search", "")
    # Only this session's own searches: an id in a URL alone proves nothing.
    if (
        from_search.isdigit()
        and len(from_search) <= 18
        and visitor.trail_owns_search(request, brand, int(from_search))
    ):
        services.search_log_click(brand=brand, search_id=int(from_search), article=found)
    visitor.trail_article(request, brand, f"{shown.title} <{request.path}>")
    services.portal_visit_article_view(brand=brand, session_hash=visitor.session_hash(request))
    with translation.override(shown.language.lower()):
        context = {
            "article": found,
            "translation": shown,
            "others": [item for item in found.translations.all() if item.pk != shown.pk],
            "form": FeedbackForm(initial={"language": shown.language}),
            "thanks": request.GET.get("thanks") == "1",
            "files": portal_selectors.article_public_files(found),
        }
        return page_render(request, brand, "portal/article.html", context, shown.language)


@require_GET
def article_file(
    request: HttpRequest, brand_slug: str, article_slug: str, file_id: int
) -> FileResponse:
    """An image or file of a published public article: what its body may show to anyone."""
    found = _article_or_404(brand_or_404(brand_slug), article_slug)
    attached = portal_selectors.article_public_file(found, file_id)
    if attached is None:
        raise Http404
    return stored_file_download(
        attached.file, filename=attached.filename, content_type=attached.content_type
    )


@require_POST
def feedback(request: HttpRequest, brand_slug: str, article_slug: str) -> HttpResponse:
    brand = brand_or_404(brand_slug)
    found = _article_or_404(brand, article_slug)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    translations = {item.language: item for item in found.translations.all()}
    language = str(form.cleaned_data["language"])
    services.feedback_record(
        article=found,
        translation=translations.get(language),
        helpful=form.cleaned_data["helpful"] == "yes",
        reason=str(form.cleaned_data["reason"]),
        language=language if language in translations else "",
        session_hash=visitor.session_hash(request),
    )
    if getattr(request, "htmx", False):
        with translation.override((language if language in translations else "en").lower()):
            return render(request, "portal/_feedback_thanks.html", {})
    url = reverse("portal:article", args=[brand.slug, found.slug])
    response = HttpResponseRedirect(f"{url}?{urlencode({'language': language, 'thanks': '1'})}")
    response.status_code = 303
    return response


def _newest_fitting(items: list[str]) -> str:
    """Lines joined, dropping the oldest until they fit the web form's hidden field."""
    kept = list(items)
    while kept and len("\n".join(kept)) > CONTEXT_CHARS:
        kept.pop(0)
    return "\n".join(kept)


@require_GET
def contact(request: HttpRequest, brand_slug: str) -> HttpResponse:
    """ "Talk to a person": count it, then hand the session's context to the brand's web form."""
    brand = brand_or_404(brand_slug)
    endpoint = endpoint_webform_first_for_brand(brand.pk)
    if endpoint is None:
        raise Http404
    services.portal_visit_contact(brand=brand, session_hash=visitor.session_hash(request))
    searches, articles = visitor.trail_context(request, brand)
    page = request.GET.get("page", "")[:500]
    params = {"language": visitor.language_candidates(request, brand)[0]}
    if page.startswith(reverse("portal:home", args=[brand.slug])):
        params["page"] = page
    for name, items in (("searches", searches), ("articles", articles)):
        if joined := _newest_fitting(items):
            params[name] = joined
    url = reverse("channel_webform:form-show", args=[endpoint.public_key])
    response = HttpResponseRedirect(f"{url}?{urlencode(params)}")
    response.status_code = 303
    return response


@require_GET
def logo(request: HttpRequest, brand_slug: str) -> FileResponse:
    """The brand's logo, as the image type its bytes prove; anything else is not found."""
    brand = brand_or_404(brand_slug)
    found = branding.branding_for_brand(brand)
    if found is None or not found.logo:
        raise Http404
    try:
        handle = found.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = branding.logo_content_type(handle.read(16))
    if content_type is None:
        handle.close()
        raise Http404
    handle.seek(0)
    response = FileResponse(handle, content_type=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=86400"  # the URL names the version
    return response
