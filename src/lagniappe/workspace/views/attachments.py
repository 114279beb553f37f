"""An attachment's bytes for a signed-in agent, always as a download that cannot render.

The same policy as the API's download (api/routers/attachments.py), with its cookies instead
of a bearer token: saved, never sniffed, sandboxed if shown, never cached. It is stricter in
one way: every file is sent as application/octet-stream, so no type can run on our origin.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from lagniappe.conversations.access import access_attachment_by_id
from lagniappe.workspace.errors import not_found_as_404
from lagniappe.workspace.viewer import viewer_of

_NOT_QUOTABLE = re.compile(r'[^\x20-\x7e]|["\\%;]')


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 name (RFC 6266, 5987)."""
    folded = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = _NOT_QUOTABLE.sub("_", folded).strip() or "attachment"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@login_required
@require_GET
@not_found_as_404
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = access_attachment_by_id(viewer_of(request).scope, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("The file of this attachment is missing.")) from None
    response = FileResponse(handle, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition(attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
