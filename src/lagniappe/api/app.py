"""The NinjaAPI instance: /api/v1, bearer auth on every route, JSON errors, OpenAPI docs."""

from __future__ import annotations

from ninja import NinjaAPI

from lagniappe.api.auth import BearerAuth
from lagniappe.api.errors import exception_handlers_install
from lagniappe.api.limits import JsonBodyParser
from lagniappe.api.routers import attachments, conversations, customers, inbound, messages

api = NinjaAPI(
    title="Lagniappe API",
    version="1",
    description=(
        "Customers, conversations, messages and attachments of the brands the caller may see. "
        "Authenticate with `Authorization: Bearer <token>`: an agent's personal token "
        "(`lagniappe token create --user EMAIL`) or an integration's API key (`lgk_…`, "
        "scoped to one brand). Errors are JSON `{code, message, details}`."
    ),
    auth=BearerAuth(),
    parser=JsonBodyParser(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
exception_handlers_install(api)

api.add_router("/customers", customers.router)
api.add_router("/conversations", conversations.router)
# Messages, notes and uploads of one conversation: /conversations/{id}/messages, …
api.add_router("/conversations", messages.router)
api.add_router("/conversations", "lagniappe.api.routers.conversation_merges.router")
api.add_router("/attachments", attachments.router)
api.add_router("/inbound", inbound.router)
api.add_router("/knowledge", "lagniappe.api.routers.knowledge.router")
api.add_router("/canned-responses", "lagniappe.api.routers.canned.router")
