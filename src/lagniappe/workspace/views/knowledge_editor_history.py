"""An article's past and its files: the versions of one language (view, restore), and the
images and files attached to it (upload, download, remove)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from lagniappe.core.downloads import stored_file_download
from lagniappe.core.errors import DomainError
from lagniappe.core.languages import Language
from lagniappe.knowledge.access import (
    access_article_attachment_by_id,
    access_article_by_id,
    can_edit_articles,
)
from lagniappe.knowledge.editor_selectors import (
    translation_of,
    translation_version,
    translation_versions,
)
from lagniappe.knowledge.editor_services import article_attachment_add, article_attachment_remove
from lagniappe.knowledge.models import Article, ArticleTranslation
from lagniappe.knowledge.services import translation_restore
from lagniappe.workspace.errors import not_found_as_404, refusal_message
from lagniappe.workspace.knowledge_editor_forms import ArticleFileForm
from lagniappe.workspace.viewer import viewer_of
from lagniappe.workspace.views.knowledge_editor import editor_required, language_labels


def _translation(request: HttpRequest, article_id: int, language: str) -> ArticleTranslation:
    article = access_article_by_id(viewer_of(request).scope, article_id)
    translation = translation_of(article, language) if language in Language.values else None
    if translation is None:
        raise Http404
    return translation


@login_required
@require_GET
@not_found_as_404
def article_history(request: HttpRequest, article_id: int, language: str) -> HttpResponse:
    translation = _translation(request, article_id, language)
    return render(
        request,
        "workspace/knowledge/history.html",
        {
            "article": translation.article,
            "translation": translation,
            "language": language,
            "versions": translation_versions(translation),
            "can_edit": can_edit_articles(viewer_of(request).scope),
            "language_labels": language_labels(),
        },
    )


@login_required
@require_GET
@not_found_as_404
def article_version(
    request: HttpRequest, article_id: int, language: str, version: int
) -> HttpResponse:
    translation = _translation(request, article_id, language)
    old = translation_version(translation, version)
    if old is None:
        raise Http404
    return render(
        request,
        "workspace/knowledge/version.html",
        {
            "article": translation.article,
            "translation": translation,
            "language": language,
            "old": old,
            "can_edit": can_edit_articles(viewer_of(request).scope),
        },
    )


@login_required
@require_POST
@not_found_as_404
def article_version_restore(
    request: HttpRequest, article_id: int, language: str, version: int
) -> HttpResponse:
    viewer = viewer_of(request)
    editor_required(viewer)
    translation = _translation(request, article_id, language)
    restored = translation_restore(actor=viewer.actor, translation=translation, version=version)
    messages.success(
        request,
        gettext("Version %(old)s is back, saved as version %(new)s.")
        % {"old": version, "new": restored.version},
    )
    return redirect("workspace:kb-article", article_id=article_id, language=language)


@login_required
@require_POST
@not_found_as_404
def article_file_upload(request: HttpRequest, article_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    editor_required(viewer)
    article: Article = access_article_by_id(viewer.scope, article_id)
    form = ArticleFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = article_attachment_add(
                actor=viewer.actor, article=article, upload=form.upload()
            )
        except DomainError as error:
            messages.error(request, refusal_message(error))
        else:
            messages.success(
                request, gettext("“%(name)s” is attached.") % {"name": attachment.filename}
            )
    else:
        for refusal in form.errors.get("file", []):
            messages.error(request, str(refusal))
    language = request.POST.get("language", "")
    return redirect(
        "workspace:kb-article",
        article_id=article.pk,
        language=language if language in Language.values else "en",
    )


@login_required
@require_GET
@not_found_as_404
def article_file_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = access_article_attachment_by_id(viewer_of(request).scope, attachment_id)
    return stored_file_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )


@login_required
@require_POST
@not_found_as_404
def article_file_remove(request: HttpRequest, attachment_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    editor_required(viewer)
    attachment = access_article_attachment_by_id(viewer.scope, attachment_id)
    article_id, name = attachment.article_id, attachment.filename
    article_attachment_remove(actor=viewer.actor, attachment=attachment)
    messages.success(request, gettext("“%(name)s” is removed.") % {"name": name})
    language = request.POST.get("language", "")
    return redirect(
        "workspace:kb-article",
        article_id=article_id,
        language=language if language in Language.values else "en",
    )
