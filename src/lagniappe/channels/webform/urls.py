"""Public URLs of the web form channel, mounted under /forms/."""

from __future__ import annotations

from django.urls import path

from lagniappe.channels.webform import views

app_name = "channel_webform"

urlpatterns = [
    path("<str:public_key>/", views.form_show, name="form-show"),
    path("<str:public_key>/thanks", views.form_thanks, name="form-thanks"),
]
