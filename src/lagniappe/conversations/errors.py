"""Refusals of conversation merges, each with a stable code clients can switch on."""

from __future__ import annotations

from lagniappe.core.errors import Conflict, InvalidInput


class MergeIntoItself(InvalidInput):
    code = "merge_into_itself"


class MergeAcrossBrands(InvalidInput):
    """Two brands' conversations never become one (their customers, agents and addresses
    differ). The API and the workspace answer 404 before this: the caller sees one brand."""

    code = "merge_across_brands"


class MergeClosed(Conflict):
    """A closed conversation is final: it neither moves nor takes messages."""

    code = "merge_closed"


class ConversationMerged(Conflict):
    """The conversation was merged into another already; work with that one."""

    code = "conversation_merged"
