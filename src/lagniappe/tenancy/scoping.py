"""What a viewer may see. Every selector and access getter takes a ViewerScope."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ViewerScope:
    """The brands a viewer (an agent, or an integration's API key) may read and write.

    `agent_id` is None for an integration. An id in a URL never widens this set.
    """

    organisation_id: int
    brand_ids: frozenset[int]
    agent_id: int | None = None
    role: str = ""

    def can_see_brand(self, brand_id: int | None) -> bool:
        return brand_id is not None and brand_id in self.brand_ids
