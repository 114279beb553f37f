"""Permission-checked getters: an article outside the viewer's brands is not found."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lagniappe.core.errors import NotFound
from lagniappe.knowledge.models import Article
from lagniappe.tenancy.scoping import ViewerScope


def access_article_by_id(scope: ViewerScope, article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id, brand_id__in=scope.brand_ids).first()
    if article is None:
        raise NotFound(_("No such article."))
    return article
