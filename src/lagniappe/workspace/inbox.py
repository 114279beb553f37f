"""The inbox's named views and how the GET filters narrow them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lagniappe.conversations.selectors import ConversationFilters
from lagniappe.conversations.states import ACTIVE, Status

# Fixed order, so the views and their counts read the same on every page.
_ACTIVE = tuple(s for s in Status.values if s in ACTIVE)
DEFAULT_VIEW = "mine"


@dataclass(frozen=True)
class InboxView:
    key: str
    label: str | Promise
    filters: ConversationFilters


def inbox_views(agent_id: int, teams: Iterable[tuple[int, str]]) -> dict[str, InboxView]:
    """Mine, unassigned, one per team of the agent, all open, pending, on hold."""
    views = [
        InboxView("mine", _("Mine"), ConversationFilters(statuses=_ACTIVE, assignee_id=agent_id)),
        InboxView(
            "unassigned", _("Unassigned"), ConversationFilters(statuses=_ACTIVE, unassigned=True)
        ),
        *(
            InboxView(f"team-{pk}", name, ConversationFilters(statuses=_ACTIVE, team_id=pk))
            for pk, name in teams
        ),
        InboxView("open", _("All open"), ConversationFilters(statuses=(Status.NEW, Status.OPEN))),
        InboxView("pending", _("Pending"), ConversationFilters(statuses=(Status.PENDING,))),
        InboxView("on_hold", _("On hold"), ConversationFilters(statuses=(Status.ON_HOLD,))),
    ]
    return {view.key: view for view in views}


def filters_narrowed(base: ConversationFilters, cleaned: Mapping[str, Any]) -> ConversationFilters:
    """The view's filters with the agent's GET filters on top (a chosen status or assignee
    replaces the view's own)."""
    changes: dict[str, Any] = {}
    if cleaned.get("brand") is not None:
        changes["brand_id"] = cleaned["brand"]
    if cleaned.get("channel"):
        changes["channel_kind"] = cleaned["channel"]
    if cleaned.get("language"):
        changes["language"] = cleaned["language"]
    if cleaned.get("status"):
        changes["statuses"] = (cleaned["status"],)
    if cleaned.get("priority") is not None:
        changes["priority"] = cleaned["priority"]
    if cleaned.get("tag"):
        changes["tag"] = cleaned["tag"]
    if cleaned.get("q"):
        changes["search"] = cleaned["q"]
    assignee = cleaned.get("assignee") or ""
    if assignee == "none":
        changes.update(unassigned=True, assignee_id=None)
    elif assignee.isdigit():
        changes.update(unassigned=False, assignee_id=int(assignee))
    return replace(base, **changes)
