"""An attachment's bytes for a signed-in agent, always as a download that cannot render: the
API's policy (core/downloads.py), with the session instead of a bearer token."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from lagniappe.conversations.access import access_attachment_by_id
from lagniappe.core.downloads import stored_file_download
from lagniappe.workspace.errors import not_found_as_404
from lagniappe.workspace.viewer import viewer_of


@login_required
@require_GET
@not_found_as_404
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = access_attachment_by_id(viewer_of(request).scope, attachment_id)
    return stored_file_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )
