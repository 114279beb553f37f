"""Writes to the knowledge base. Every write that changes words also updates the search index,
in the same transaction, so the index never disagrees with the articles."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify

from lagniappe.core import clock
from lagniappe.core.actors import Actor
from lagniappe.core.errors import Conflict, InvalidInput, NotFound
from lagniappe.core.events import publish
from lagniappe.core.languages import Language, language_normalise
from lagniappe.core.sanitising import html_sanitise, html_to_text
from lagniappe.core.services import audit_record
from lagniappe.engines.textsearch import analyzer_family, index_text, query_terms
from lagniappe.knowledge.events import ArticlePublished, ArticleUnpublished
from lagniappe.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleTranslation,
    ArticleVersion,
    PortalVisit,
    SearchLog,
    SynonymGroup,
)
from lagniappe.knowledge.search_index import index_put
from lagniappe.knowledge.tasks import translation_vectors_refresh_task
from lagniappe.knowledge.vocabulary import vocabulary_change, words_of
from lagniappe.tenancy.models import Brand

MAX_TITLE = 300
MAX_BODY = 500_000  # characters of HTML: far beyond any help article, short of abuse


@transaction.atomic
def article_create(
    *,
    actor: Actor,
    brand: Brand,
    slug: str,
    category: str = "",
    visibility: str = Article.Visibility.PUBLIC,
) -> Article:
    """A new draft article of `brand`; Conflict when the brand already has the slug."""
    clean_slug = slugify(slug, allow_unicode=True)[:120]
    if not clean_slug:
        raise InvalidInput("An article needs a slug.", details={"slug": slug})
    if visibility not in Article.Visibility.values:
        raise InvalidInput("Unknown visibility.", details={"visibility": visibility})
    try:
        with transaction.atomic():
            article = Article.objects.create(
                brand=brand,
                slug=clean_slug,
                category=category.strip()[:100],
                visibility=visibility,
                author_id=actor.agent_id,
            )
    except IntegrityError as error:
        raise Conflict(
            "This brand already has an article with that slug.", details={"slug": clean_slug}
        ) from error
    audit_record(
        actor=actor,
        action="article.create",
        object_type="knowledge.article",
        object_id=article.pk,
        brand_id=brand.pk,
        after={"slug": article.slug, "visibility": article.visibility},
    )
    return article


@transaction.atomic
def translation_save(
    *, actor: Actor, article: Article, language: str, title: str, body_html: str
) -> ArticleTranslation:
    """Create or replace the article's text in `language`, and re-index it."""
    code = language_normalise(language)
    if code not in Language.values:
        raise InvalidInput("Unknown language.", details={"language": language})
    title = " ".join(title.split())[:MAX_TITLE]
    if not title:
        raise InvalidInput("An article needs a title.")
    if len(body_html) > MAX_BODY:
        raise InvalidInput("The article is too long.", details={"max_chars": MAX_BODY})
    clean_html = html_sanitise(body_html)
    body_text = html_to_text(clean_html)
    translation = (
        ArticleTranslation.objects.select_for_update()
        .filter(article=article, language=code)
        .first()
    )
    before: dict[str, Any] = {}
    old_words: dict[str, str] = {}
    if translation is None:
        translation = ArticleTranslation(article=article, language=code, version=1)
    else:
        old_words = words_of(code, translation.title, translation.body_text)
        before = {"title": translation.title, "version": translation.version}
        # The words being replaced are kept, with who wrote them and when.
        ArticleVersion.objects.create(
            translation=translation,
            version=translation.version,
            title=translation.title,
            body_html=translation.body_html,
            author_id=translation.author_id,
            created_at=translation.updated_at,
        )
        translation.version += 1
    translation.author_id = actor.agent_id
    translation.title = title
    translation.body_html = clean_html
    translation.body_text = body_text
    translation.updated_at = clock.now()
    translation.save()
    index_put(translation.pk, index_text(title, code), index_text(body_text, code))
    # Its meaning is computed by the worker (≈ 0.1 s); until then it is found by its words.
    translation_id = translation.pk
    transaction.on_commit(lambda: translation_vectors_refresh_task.enqueue([translation_id]))
    vocabulary_change(
        article.brand_id, analyzer_family(code), old_words, words_of(code, title, body_text)
    )
    audit_record(
        actor=actor,
        action="article.translation_save",
        object_type="knowledge.article",
        object_id=article.pk,
        brand_id=article.brand_id,
        before=before,
        after={"language": code, "title": title, "version": translation.version},
    )
    return translation


@transaction.atomic
def article_update(
    *, actor: Actor, article: Article, category: str | None = None, visibility: str | None = None
) -> Article:
    """Change what the article is filed under and who may read it (None leaves it as it is)."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    before = {"category": article.category, "visibility": article.visibility}
    if visibility is not None:
        if visibility not in Article.Visibility.values:
            raise InvalidInput("Unknown visibility.", details={"visibility": visibility})
        article.visibility = visibility
    if category is not None:
        article.category = category.strip()[:100]
    after = {"category": article.category, "visibility": article.visibility}
    if after == before:
        return article
    article.save(update_fields=["category", "visibility", "updated_at"])
    audit_record(
        actor=actor,
        action="article.update",
        object_type="knowledge.article",
        object_id=article.pk,
        brand_id=article.brand_id,
        before=before,
        after=after,
    )
    return article


@transaction.atomic
def article_relate(*, actor: Actor, article: Article, related: list[Article]) -> Article:
    """Set the articles shown as related to `article` (both ways); all of its own brand."""
    others = {other.pk: other for other in related if other.pk != article.pk}
    foreign = sorted(pk for pk, other in others.items() if other.brand_id != article.brand_id)
    if foreign:
        raise InvalidInput(
            "Related articles must belong to the same brand.", details={"article_ids": foreign}
        )
    before = sorted(article.related.values_list("pk", flat=True))
    article.related.set(list(others.values()))
    audit_record(
        actor=actor,
        action="article.relate",
        object_type="knowledge.article",
        object_id=article.pk,
        brand_id=article.brand_id,
        before={"related": before},
        after={"related": sorted(others)},
    )
    return article


@transaction.atomic
def article_publish(*, actor: Actor, article: Article) -> Article:
    """Make the article visible to its audience; it needs at least one translation."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == Article.Status.PUBLISHED:
        return article
    if not article.translations.exists():
        raise InvalidInput("Write the article before publishing it.")
    article.status = Article.Status.PUBLISHED
    article.published_at = clock.now()
    article.save(update_fields=["status", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="article.publish",
        object_type="knowledge.article",
        object_id=article.pk,
        brand_id=article.brand_id,
        before={"status": Article.Status.DRAFT},
        after={"status": Article.Status.PUBLISHED},
    )
    publish(ArticlePublished(article_id=article.pk, brand_id=article.brand_id))
    return article


@transaction.atomic
def article_unpublish(*, actor: Actor, article: Article) -> Article:
    """Take the article back to draft: customers no longer find or read it; agents still do."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.status == Article.Status.DRAFT:
        return article
    article.status = Article.Status.DRAFT
    article.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="article.unpublish",
        object_type="knowledge.article",
        object_id=article.pk,
        brand_id=article.brand_id,
        before={"status": Article.Status.PUBLISHED},
        after={"status": Article.Status.DRAFT},
    )
    publish(ArticleUnpublished(article_id=article.pk, brand_id=article.brand_id))
    return article


def translation_restore(
    *, actor: Actor, translation: ArticleTranslation, version: int
) -> ArticleTranslation:
    """Bring back the words of an earlier version as a new version (history is never rewritten).

    NotFound when the translation has no such version.
    """
    old = ArticleVersion.objects.filter(translation=translation, version=version).first()
    if old is None:
        raise NotFound("No such version.", details={"version": version})
    with transaction.atomic():
        restored = translation_save(
            actor=actor,
            article=translation.article,
            language=translation.language,
            title=old.title,
            body_html=old.body_html,
        )
        audit_record(
            actor=actor,
            action="article.version_restore",
            object_type="knowledge.article",
            object_id=translation.article_id,
            brand_id=translation.article.brand_id,
            after={"language": translation.language, "restored": version},
        )
    return restored


# Help-centre facts below are counted, not audited: they change no one's data, and a search
# per keystroke in the audit trail would bury the changes people need to find there.
MAX_REASON = 1000
MAX_LOGGED_QUERY = 300


def feedback_record(
    *,
    article: Article,
    translation: ArticleTranslation | None,
    helpful: bool,
    reason: str,
    language: str,
    session_hash: str,
) -> ArticleFeedback:
    """A visitor's "did this help?" on an article they could see."""
    return ArticleFeedback.objects.create(
        article=article,
        translation=translation,
        helpful=helpful,
        reason=reason.strip()[:MAX_REASON],
        language=language_normalise(language),
        session_hash=session_hash[:64],
        created_at=clock.now(),
    )


def search_log_record(*, brand: Brand, query: str, language: str, result_count: int) -> SearchLog:
    """Log one search; the normalised query groups spellings of the same question."""
    code = language_normalise(language)
    terms = sorted(set(query_terms(query, code or "en")))
    normalised = ""
    for term in terms:  # whole terms only, within the column
        candidate = f"{normalised} {term}".strip()
        if len(candidate) > MAX_LOGGED_QUERY:
            break
        normalised = candidate
    return SearchLog.objects.create(
        brand=brand,
        language=code,
        query=" ".join(query.split())[:MAX_LOGGED_QUERY],
        normalised_query=normalised,
        result_count=max(0, result_count),
        created_at=clock.now(),
    )


def search_log_click(*, brand: Brand, search_id: int, article: Article) -> bool:
    """Record the result opened from a search; the first click counts. False if none changed.

    The caller vouches that the search is the visitor's own (its id came from their session).
    """
    if article.brand_id != brand.pk:
        return False
    changed = SearchLog.objects.filter(
        pk=search_id, brand=brand, clicked_article__isnull=True
    ).update(clicked_article=article)
    return changed == 1


def _visit(brand: Brand, session_hash: str) -> PortalVisit:
    visit, _ = PortalVisit.objects.get_or_create(
        brand=brand, session_hash=session_hash[:64], defaults={"started_at": clock.now()}
    )
    return visit


@transaction.atomic
def portal_visit_article_view(*, brand: Brand, session_hash: str) -> None:
    visit = _visit(brand, session_hash)
    PortalVisit.objects.filter(pk=visit.pk).update(article_views=F("article_views") + 1)


@transaction.atomic
def portal_visit_contact(*, brand: Brand, session_hash: str) -> None:
    visit = _visit(brand, session_hash)
    PortalVisit.objects.filter(pk=visit.pk).update(contacted=True)


MAX_SYNONYM_TERMS = 50
MAX_SYNONYM_CHARS = 100


def synonym_terms_clean(terms: str) -> list[str]:
    """One term per line (commas separate too), trimmed, duplicates dropped."""
    cleaned: list[str] = []
    for line in terms.replace(",", "\n").replace("，", "\n").replace("、", "\n").splitlines():
        term = " ".join(line.split())[:MAX_SYNONYM_CHARS]
        if term and term.casefold() not in {seen.casefold() for seen in cleaned}:
            cleaned.append(term)
    return cleaned


@transaction.atomic
def synonym_group_save(
    *,
    actor: Actor,
    brand: Brand,
    language: str,
    terms: str,
    group: SynonymGroup | None = None,
) -> SynonymGroup:
    """Create or replace a group of words searched as one (used from the next query on)."""
    code = language_normalise(language)
    if code not in Language.values:
        raise InvalidInput("Unknown language.", details={"language": language})
    members = synonym_terms_clean(terms)
    if len(members) < 2:
        raise InvalidInput("A synonym group needs at least two terms.")
    if len(members) > MAX_SYNONYM_TERMS:
        raise InvalidInput("Too many terms.", details={"max_terms": MAX_SYNONYM_TERMS})
    before: dict[str, Any] = {}
    if group is None:
        group = SynonymGroup(brand=brand)
    else:
        if group.brand_id != brand.pk:
            raise InvalidInput("The group belongs to another brand.")
        before = {"language": group.language, "terms": group.terms.splitlines()}
    group.language = code
    group.terms = "\n".join(members)
    group.updated_at = clock.now()
    group.save()
    audit_record(
        actor=actor,
        action="knowledge.synonyms_save",
        object_type="knowledge.synonymgroup",
        object_id=group.pk,
        brand_id=brand.pk,
        before=before,
        after={"language": code, "terms": members},
    )
    return group
