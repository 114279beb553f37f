"""Websocket routes. The chat and workspace consumers are added by their issues."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
