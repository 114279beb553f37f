"""The senders of a batch of stored envelopes, looked up for several envelopes at once.

For the mail poller and the importer (channels.inbound.process_envelopes with a reading
worker): each mail of a batch would read its sender's identities alone, a round trip per
mail. Once the worker has read the batch's next envelopes, their senders are looked up in
one statement (customers.selectors.IdentitiesReadAhead). That is a snapshot, trusted only
for a returning customer whom resolving would not write to; anything else reads as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from lagniappe.channels.contracts import EndpointInfo
from lagniappe.channels.inbound_messages import message_claims
from lagniappe.channels.models import EnvelopeStatus, InboundEnvelope
from lagniappe.channels.reading_ahead import reading_peeked, reading_ready
from lagniappe.customers.selectors import IdentitiesReadAhead


def senders_read_ahead(
    senders: IdentitiesReadAhead,
    batch: Sequence[InboundEnvelope],
    index: int,
    infos: dict[int, EndpointInfo],
) -> int:
    """Read the stored identities of the senders of `batch[index]` and of the envelopes
    after it that the reading worker has read already (waiting for the first only); the
    index after the last envelope covered. Without a worker nothing is read ahead, and
    each mail reads its sender (customers.services.identity_resolve)."""
    end = index + 1
    while end < len(batch) and reading_ready(batch[end].pk):
        end += 1
    claims = []
    for envelope in batch[index:end]:
        reading = reading_peeked(envelope.pk)
        if reading is None or envelope.status == EnvelopeStatus.PROCESSED:
            continue
        endpoint = infos[envelope.endpoint_id]
        claims += [
            (endpoint.organisation_id, endpoint.brand_id, message_claims(item))
            for item in reading.messages
        ]
    senders.read(claims)
    return end
