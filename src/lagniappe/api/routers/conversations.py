"""/api/v1/conversations (filled in by the foundation work)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["conversations"])
