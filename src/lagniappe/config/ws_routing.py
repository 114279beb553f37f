"""Websocket routes.

Agents' sockets carry the session cookie, so they must come from our own pages: only origins
of ALLOWED_HOSTS. The chat widget runs on customers' sites, so its socket cannot pass that
check; it is authenticated by its signed visitor token and checked against the widget's own
origin allow-list by the consumer (channels/chat/consumers.py), and it never sees cookies.
"""

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import URLPattern, URLResolver, path

from lagniappe.channels.chat.consumers import VisitorConsumer
from lagniappe.realtime.consumers import AgentConsumer

agent_websocket_urlpatterns: list[URLPattern] = [
    path("ws/workspace", AgentConsumer.as_asgi(), name="realtime-workspace"),
]
visitor_websocket_urlpatterns: list[URLPattern] = [
    path("ws/chat/<str:public_key>", VisitorConsumer.as_asgi(), name="chat-visitor"),
]
websocket_urlpatterns: list[URLPattern | URLResolver] = [
    *agent_websocket_urlpatterns,
    *visitor_websocket_urlpatterns,
]

VISITOR_PREFIX = "/ws/chat/"
_visitors = URLRouter(visitor_websocket_urlpatterns)
_agents = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(agent_websocket_urlpatterns)))


async def websocket_application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Widget sockets by their token and the widget's allow-list; all others as agents."""
    if str(scope.get("path", "")).startswith(VISITOR_PREFIX):
        await _visitors(scope, receive, send)
    else:
        await _agents(scope, receive, send)
