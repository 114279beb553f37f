"""An attachment's bytes for a signed-in agent, always as a download that cannot render: the
API's policy (core/downloads.py), with the session instead of a bearer token."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from lagniappe.conversations.access import access_attachment_by_id
from lagniappe.core.downloads import file_download_response
from lagniappe.workspace.errors import not_found_as_404
from lagniappe.workspace.viewer import viewer_of


@login_required
@require_GET
@not_found_as_404
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = access_attachment_by_id(viewer_of(request).scope, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("The file of this attachment is missing.")) from None
    return file_download_response(
        handle, filename=attachment.filename, content_type=attachment.content_type
    )
