"""The customer's contact form: the web form channel's wire entry point.

The raw multipart body is stored exactly as the browser sent it (the worker parses it with
`adapter.py`), so the body is read before anything touches `request.POST`, and the CSRF check
runs only after that read. The view validates the obvious fields first so a customer sees their
mistakes at once and nothing invalid is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from lagniappe.channels import inbound
from lagniappe.channels.models import Endpoint
from lagniappe.channels.selectors import endpoint_active_by_public_key
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.languages import language_normalise
from lagniappe.core.uploads import uploads_validate

MAX_FILES = 10
CONTEXT_FIELDS = ("page", "searches", "articles")
CONTEXT_FIELD_CHARACTERS = 2000
# Room for the text fields, boundaries and part headers around the attachments.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
_PHONE = re.compile(r"^\+?[0-9][0-9 ().\-/]{4,38}$")
_MIN_PHONE_DIGITS = 6


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; cleans to a list (empty when none were chosen)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in items if item]
        return [item for item in cleaned if item]


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=320,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        help_text=_("Give an email address, a phone number or both, so we can answer you."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=300, required=False)
    message = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)
    language = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)
    # Filled in by the help centre (later issues): where the customer was and what they tried.
    page = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)
    searches = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)
    articles = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = int(settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES)
        self.fields["attachments"].help_text = gettext(
            "Up to %(count)s files, each at most %(size)s."
        ) % {"count": MAX_FILES, "size": filesizeformat(limit)}

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone", "")).strip()
        digits = sum(character.isdigit() for character in phone)
        if phone and (not _PHONE.match(phone) or digits < _MIN_PHONE_DIGITS):
            raise forms.ValidationError(
                _("Enter a phone number of digits, optionally starting with +."), code="phone"
            )
        return phone

    def clean_attachments(self) -> list[UploadedFile]:
        return uploads_validate(self.cleaned_data.get("attachments") or [], max_files=MAX_FILES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        identity_checked = not self.has_error("email") and not self.has_error("phone")
        if identity_checked and not cleaned.get("email") and not cleaned.get("phone"):
            self.add_error(
                "email", _("Give an email address or a phone number, so we can answer you.")
            )
        content_checked = not self.has_error("message") and not self.has_error("attachments")
        has_text = bool(str(cleaned.get("message", "")).strip())
        if content_checked and not has_text and not cleaned.get("attachments"):
            self.add_error("message", _("Write a message or attach a file."))
        return cleaned


def _endpoint_or_404(public_key: str) -> Endpoint:
    endpoint = endpoint_active_by_public_key(public_key[:64], ChannelKind.WEBFORM)
    if endpoint is None:
        raise Http404
    return endpoint


@contextmanager
def _page_language(request: HttpRequest) -> Iterator[None]:
    """?language= picks the page's language; otherwise LocaleMiddleware's choice stands."""
    requested = request.GET.get("language", "")
    try:
        language = translation.get_supported_language_variant(requested) if requested else None
    except LookupError:
        language = None
    with translation.override(language or translation.get_language()):
        yield


def _body_limit() -> int:
    return int(settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES) + MULTIPART_OVERHEAD_BYTES


def _body_read(request: HttpRequest) -> bool:
    """Read the raw body before anything parses it. False when it is larger than allowed."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > _body_limit():
        return False
    try:
        body = request.body
    except RequestDataTooBig:
        return False
    return len(body) <= _body_limit()


def _render_form(
    request: HttpRequest,
    endpoint: Endpoint,
    form: ContactForm,
    *,
    status: int = 200,
    page_error: str = "",
) -> HttpResponse:
    response = render(
        request,
        "channel_webform/form.html",
        {"endpoint": endpoint, "brand": endpoint.brand, "form": form, "page_error": page_error},
        status=status,
    )
    return _in_page_language(response)


def _in_page_language(response: HttpResponse) -> HttpResponse:
    # LocaleMiddleware would name its own choice, not the ?language= this page was shown in.
    response.headers["Content-Language"] = translation.get_language()
    return response


def _blank_form(query: QueryDict | None = None) -> ContactForm:
    initial = {"language": language_normalise(translation.get_language())}
    # The help centre links here with what the customer tried: ?searches=…&articles=…&page=…
    for name in CONTEXT_FIELDS:
        if query is not None and query.get(name):
            initial[name] = query.get(name, "")[:CONTEXT_FIELD_CHARACTERS]
    return ContactForm(initial=initial)


@csrf_exempt  # CSRF is checked in _submit, once the raw body has been read.
@require_http_methods(["GET", "POST"])
def form_show(request: HttpRequest, public_key: str) -> HttpResponse:
    endpoint = _endpoint_or_404(public_key)
    with _page_language(request):
        if request.method != "POST":
            return _render_form(request, endpoint, _blank_form(request.GET))
        if not _body_read(request):
            error = gettext("What you sent is larger than allowed: at most %(limit)s in all.") % {
                "limit": filesizeformat(_body_limit())
            }
            return _render_form(request, endpoint, _blank_form(), status=413, page_error=error)
        return _submit(request, endpoint)


@csrf_protect
def _submit(request: HttpRequest, endpoint: Endpoint) -> HttpResponse:
    raw = request.body
    if request.content_type != "multipart/form-data":
        error = gettext("The form could not be read. Please send it again from this page.")
        return _render_form(request, endpoint, _blank_form(), status=400, page_error=error)
    data = request.POST.copy()
    if not data.get("language"):
        data["language"] = language_normalise(translation.get_language())
    form = ContactForm(data, request.FILES)
    if not form.is_valid():
        return _render_form(request, endpoint, form, status=400)
    inbound.accept(
        endpoint=endpoint,
        raw=raw,
        content_type=request.META.get("CONTENT_TYPE", ""),
        remote_addr=request.META.get("REMOTE_ADDR", ""),
    )
    thanks = reverse("channel_webform:form-thanks", args=[endpoint.public_key])
    response = HttpResponseRedirect(f"{thanks}?language={translation.get_language()}")
    response.status_code = 303
    return response


@require_GET
def form_thanks(request: HttpRequest, public_key: str) -> HttpResponse:
    endpoint = _endpoint_or_404(public_key)
    with _page_language(request):
        response = render(
            request,
            "channel_webform/thanks.html",
            {"endpoint": endpoint, "brand": endpoint.brand},
        )
        return _in_page_language(response)
