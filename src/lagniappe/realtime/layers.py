"""The embedded (single-process) channel layer.

channels' InMemoryChannelLayer sweeps every queue and every group membership for expired
entries on each `receive` and `group_send`: with 1,000 chat visitors that is ~2 ms of the
event loop per layer message (bench/chat_load.py), paid several times per chat message. This
one sweeps at most once a second; an expired message or membership lingers up to a second
longer, which nobody can tell from a 60 s expiry.
"""

from __future__ import annotations

import time
from typing import Any

from channels import layers

SWEEP_SECONDS = 1.0


class InMemoryChannelLayer(layers.InMemoryChannelLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._swept = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept < SWEEP_SECONDS:
            return
        self._swept = now
        super()._clean_expired()
