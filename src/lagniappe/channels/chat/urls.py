"""Public URLs of the chat channel, mounted at the site root (before the workspace)."""

from __future__ import annotations

from django.urls import path

from lagniappe.channels.chat import views

app_name = "channel_chat"

urlpatterns = [
    path("widget.js", views.widget_js, name="widget"),
    path("chat/<str:public_key>/session", views.session, name="session"),
    path("chat/<str:public_key>/send", views.send, name="send"),
    path("chat/<str:public_key>/poll", views.poll, name="poll"),
    path("chat/<str:public_key>/upload", views.upload, name="upload"),
    path("chat/<str:public_key>/transcript", views.transcript, name="transcript"),
    path("chat/<str:public_key>/articles", views.articles, name="articles"),
    path("chat/<str:public_key>/file/<int:attachment_id>", views.attachment_download, name="file"),
]
