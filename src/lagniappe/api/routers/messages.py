"""/api/v1/conversations/{id}/messages, /notes and /attachments."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["messages"])
