"""Rate limits of the visitor side: frames per visitor and per IP address.

Token buckets: each key holds up to `capacity` tokens and earns `capacity` back per window;
a frame costs one. Settings (environment variables of the same names):
LAGNIAPPE_CHAT_VISITOR_FRAMES (30) and LAGNIAPPE_CHAT_IP_FRAMES (600) per
LAGNIAPPE_CHAT_RATE_WINDOW seconds (10). A refused frame gets an error frame (the socket stays
open) or an HTTP 429, with the seconds to wait.

Where they are counted: with LAGNIAPPE_REDIS_URL set, in Redis (shared_buckets.py), so every
`lagniappe serve` process behind one address spends from the same buckets; otherwise (the
embedded mode, one process) in this process. If Redis does not answer, this process' buckets
stand in (logged) rather than refusing or stalling chats.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings

from lagniappe.channels.chat import shared_buckets

logger = logging.getLogger("lagniappe.chat")

WINDOW_SECONDS = 10.0
DEFAULT_VISITOR_FRAMES = 30
DEFAULT_IP_FRAMES = 600
_MAX_KEYS = 50_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Thread-safe token buckets by key (the socket's loop and the HTTP threads share one)."""

    def __init__(self, capacity: int, window: float = WINDOW_SECONDS) -> None:
        self.capacity = max(1, capacity)
        self.window = window
        self.rate = self.capacity / window
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 when the frame may pass (one token spent); else the seconds until it could."""
        now = time.monotonic() if now is None else now
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= _MAX_KEYS:
                    self._prune(now)
                bucket = self._buckets[key] = _Bucket(float(self.capacity), now)
            bucket.tokens = min(
                float(self.capacity), bucket.tokens + (now - bucket.updated) * self.rate
            )
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget the keys whose bucket has refilled (they behave like new ones)."""
        full = [
            key
            for key, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.updated) * self.rate >= self.capacity
        ]
        for key in full:
            del self._buckets[key]


_limiters: dict[str, RateLimiter] = {}
_limiters_lock = threading.Lock()


def _limiter(name: str, capacity: int) -> RateLimiter:
    window = float(getattr(settings, "LAGNIAPPE_CHAT_RATE_WINDOW", WINDOW_SECONDS))
    with _limiters_lock:
        limiter = _limiters.get(name)
        if limiter is None or (limiter.capacity, limiter.window) != (max(1, capacity), window):
            limiter = _limiters[name] = RateLimiter(capacity, window)
        return limiter


def _buckets(endpoint_id: int, visitor: str, remote_addr: str) -> list[tuple[str, int]]:
    """(key, capacity) of the buckets a frame spends from, visitor first."""
    buckets = [
        (
            f"visitor:{endpoint_id}:{visitor}",
            int(getattr(settings, "LAGNIAPPE_CHAT_VISITOR_FRAMES", DEFAULT_VISITOR_FRAMES)),
        )
    ]
    if remote_addr:
        ip_frames = int(getattr(settings, "LAGNIAPPE_CHAT_IP_FRAMES", DEFAULT_IP_FRAMES))
        buckets.append((f"ip:{remote_addr}", ip_frames))
    return [(key, max(1, capacity)) for key, capacity in buckets]


def _window() -> float:
    return float(getattr(settings, "LAGNIAPPE_CHAT_RATE_WINDOW", WINDOW_SECONDS))


def _local_allowance(buckets: list[tuple[str, int]]) -> float:
    for key, capacity in buckets:
        wait = _limiter(key.split(":", 1)[0], capacity).take(key)
        if wait:
            return wait
    return 0.0


def frame_allowance(*, endpoint_id: int, visitor: str, remote_addr: str) -> float:
    """Spend one frame of the visitor's and of their IP's allowance: 0 when allowed, else
    the seconds to wait. (Per process, the IP's allowance is checked only once the visitor's
    passed; in Redis a refused frame spends from neither.)"""
    buckets = _buckets(endpoint_id, visitor, remote_addr)
    url = str(getattr(settings, "REDIS_URL", "") or "")
    if url:
        try:
            return shared_buckets.spend(url, buckets, _window())
        except Exception:
            logger.warning("chat: Redis rate limits unavailable, counting in this process")
    return _local_allowance(buckets)


async def frame_allowance_async(*, endpoint_id: int, visitor: str, remote_addr: str) -> float:
    """`frame_allowance` for the socket, on the event loop (Redis asked without blocking)."""
    buckets = _buckets(endpoint_id, visitor, remote_addr)
    url = str(getattr(settings, "REDIS_URL", "") or "")
    if url:
        try:
            return await shared_buckets.spend_async(url, buckets, _window())
        except Exception:
            logger.warning("chat: Redis rate limits unavailable, counting in this process")
    return _local_allowance(buckets)


def limits_reset() -> None:
    """Forget every count (tests)."""
    with _limiters_lock:
        _limiters.clear()
