"""Writes to the conversation search index: each conversation's search document.

A document holds the filtering terms (`engines.textsearch.filtering`) of the customer's name
and handles, the subject and every message's text. The services keep it current in the
writing transaction: `conversation_create` writes it, `message_receive` and `message_send`
add each message's terms, and a customer change (name, handles, merge) rewrites the
customer part of that customer's conversations (`customers.events.CustomerChanged`, on
commit). Inside `documents_batched` (the inbound funnel's batch of mail) those writes are
gathered and made at the end of the block, still in its transaction. Every function is
idempotent (documents are sets of terms); `documents_rebuild` (the `lagniappe reindex`
command) rebuilds them all from the tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from lagniappe.conversations import search_index
from lagniappe.conversations.bodies import MAX_SUBJECT_CHARACTERS, inbound_text
from lagniappe.conversations.models import Conversation, Message
from lagniappe.customers.models import Customer, Identity, IdentityKind
from lagniappe.engines.textsearch.filtering import document_terms, phone_terms

# Handles worth finding by: a chat visitor's id is a random token nobody types.
_SEARCHABLE_KINDS = (
    IdentityKind.EMAIL,
    IdentityKind.PHONE,
    IdentityKind.SOCIAL,
    IdentityKind.EXTERNAL_ID,
)
REBUILD_BATCH = 1000


def _customer_terms(name: str, identities: Iterable[tuple[str, str]]) -> list[str]:
    terms = dict.fromkeys(_message_terms("", name, ""))
    for kind, value in identities:
        if kind == IdentityKind.PHONE:
            terms.update(dict.fromkeys(phone_terms(value)))
        terms.update(dict.fromkeys(_message_terms("", value, "")))
    return list(terms)


def _customers_terms(customer_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each customer's terms: two queries for any number of customers."""
    handles: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for customer_id, kind, value in Identity.objects.filter(
        customer_id__in=customer_ids, kind__in=_SEARCHABLE_KINDS
    ).values_list("customer_id", "kind", "value"):
        handles[customer_id].append((kind, value))
    names = dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "name"))
    return {pk: _customer_terms(names.get(pk, ""), handles[pk]) for pk in customer_ids}


def _message_terms(subject: str, text: str, language: str) -> list[str]:
    foreseen = _foreseen.get()
    if foreseen:
        terms = foreseen.pop((subject, text, language), None)
        if terms is not None:
            return terms
    # One analysis for both: the engine finds the distinct words once (words never span a
    # line) and remembers each word's terms, so the history a reply quotes costs little.
    return document_terms(f"{subject}\n{text}" if subject else text, language)


# Terms analysed ahead (by a poller's reading worker) for messages about to be received,
# by (subject, text, language) (a customer's name or handle: ("", name, "")): each is taken
# once, by the message it was analysed for.
_Foreseen = dict[tuple[str, str, str], list[str]]
_foreseen: ContextVar[_Foreseen | None] = ContextVar("search_terms_foreseen", default=None)


def inbound_terms_foreseen(
    subject: str, text: str, html: str, language: str, *, handles: Sequence[str] = ()
) -> list[tuple[tuple[str, str, str], list[str]]]:
    """The terms `message_receive` will index for an inbound message with these contents
    and, should it open a conversation, for its sender's name and handles; each with the
    key it will be asked by. Pure (no database): a reading worker computes them while the
    poller writes earlier messages, and hands them to `terms_foreseen`."""
    text = inbound_text(text, html)
    subject = subject[:MAX_SUBJECT_CHARACTERS]
    keys = [(subject, text, language), *(("", handle, "") for handle in handles if handle)]
    return [(key, _message_terms(*key)) for key in dict.fromkeys(keys)]


@contextmanager
def terms_foreseen() -> Iterator[_Foreseen]:
    """Within the block, message terms found in the yielded dict (filled from
    `inbound_terms_foreseen`) are taken from there instead of analysed again. A key never
    asked for costs only its memory, until the block ends."""
    foreseen: _Foreseen = {}
    token = _foreseen.set(foreseen)
    try:
        yield foreseen
    finally:
        _foreseen.reset(token)


def document_create(
    conversation: Conversation, customer: Customer, first: Message | None = None
) -> None:
    """The new conversation's document: its customer, subject and `first` message (later
    messages are added as they are written)."""
    content: dict[str, None] = {}
    # The conversation's subject is most often its first message's: analyse it once.
    same_subject = (
        first is not None
        and conversation.subject == first.subject
        and (first.language or conversation.language) == conversation.language
    )
    if not same_subject:
        content.update(
            dict.fromkeys(_message_terms(conversation.subject, "", conversation.language))
        )
    if first is not None:
        content.update(
            dict.fromkeys(
                _message_terms(first.subject, first.text, first.language or conversation.language)
            )
        )
    customer_terms = _customer_terms(customer.name, _handles_of(customer))
    batch = _batch.get()
    if batch is not None:
        batch.append((conversation.pk, customer_terms, list(content)))
        return
    search_index.document_put([(conversation.pk, customer_terms, list(content))])


def _handles_of(customer: Customer) -> list[tuple[str, str]]:
    """The customer's searchable handles; a customer just created carries its identities
    (prefetched by customers.services), so the new conversation's document asks nothing."""
    prefetched = customer.__dict__.get("_prefetched_objects_cache", {}).get("identities")
    if prefetched is not None:
        return [(i.kind, i.value) for i in prefetched if i.kind in _SEARCHABLE_KINDS]
    return list(
        Identity.objects.filter(customer=customer, kind__in=_SEARCHABLE_KINDS).values_list(
            "kind", "value"
        )
    )


def document_message_add(message: Message, *, conversation_language: str = "") -> None:
    """Add one message's words to its conversation's document (building the whole document
    when the conversation has none yet, e.g. stored before the index existed)."""
    terms = _message_terms(message.subject, message.text, message.language or conversation_language)
    batch = _batch.get()
    if batch is not None:
        batch.append((message.conversation_id, None, terms))
    elif not search_index.content_add(message.conversation_id, terms):
        documents_build([message.conversation_id])


def documents_merged(conversation_ids: Sequence[int]) -> None:
    """Rebuild these documents from the tables (a merge moved messages between them; a
    conversation merged away loses its document): at once, or inside `documents_batched`
    at the end of the batch, after the writes gathered before that may still name them."""
    batch = _batch.get()
    if batch is not None:
        batch.extend((pk, None, None) for pk in conversation_ids)
        return
    documents_build(conversation_ids)


# A batch's document writes, in order: (conversation id, customer terms, content terms), the
# customer terms None for terms added to the document rather than a whole new document, and
# both None for a document to rebuild from the tables when the batch ends (documents_merged).
_Write = tuple[int, list[str] | None, list[str] | None]
_batch: ContextVar[list[_Write] | None] = ContextVar("search_documents_batch", default=None)


@contextmanager
def documents_batched() -> Iterator[None]:
    """Gather the document writes of the block (one transaction, e.g. a poller's batch of
    mail) and make them when it ends, still inside that transaction: one write per
    conversation instead of one per message. On SQLite each FTS5 write inside a savepoint
    is flushed to its own index segment when the savepoint ends; a batch of mail runs one
    savepoint per envelope, so writing once at the end is the cheaper half of the work, not
    work moved elsewhere. Whoever rolls back a savepoint inside the block drops the writes
    made since `documents_batch_mark` (`documents_batch_rollback`)."""
    if _batch.get() is not None:
        yield  # already gathering: the outer block writes
        return
    token = _batch.set([])
    try:
        yield
        writes = _batch.get() or []
    finally:
        _batch.reset(token)
    _batch_write(writes)


def documents_batch_mark() -> int:
    """Where the current batch is (0 outside one), for `documents_batch_rollback`."""
    batch = _batch.get()
    return len(batch) if batch is not None else 0


def documents_batch_rollback(mark: int) -> None:
    """Forget the batch's writes after `mark`: their savepoint was rolled back."""
    batch = _batch.get()
    if batch is not None:
        del batch[mark:]


def _batch_write(writes: Sequence[_Write]) -> None:
    whole: dict[int, tuple[list[str], dict[str, None]]] = {}
    added: dict[int, dict[str, None]] = {}
    rebuilt: dict[int, None] = {}
    for conversation_id, customer_terms, terms in writes:
        if terms is None:
            rebuilt[conversation_id] = None
        elif customer_terms is not None:
            whole[conversation_id] = (customer_terms, dict.fromkeys(terms))
            added.pop(conversation_id, None)
        elif conversation_id in whole:
            whole[conversation_id][1].update(dict.fromkeys(terms))
        else:
            added.setdefault(conversation_id, {}).update(dict.fromkeys(terms))
    search_index.document_put(
        [(pk, customer_terms, list(content)) for pk, (customer_terms, content) in whole.items()]
    )
    missing = search_index.contents_add([(pk, list(terms)) for pk, terms in added.items()])
    if missing or rebuilt:
        documents_build([*missing, *rebuilt])


def documents_customer_refresh(customer_id: int) -> None:
    """Rewrite the customer part of every document of the customer's conversations."""
    conversation_ids = list(
        Conversation.objects.filter(customer_id=customer_id).values_list("pk", flat=True)
    )
    if conversation_ids:
        terms = _customers_terms([customer_id])[customer_id]
        with transaction.atomic():
            search_index.customer_set(conversation_ids, terms)


def documents_build(conversation_ids: Sequence[int]) -> None:
    """Build these conversations' documents from the tables (replacing what they hold); a
    conversation merged into another has none (its messages are found in that one)."""
    rows = Conversation.objects.filter(pk__in=list(dict.fromkeys(conversation_ids)))
    merged = list(rows.filter(merged_into__isnull=False).values_list("pk", flat=True))
    search_index.document_delete(merged)
    kept = rows.filter(merged_into__isnull=True)
    conversations = list(kept.values_list("pk", "customer_id", "subject", "language"))
    if not conversations:
        return
    content: dict[int, dict[str, None]] = {}
    languages: dict[int, str] = {}
    for pk, _customer, subject, language in conversations:
        languages[pk] = language
        content[pk] = dict.fromkeys(_message_terms(subject, "", language))
    messages = Message.objects.filter(conversation_id__in=list(content)).values_list(
        "conversation_id", "subject", "text", "language"
    )
    for conversation_id, subject, text, language in messages.iterator(chunk_size=5000):
        content[conversation_id].update(
            dict.fromkeys(_message_terms(subject, text, language or languages[conversation_id]))
        )
    customers = _customers_terms(sorted({c for _pk, c, _s, _l in conversations}))
    search_index.document_put(
        [(pk, customers[customer], list(content[pk])) for pk, customer, _s, _l in conversations]
    )


def documents_rebuild(
    *, batch: int = REBUILD_BATCH, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rebuild every conversation's document; returns how many. Safe to run again, and while
    the product runs: each batch replaces its documents in its own transaction, and a message
    written meanwhile is either read by its batch or added to the rebuilt document."""
    ids = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            documents_build(ids[start : start + batch])
        if progress is not None:
            progress(min(start + batch, len(ids)), len(ids))
    return len(ids)
