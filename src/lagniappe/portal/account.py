"""A signed-in customer's own conversations with the brand: read them, answer, fetch files.

Answers go in through the inbound funnel like any web form: the brand's web form endpoint
stores the envelope first and the worker threads it. The envelope is the multipart body a web
form would have sent, naming the conversation with its `[#id]` subject tag, which threads only
into a conversation of the customer the address resolves to (the one signed in).
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from lagniappe.channels import inbound
from lagniappe.channels.selectors import endpoint_webform_first_for_brand
from lagniappe.channels.webform.views import MAX_FILES, MultipleFileField
from lagniappe.conversations.models import Conversation
from lagniappe.core.downloads import stored_file_download
from lagniappe.core.uploads import uploads_validate
from lagniappe.customers.portal_sign_in import SignedIn
from lagniappe.portal import customer_session, selectors, visitor
from lagniappe.portal.views import brand_or_404, page_render
from lagniappe.tenancy.models import Brand

SUBJECT_CHARS = 300


class ReplyForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def clean_attachments(self) -> list[UploadedFile]:
        return uploads_validate(self.cleaned_data.get("attachments") or [], max_files=MAX_FILES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_text = bool(str(cleaned.get("message", "")).strip())
        if not self.errors and not has_text and not cleaned.get("attachments"):
            self.add_error("message", _("Write a message or attach a file."))
        return cleaned


def _signed_in_or_redirect(
    request: HttpRequest, brand: Brand
) -> tuple[SignedIn | None, HttpResponse | None]:
    signed_in = customer_session.session_signed_in(request, brand)
    if signed_in is None:
        response = HttpResponseRedirect(reverse("portal:sign-in", args=[brand.slug]))
        response.status_code = 303
        return None, response
    return signed_in, None


@require_GET
def conversation_list(request: HttpRequest, brand_slug: str) -> HttpResponse:
    brand = brand_or_404(brand_slug)
    signed_in, redirect = _signed_in_or_redirect(request, brand)
    if signed_in is None:
        return redirect  # type: ignore[return-value]
    language = visitor.language_candidates(request, brand)[0]
    with translation.override(language.lower()):
        context = {
            "conversations": selectors.customer_conversation_list(signed_in),
            "address": signed_in.address,
        }
        return page_render(request, brand, "portal/conversations.html", context, language)


def _multipart(fields: dict[str, str], files: list[UploadedFile]) -> tuple[bytes, str]:
    """The body a browser would send for these fields and files (what the adapter parses)."""
    boundary = f"----lagniappe-portal-{secrets.token_hex(16)}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    for upload in files:
        filename = (upload.name or "attachment").translate(
            {ord('"'): "%22", ord("\r"): None, ord("\n"): None}
        )
        content_type = upload.content_type or "application/octet-stream"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        upload.seek(0)
        parts.append(head.encode("utf-8") + upload.read() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _reply_accept(
    request: HttpRequest, conversation: Conversation, signed_in: SignedIn, form: ReplyForm
) -> bool:
    endpoint = endpoint_webform_first_for_brand(conversation.brand_id)
    if endpoint is None:
        return False
    tag = f" [#{conversation.pk}]"
    subject = (conversation.subject or "")[: SUBJECT_CHARS - len(tag)] + tag
    fields = {
        "email": signed_in.address,
        "subject": subject.strip(),
        "message": str(form.cleaned_data["message"]),
        "language": conversation.language or translation.get_language() or "",
    }
    raw, content_type = _multipart(fields, list(form.cleaned_data["attachments"]))
    inbound.accept(
        endpoint=endpoint,
        raw=raw,
        content_type=content_type,
        remote_addr=request.META.get("REMOTE_ADDR", ""),
    )
    return True


@require_http_methods(["GET", "POST"])
def conversation_detail(
    request: HttpRequest, brand_slug: str, conversation_id: int
) -> HttpResponse:
    brand = brand_or_404(brand_slug)
    signed_in, redirect = _signed_in_or_redirect(request, brand)
    if signed_in is None:
        return redirect  # type: ignore[return-value]
    conversation = selectors.customer_conversation_get(signed_in, conversation_id)
    if conversation is None:  # another customer's or brand's, or none: all the same
        raise Http404
    language = visitor.language_candidates(request, brand)[0]
    can_reply = endpoint_webform_first_for_brand(brand.pk) is not None
    with translation.override(language.lower()):
        status = 200
        form = ReplyForm()
        if request.method == "POST":
            form = ReplyForm(request.POST, request.FILES)
            if form.is_valid() and _reply_accept(request, conversation, signed_in, form):
                url = reverse("portal:conversation", args=[brand.slug, conversation.pk])
                response = HttpResponseRedirect(f"{url}?sent=1")
                response.status_code = 303
                return response
            status = 400
        context = {
            "conversation": conversation,
            "messages": selectors.customer_message_list(conversation),
            "form": form,
            "can_reply": can_reply,
            "sent": request.GET.get("sent") == "1",
        }
        return page_render(
            request, brand, "portal/conversation.html", context, language, status=status
        )


@require_GET
def attachment_download(request: HttpRequest, brand_slug: str, attachment_id: int) -> FileResponse:
    brand = brand_or_404(brand_slug)
    signed_in = customer_session.session_signed_in(request, brand)
    attachment = selectors.customer_attachment_get(signed_in, attachment_id) if signed_in else None
    if attachment is None:
        raise Http404
    return stored_file_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )
