"""Channel-layer group names. One place, so the publisher and the consumer agree.

Names are ASCII and short (channels allows letters, digits, `-`, `_`, `.`, under 100 chars).
"""

from __future__ import annotations


def brand_group(brand_id: int) -> str:
    """Every agent serving the brand: inbox rows and counts."""
    return f"brand.{brand_id}"


def conversation_group(conversation_id: int) -> str:
    """Agents with the conversation open: timeline, controls, presence."""
    return f"conversation.{conversation_id}"


def agent_group(agent_id: int) -> str:
    """Every socket of one agent (several tabs)."""
    return f"agent.{agent_id}"


def organisation_agents_group(organisation_id: int) -> str:
    """Every connected agent of an organisation: answers a supervisor's "who is online"."""
    return f"org.{organisation_id}.agents"


def supervisors_group(organisation_id: int) -> str:
    """Supervisors' and administrators' sockets: online/offline changes."""
    return f"org.{organisation_id}.supervisors"
