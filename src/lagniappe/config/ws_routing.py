"""Websocket routes. The chat consumer is added by its issue."""

from django.urls import URLPattern, path

from lagniappe.realtime.consumers import AgentConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/workspace", AgentConsumer.as_asgi(), name="realtime-workspace"),
]
