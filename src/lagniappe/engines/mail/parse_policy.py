"""`policy.default`, with the header objects it builds memoised.

The email issue names `policy.default` (RFC 2047, RFC 2231, modern MIME), and we parse with
it. Its one waste is that every lookup of a header builds a new header object: the stdlib's
own feed parser asks each part's Content-Type four or five times while parsing (maintype,
boundary, default types), then our walk asks again. Header objects are immutable values of
(name, unfolded value), so the same pair can be handed the same object: the headers are
parsed exactly as `policy.default` parses them, once per distinct value instead of once
per lookup. Common values ("text/plain; charset=utf-8") are shared across messages too.
"""

from __future__ import annotations

from email.policy import EmailPolicy, default
from functools import lru_cache
from typing import Any

# Bounded: hostile mail with a million distinct headers must not grow memory without limit.
_CACHED_HEADERS = 4096
# Long values (a 10,000-recipient To:) are rarely looked up twice; keep them out of the cache.
_CACHED_VALUE_CHARACTERS = 2000


@lru_cache(maxsize=_CACHED_HEADERS)
def _header(name: str, value: str) -> Any:
    return default.header_fetch_parse(name, value)


class _MemoisedDefault(EmailPolicy):
    def header_fetch_parse(self, name: str, value: str) -> Any:
        if hasattr(value, "name") or len(value) > _CACHED_VALUE_CHARACTERS:
            return super().header_fetch_parse(name, value)
        # The name as written: header objects keep it and fold with it.
        return _header(name, value)


# The same settings as policy.default (EmailPolicy() is policy.default's definition).
PARSE_POLICY = _MemoisedDefault()
