"""Permission-checked getters: an article outside the viewer's brands is not found."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lagniappe.core.errors import NotFound
from lagniappe.knowledge.models import Article, ArticleAttachment
from lagniappe.staff.models import Role
from lagniappe.tenancy.scoping import ViewerScope

# Who writes the knowledge base: administrators, supervisors and department champions (the
# people who own a team's answers). Frontline agents read every article of their brands.
EDITOR_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.CHAMPION})


def can_edit_articles(scope: ViewerScope) -> bool:
    return scope.agent_id is not None and scope.role in EDITOR_ROLES


def access_article_by_id(scope: ViewerScope, article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id, brand_id__in=scope.brand_ids).first()
    if article is None:
        raise NotFound(_("No such article."))
    return article


def access_article_attachment_by_id(scope: ViewerScope, attachment_id: int) -> ArticleAttachment:
    attachment = (
        ArticleAttachment.objects.select_related("article")
        .filter(pk=attachment_id, article__brand_id__in=scope.brand_ids)
        .first()
    )
    if attachment is None:
        raise NotFound(_("No such file."))
    return attachment
