"""The public help centre of each brand, mounted under /help/."""

from __future__ import annotations

from django.urls import path

from lagniappe.portal import account, deflection, signin, views

app_name = "portal"

urlpatterns = [
    path("<slug:brand_slug>/", views.home, name="home"),
    path("<slug:brand_slug>/search", views.search, name="search"),
    path("<slug:brand_slug>/logo", views.logo, name="logo"),
    path("<slug:brand_slug>/suggest", views.suggest, name="suggest"),
    path("<slug:brand_slug>/contact", views.contact, name="contact"),
    path("<slug:brand_slug>/deflect", deflection.form_suggestions, name="deflect"),
    path("<slug:brand_slug>/form-sent", deflection.form_sent, name="form-sent"),
    path("<slug:brand_slug>/articles/<str:article_slug>/", views.article, name="article"),
    path(
        "<slug:brand_slug>/articles/<str:article_slug>/files/<int:file_id>",
        views.article_file,
        name="article-file",
    ),
    path(
        "<slug:brand_slug>/articles/<str:article_slug>/feedback",
        views.feedback,
        name="feedback",
    ),
    path("<slug:brand_slug>/sign-in", signin.sign_in, name="sign-in"),
    path("<slug:brand_slug>/sign-in/sent", signin.sign_in_sent, name="sign-in-sent"),
    path("<slug:brand_slug>/sign-in/<str:token>", signin.sign_in_link, name="sign-in-link"),
    path("<slug:brand_slug>/sign-out", signin.sign_out, name="sign-out"),
    path("<slug:brand_slug>/conversations/", account.conversation_list, name="conversations"),
    path(
        "<slug:brand_slug>/conversations/<int:conversation_id>/",
        account.conversation_detail,
        name="conversation",
    ),
    path(
        "<slug:brand_slug>/attachments/<int:attachment_id>",
        account.attachment_download,
        name="attachment",
    ),
]
