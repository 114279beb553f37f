"""Public URLs of the chat channel, mounted at the site root (before the workspace)."""

from __future__ import annotations

from django.urls import path

from lagniappe.channels.chat import views

app_name = "channel_chat"

urlpatterns = [
    path("widget.js", views.widget_js, name="widget"),
    path("chat/<str:public_key>/session", views.session, name="session"),
]
