"""The knowledge editor: a brand's article list, writing an article in one language (a new
article, an edit, or a translation), publishing and unpublishing.

Every agent reads the articles of their brands here; only editors (knowledge.access.
EDITOR_ROLES) change them. An article of another brand is simply not found.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_POST

from lagniappe.core.errors import DomainError
from lagniappe.core.languages import Language, language_normalise
from lagniappe.core.sanitising import html_sanitise
from lagniappe.knowledge.access import access_article_by_id, can_edit_articles
from lagniappe.knowledge.editor_selectors import (
    editor_article,
    editor_article_list,
    editor_brands,
    editor_categories,
)
from lagniappe.knowledge.editor_services import article_draft_create, article_edit_save
from lagniappe.knowledge.services import MAX_BODY, article_publish, article_unpublish
from lagniappe.tenancy.models import Brand
from lagniappe.workspace.errors import not_found_as_404, refusal_message
from lagniappe.workspace.knowledge_editor_forms import (
    ArticleFileForm,
    ArticleForm,
    ArticleListFilterForm,
    NewArticleForm,
)
from lagniappe.workspace.viewer import Viewer, viewer_of


def editor_required(viewer: Viewer) -> None:
    if not can_edit_articles(viewer.scope):
        raise PermissionDenied


def reader_language() -> str:
    return language_normalise(get_language()) or "en"


def language_labels() -> dict[str, str]:
    return {code: str(label) for code, label in Language.choices}


def brand_chosen(viewer: Viewer, raw: str | None) -> tuple[Brand, list[Brand]]:
    brands = editor_brands(viewer.scope)
    if not brands:
        raise Http404
    if not raw:
        return brands[0], brands
    for brand in brands:
        if str(brand.pk) == raw:
            return brand, brands
    raise Http404


@login_required
@require_http_methods(["GET"])
def article_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    brand, brands = brand_chosen(viewer, request.GET.get("brand"))
    form = ArticleListFilterForm(request.GET, categories=editor_categories(viewer.scope, brand.pk))
    rows = editor_article_list(viewer.scope, brand, form.filters(), reader_language())
    return render(
        request,
        "workspace/knowledge/list.html",
        {
            "brand": brand,
            "brands": brands,
            "form": form,
            "rows": rows,
            "can_edit": can_edit_articles(viewer.scope),
            "language_labels": language_labels(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    editor_required(viewer)
    brand, _brands = brand_chosen(viewer, request.GET.get("brand"))
    if request.method == "POST":
        form = NewArticleForm(request.POST, related_choices=())
        if form.is_valid():
            try:
                translation = article_draft_create(
                    actor=viewer.actor,
                    brand=brand,
                    draft=form.draft(form.cleaned_data["language"]),
                    publish=request.POST.get("action") == "publish",
                )
            except DomainError as error:
                form.add_error(None, refusal_message(error))
            else:
                messages.success(request, gettext("The article is saved."))
                return redirect(
                    "workspace:kb-article",
                    article_id=translation.article_id,
                    language=translation.language,
                )
    else:
        form = NewArticleForm(
            initial={"language": brand.default_language or reader_language()},
            related_choices=(),
        )
    return render(
        request,
        "workspace/knowledge/new.html",
        {"brand": brand, "form": form, "categories": editor_categories(viewer.scope, brand.pk)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def article_edit(request: HttpRequest, article_id: int, language: str) -> HttpResponse:
    """One language of an article: edit it, or write it for the first time (a translation)."""
    viewer = viewer_of(request)
    article = access_article_by_id(viewer.scope, article_id)
    if language not in Language.values:
        raise Http404
    detail = editor_article(viewer.scope, article, reader_language())
    translation = detail.translations.get(language)
    can_edit = can_edit_articles(viewer.scope)
    if request.method == "POST":
        editor_required(viewer)
        form = ArticleForm(request.POST, related_choices=detail.related_choices)
        if form.is_valid():
            try:
                article_edit_save(
                    actor=viewer.actor,
                    article=article,
                    draft=form.draft(language),
                    publish=request.POST.get("action") == "publish",
                )
            except DomainError as error:
                form.add_error(None, refusal_message(error))
            else:
                messages.success(request, gettext("The article is saved."))
                return redirect("workspace:kb-article", article_id=article.pk, language=language)
    else:
        source = detail.translations.get(language_normalise(request.GET.get("from")))
        words = translation or source  # a new translation starts from the words it translates
        form = ArticleForm(
            initial={
                "title": words.title if words else "",
                "body_html": words.body_html if words else "",
                "category": article.category,
                "internal": article.visibility == article.Visibility.INTERNAL,
                "related": sorted(detail.related_ids),
            },
            related_choices=detail.related_choices,
        )
    if not can_edit and translation is None:
        raise Http404
    labels = language_labels()
    return render(
        request,
        "workspace/knowledge/edit.html",
        {
            "article": article,
            "detail": detail,
            "language": language,
            "translation": translation,
            "form": form,
            "file_form": ArticleFileForm(),
            "can_edit": can_edit,
            "language_labels": labels,
            "language_name": labels[language],
            "translation_rows": [
                (code, labels[code], written) for code, written in detail.translations.items()
            ],
            "categories": editor_categories(viewer.scope, article.brand_id),
        },
    )


@login_required
@require_POST
def article_preview(request: HttpRequest) -> HttpResponse:
    """The body as customers will see it: sanitised exactly as a save would store it."""
    editor_required(viewer_of(request))
    body = request.POST.get("body_html", "")[:MAX_BODY]
    return render(
        request, "workspace/knowledge/_preview.html", {"preview_html": html_sanitise(body)}
    )


@login_required
@require_POST
@not_found_as_404
def article_publish_view(request: HttpRequest, article_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    editor_required(viewer)
    article = access_article_by_id(viewer.scope, article_id)
    try:
        if request.POST.get("action") == "unpublish":
            article_unpublish(actor=viewer.actor, article=article)
            messages.success(request, gettext("The article is a draft again."))
        else:
            article_publish(actor=viewer.actor, article=article)
            messages.success(request, gettext("The article is published."))
    except DomainError as error:
        messages.error(request, refusal_message(error))
    language = language_normalise(request.POST.get("language")) or "en"
    return redirect("workspace:kb-article", article_id=article.pk, language=language)
