"""What a customer may upload through a form (the web form, the help centre's answers): the
same count, size and type rules wherever a file comes in from a browser."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


def uploads_validate(files: list[UploadedFile], *, max_files: int) -> list[UploadedFile]:
    """`files` when every one may be stored; otherwise a ValidationError naming each refusal
    (too many files, a file over the size limit, a blocked content type)."""
    if len(files) > max_files:
        raise forms.ValidationError(
            _("Attach at most %(count)s files."), params={"count": max_files}, code="count"
        )
    limit = int(settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES)
    blocked = settings.LAGNIAPPE_ATTACHMENT_CONTENT_TYPES_BLOCKED
    errors = []
    for upload in files:
        content_type = (upload.content_type or "").split(";", 1)[0].strip().lower()
        if (upload.size or 0) > limit:
            errors.append(
                forms.ValidationError(
                    _("“%(name)s” is larger than %(limit)s."),
                    params={"name": upload.name, "limit": filesizeformat(limit)},
                    code="too_large",
                )
            )
        elif content_type in blocked:
            errors.append(
                forms.ValidationError(
                    _("Files like “%(name)s” are not accepted."),
                    params={"name": upload.name},
                    code="blocked_type",
                )
            )
    if errors:
        raise forms.ValidationError(errors)
    return files
