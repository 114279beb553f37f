"""/api/v1/canned-responses: the prepared replies of the caller's brands (read-only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from lagniappe.api.auth import viewer_of
from lagniappe.api.errors import ErrorOut
from lagniappe.api.schemas.canned import CannedList, CannedQuery
from lagniappe.core.errors import NotFound
from lagniappe.staff.canned import canned_list_for_viewer

router = Router(tags=["canned responses"])


@router.get(
    "",
    response={200: CannedList, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="List canned responses",
)
def canned_list(request: HttpRequest, query: Query[CannedQuery]) -> dict[str, Any]:
    """Active responses of the caller's brands (or of `brand_id`), for `language` and for
    every language; a language's own version of a shortcut replaces the general one."""
    scope = viewer_of(request).scope
    if query.brand_id is not None and query.brand_id not in scope.brand_ids:
        raise NotFound("No such brand.", details={"brand_id": query.brand_id})
    rows = canned_list_for_viewer(scope, brand_id=query.brand_id, language=query.language)
    return {"items": rows}
