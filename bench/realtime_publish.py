"""What a realtime handler costs the writer's thread per event, with no socket connected.

    python bench/realtime_publish.py [--events 200] [--rounds 5] [--redis-url redis://…]

Calls the five realtime handlers (config/wiring.py lists them) round-robin with synthetic
events, as core.events.dispatch does after a commit, from a plain thread with no event loop
(the task worker's case). Handlers read no database, so none is needed. Prints the best
round's mean cost per event (the writer's cost), then the time the background loop took to
actually hand every message to the channel layer.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--redis-url", default="", help="use channels-redis instead of memory")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lagniappe.config.settings.test")
    import django
    from django.conf import settings

    django.setup()
    if args.redis_url:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [args.redis_url], "prefix": "lagniappe-bench"},
            }
        }

    from lagniappe.channels.events import MessageDelivered
    from lagniappe.conversations.events import (
        ConversationChanged,
        ConversationCreated,
        MessageReceived,
        NoteAdded,
    )
    from lagniappe.realtime import handlers, publish

    calls = [
        (handlers.on_message_added, MessageReceived(message_id=1, conversation_id=1, brand_id=1)),
        (
            handlers.on_note_added,
            NoteAdded(note_id=1, conversation_id=1, brand_id=1, mentioned_agent_ids=()),
        ),
        (
            handlers.on_conversation_changed,
            ConversationChanged(conversation_id=1, brand_id=1, fields=("status",)),
        ),
        (handlers.on_conversation_changed, ConversationCreated(conversation_id=1, brand_id=1)),
        (handlers.on_delivery_reported, MessageDelivered(message_id=1, delivery_id=1, brand_id=1)),
    ]
    best = float("inf")
    drain = 0.0
    for _ in range(args.rounds):
        started = time.perf_counter()
        for n in range(args.events):
            handler, event = calls[n % len(calls)]
            handler(event)
        spent = time.perf_counter() - started
        best = min(best, spent)
        started = time.perf_counter()
        publish.flush(timeout=30)
        drain = time.perf_counter() - started
    print(
        json.dumps(
            {
                "figure": "realtime_publish_cost",
                "value": round(best * 1000 / args.events, 4),
                "unit": "ms",
                "events": args.events,
                "rounds": args.rounds,
                "layer": "redis" if args.redis_url else "memory",
            }
        )
    )
    print(
        json.dumps(
            {
                "figure": "realtime_publish_drain",
                "value": round(drain * 1000 / args.events, 4),
                "unit": "ms",
                "note": "background loop, per event, last round",
            }
        )
    )


if __name__ == "__main__":
    main()
