"""Token buckets kept in Redis, shared by every `lagniappe serve` process on it.

One Lua script spends a frame of the visitor's bucket and then of the IP's, atomically, on
Redis' own clock (TIME), so processes with skewed clocks or several at once count as one.
Same arithmetic as limits.RateLimiter: `capacity` tokens, `capacity` earned back per window,
a refused frame spends nothing. Keys expire once a bucket would be full again.

The socket calls it from the event loop (`redis.asyncio`, one client per loop: a pool
belongs to its loop); the HTTP views from their threads (one synchronous client per
process). When Redis does not answer the caller falls back to the per-process buckets
(limits.py) and logs it: a chat must not stop because its rate limiter is away.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Any

import redis
import redis.asyncio as redis_async

KEY_PREFIX = "lagniappe:chat-rate:"

# KEYS: the buckets in order (visitor, then IP); ARGV: per key its capacity, then the window.
# Returns "0" when allowed (one token spent from each), else the seconds to wait as text.
SPEND = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local window = tonumber(ARGV[#ARGV])
local states = {}
for i, key in ipairs(KEYS) do
  local capacity = tonumber(ARGV[i])
  local rate = capacity / window
  local stored = redis.call('HMGET', key, 'tokens', 'updated')
  local tokens = tonumber(stored[1]) or capacity
  local updated = tonumber(stored[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
  if tokens < 1 then
    -- Refused: nothing spent, not even from the buckets checked before this one.
    return tostring((1 - tokens) / rate)
  end
  states[i] = {key, tokens - 1, capacity / rate}
end
for _, state in ipairs(states) do
  redis.call('HSET', state[1], 'tokens', tostring(state[2]), 'updated', tostring(now))
  redis.call('PEXPIRE', state[1], math.ceil(state[3] * 1000) + 1000)
end
return '0'
"""

_sync_clients: dict[str, Any] = {}
_sync_lock = threading.Lock()
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Any]] = (
    weakref.WeakKeyDictionary()
)


def bucket_keys(buckets: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [KEY_PREFIX + key for key, _ in buckets], [capacity for _, capacity in buckets]


def spend(url: str, buckets: list[tuple[str, int]], window: float) -> float:
    """Spend one frame from each (key, capacity) bucket: 0.0, or the seconds to wait."""
    with _sync_lock:
        script = _sync_clients.get(url)
        if script is None:
            client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
            script = _sync_clients[url] = client.register_script(SPEND)  # EVALSHA, once loaded
    keys, capacities = bucket_keys(buckets)
    return float(script(keys=keys, args=[*capacities, window]))


async def spend_async(url: str, buckets: list[tuple[str, int]], window: float) -> float:
    """`spend` from an event loop, without blocking it."""
    loop = asyncio.get_running_loop()
    scripts = _async_clients.setdefault(loop, {})
    script = scripts.get(url)
    if script is None:
        client = redis_async.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        script = scripts[url] = client.register_script(SPEND)
    keys, capacities = bucket_keys(buckets)
    return float(await script(keys=keys, args=[*capacities, window]))


def shared_reset(url: str) -> None:
    """Forget every shared count (tests): deletes this module's keys only."""
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=KEY_PREFIX + "*"):
            client.delete(key)
    finally:
        client.close()
