"""Who is calling: `Authorization: Bearer <token>` with an agent's token or an integration's
API key. Either way the result is an ApiViewer whose ViewerScope bounds every query."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja.security import HttpBearer

from lagniappe.api.errors import FieldInvalid
from lagniappe.channels.models import Endpoint
from lagniappe.channels.services import endpoint_by_api_key
from lagniappe.core.actors import Actor
from lagniappe.core.errors import NotFound, PermissionDenied
from lagniappe.staff.models import Agent
from lagniappe.staff.selectors import agent_token_with_scope
from lagniappe.staff.services import token_mark_used
from lagniappe.tenancy.scoping import ViewerScope

API_KEY_PREFIX = "lgk_"
MAX_TOKEN_LENGTH = 256


@dataclass(frozen=True)
class ApiViewer:
    """An authenticated caller: an agent, or an integration acting for exactly one brand."""

    scope: ViewerScope
    actor: Actor
    agent: Agent | None = None
    endpoint: Endpoint | None = None

    @property
    def kind(self) -> str:
        return "agent" if self.agent is not None else "integration"


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiViewer | None:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        if token.startswith(API_KEY_PREFIX):
            return _integration_viewer(token)
        return _agent_viewer(token)


def _integration_viewer(secret: str) -> ApiViewer | None:
    endpoint = endpoint_by_api_key(secret)
    if endpoint is None:
        return None
    scope = ViewerScope(
        organisation_id=endpoint.brand.organisation_id, brand_ids=frozenset({endpoint.brand_id})
    )
    return ApiViewer(scope=scope, actor=Actor.integration(endpoint.name), endpoint=endpoint)


def _agent_viewer(secret: str) -> ApiViewer | None:
    found = agent_token_with_scope(secret)
    if found is None:
        return None
    token, scope = found
    token_mark_used(token=token)
    agent = token.agent
    return ApiViewer(
        scope=scope,
        actor=Actor.agent(agent.pk, agent.display_name or agent.email),
        agent=agent,
    )


def viewer_of(request: HttpRequest) -> ApiViewer:
    viewer = getattr(request, "auth", None)
    if not isinstance(viewer, ApiViewer):  # only reachable if a route forgot its auth
        raise PermissionDenied(gettext("A valid bearer token is required."))
    return viewer


def agent_of(viewer: ApiViewer) -> Agent:
    """The calling agent; integrations may not act as a person."""
    if viewer.agent is None:
        raise PermissionDenied(
            gettext("Only an agent's token can do this, not an integration's API key."),
            details={"required": "agent"},
        )
    return viewer.agent


def brand_for_write(viewer: ApiViewer, brand_id: int | None, *, field: str) -> int:
    """The brand a new record belongs to. An API key has one; an agent with several names it.

    A brand the viewer cannot see is not found, exactly like any other object.
    """
    if viewer.endpoint is not None:
        if brand_id is not None and brand_id != viewer.endpoint.brand_id:
            raise NotFound(gettext("No such brand."), details={"brand_id": brand_id})
        return viewer.endpoint.brand_id
    if brand_id is not None:
        if not viewer.scope.can_see_brand(brand_id):
            raise NotFound(gettext("No such brand."), details={"brand_id": brand_id})
        return brand_id
    if len(viewer.scope.brand_ids) == 1:
        return next(iter(viewer.scope.brand_ids))
    raise FieldInvalid(
        field, gettext("Name the brand: you serve several (or none)."), kind="missing"
    )
