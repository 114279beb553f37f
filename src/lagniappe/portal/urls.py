"""The public help centre of each brand, mounted under /help/."""

from __future__ import annotations

from django.urls import path

from lagniappe.portal import deflection, views

app_name = "portal"

urlpatterns = [
    path("<slug:brand_slug>/", views.home, name="home"),
    path("<slug:brand_slug>/search", views.search, name="search"),
    path("<slug:brand_slug>/suggest", views.suggest, name="suggest"),
    path("<slug:brand_slug>/contact", views.contact, name="contact"),
    path("<slug:brand_slug>/deflect", deflection.form_suggestions, name="deflect"),
    path("<slug:brand_slug>/articles/<str:article_slug>/", views.article, name="article"),
    path(
        "<slug:brand_slug>/articles/<str:article_slug>/feedback",
        views.feedback,
        name="feedback",
    ),
]
