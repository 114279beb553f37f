"""Is anyone there? Business hours from the widget's settings, and the names of the realtime
app's channel-layer groups the visitor socket talks to.

The chat channel sits below realtime in the layers contract, so it cannot import
realtime.groups; the two names are repeated here and a test (tests/channels/chat) checks they
still agree.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# realtime.groups.conversation_group / brand_group.
AGENT_CONVERSATION_GROUP = "conversation.{}"
AGENT_BRAND_GROUP = "brand.{}"
# A visitor in the agents' presence banner: no agent has id 0.
VISITOR_PEER_ID = 0


def _clock(value: object) -> time | None:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        return None


def within_hours(hours: object, time_zone: str, now: datetime) -> bool:
    """`hours` = {"days": [0..6, Monday = 0], "open": "09:00", "close": "18:00"} in the brand's
    time zone. No (or unreadable) hours: always open — online agents decide alone."""
    if not isinstance(hours, dict):
        return True
    opens, closes = _clock(hours.get("open", "00:00")), _clock(hours.get("close", "23:59:59"))
    days = hours.get("days", list(range(7)))
    if opens is None or closes is None or not isinstance(days, list):
        return True
    try:
        local = now.astimezone(ZoneInfo(time_zone or "UTC"))
    except ZoneInfoNotFoundError:
        local = now
    if local.weekday() not in days:
        return False
    moment = local.time().replace(tzinfo=None)
    if opens <= closes:
        return opens <= moment < closes
    return moment >= opens or moment < closes  # a night shift past midnight
