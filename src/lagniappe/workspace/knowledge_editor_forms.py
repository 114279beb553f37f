"""The knowledge editor's forms: input checked and typed here, every change made by a service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.core.languages import Language
from lagniappe.core.uploads import uploads_validate
from lagniappe.knowledge.editor_selectors import EditorFilters, RelatedChoice
from lagniappe.knowledge.editor_services import ArticleDraft
from lagniappe.knowledge.models import Article
from lagniappe.knowledge.services import MAX_TITLE

ANY = ("", _("Any"))


class ArticleListFilterForm(forms.Form):
    """The article list's filters (GET): every field optional, unknown values ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=300)
    category = forms.ChoiceField(label=_("Category"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[ANY, *Language.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[ANY, *Article.Status.choices]
    )
    internal = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        choices=[ANY, ("yes", _("Internal only")), ("no", _("Customers and agents"))],
    )

    def __init__(self, *args: Any, categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [ANY, *((name, name) for name in categories)]  # type: ignore[attr-defined]

    def filters(self) -> EditorFilters:
        if not self.is_valid():
            return EditorFilters()
        data = self.cleaned_data
        internal = {"yes": True, "no": False}.get(data["internal"])
        return EditorFilters(
            category=data["category"],
            language=data["language"],
            status=data["status"],
            internal=internal,
            query=data["q"],
        )


class ArticleForm(forms.Form):
    """One language of an article, with the article's filing and related articles."""

    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    body_html = forms.CharField(
        label=_("Body (HTML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Paragraphs, headings, lists, links, tables and images; anything else is removed."
        ),
    )
    category = forms.CharField(
        label=_("Category"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "kb-categories"}),
    )
    internal = forms.BooleanField(
        label=_("Internal only (agents read it, customers never see it)"), required=False
    )
    related = forms.TypedMultipleChoiceField(
        label=_("Related articles"),
        required=False,
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args: Any, related_choices: tuple[RelatedChoice, ...], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["related"].choices = [  # type: ignore[attr-defined]
            (choice.article_id, choice.title) for choice in related_choices
        ]

    def draft(self, language: str) -> ArticleDraft:
        data = self.cleaned_data
        return ArticleDraft(
            language=language,
            title=data["title"],
            body_html=data["body_html"],
            category=data["category"],
            internal=data["internal"],
            related_ids=tuple(data["related"]),
        )


class NewArticleForm(ArticleForm):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    field_order = ("language", "title", "body_html", "category", "internal", "related")


class ArticleFileForm(forms.Form):
    """An image or file for an article: the same size and type rules as every upload."""

    file = forms.FileField(label=_("Image or file"))

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        uploads_validate([upload], max_files=1)
        return upload

    def upload(self) -> AttachmentUpload:
        upload: UploadedFile = self.cleaned_data["file"]
        return AttachmentUpload(
            filename=upload.name or "file",
            content_type=upload.content_type or "",
            content=upload.read(),
        )
