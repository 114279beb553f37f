"""Reads of conversations, messages, notes and attachments, always through a ViewerScope."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from lagniappe.conversations import search_index
from lagniappe.conversations.models import Attachment, Conversation, Message, Note, Tag
from lagniappe.conversations.states import Status
from lagniappe.engines.textsearch.filtering import query_alternatives
from lagniappe.tenancy.scoping import ViewerScope


@dataclass(frozen=True)
class ConversationFilters:
    """What a conversation list is narrowed to. Empty values do not filter."""

    statuses: tuple[str, ...] = ()
    brand_id: int | None = None
    channel_kind: str = ""
    assignee_id: int | None = None
    unassigned: bool = False
    team_id: int | None = None
    priority: int | None = None
    tag: str = ""
    language: str = ""
    customer_id: int | None = None
    # A search query as typed (customer name, handle, subject, message text, #number); see
    # conversation_search_q.
    search: str = ""


def conversation_base_for_viewer(scope: ViewerScope) -> QuerySet[Conversation]:
    """Every conversation the viewer may see, with what a list row or detail shows loaded.

    A page costs a constant number of queries: one for the rows (with customer, assignee
    and team joined) and one for all their tags.
    """
    return (
        Conversation.objects.filter(brand_id__in=scope.brand_ids)
        .select_related("customer", "assignee", "team")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("id", "name")))
    )


def conversation_list_for_viewer(
    scope: ViewerScope, filters: ConversationFilters
) -> QuerySet[Conversation]:
    """The viewer's conversations matching `filters`, newest first (by id)."""
    conversations = conversation_base_for_viewer(scope)
    if filters.statuses:
        conversations = conversations.filter(status__in=filters.statuses)
    if filters.brand_id is not None:
        conversations = conversations.filter(brand_id=filters.brand_id)
    if filters.channel_kind:
        conversations = conversations.filter(channel_kind=filters.channel_kind)
    if filters.unassigned:
        conversations = conversations.filter(assignee__isnull=True)
    elif filters.assignee_id is not None:
        conversations = conversations.filter(assignee_id=filters.assignee_id)
    if filters.team_id is not None:
        conversations = conversations.filter(team_id=filters.team_id)
    if filters.priority is not None:
        conversations = conversations.filter(priority=filters.priority)
    if filters.tag:
        conversations = conversations.filter(
            tags__name=filters.tag, tags__organisation_id=scope.organisation_id
        )
    if filters.language:
        conversations = conversations.filter(language=filters.language)
    if filters.customer_id is not None:
        conversations = conversations.filter(customer_id=filters.customer_id)
    return conversations.order_by("-id")


def message_list_for_conversation(conversation: Conversation) -> QuerySet[Message]:
    """A conversation's messages, oldest first, with authors, delivery records and attachment
    metadata loaded: a page costs two queries however many messages it holds."""
    return (
        Message.objects.filter(conversation=conversation)
        # "delivery" is channels' reverse one-to-one, named as a string so conversations
        # need not import channels; inbound messages simply have none.
        .select_related("author_agent", "author_customer", "delivery")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("id")
    )


def message_by_endpoint_external_id(endpoint_id: int | None, external_id: str) -> Message | None:
    """The message an endpoint already delivered under this external id, if any.

    One index look-up whatever the table's size: the partial unique index on (endpoint,
    external_id) only counts rows with an external id, and SQLite uses a partial index only
    when the query repeats its condition (it does not infer `<> ''` from `= 'x'`); without
    the `exclude` it scanned every message of the endpoint.
    """
    if not external_id:
        return None
    messages = Message.objects.filter(external_id=external_id).exclude(external_id="")
    if endpoint_id is None:
        messages = messages.filter(endpoint__isnull=True)
    else:
        messages = messages.filter(endpoint_id=endpoint_id)
    return next(iter(messages.order_by()[:1]), None)


def message_by_brand_external_ids(brand_id: int, keys: Sequence[str]) -> Message | None:
    """The brand's message whose external id comes first in `keys`, on any endpoint.

    One look-up on the (brand, external_id) index, however many mailboxes the brand has.
    """
    wanted = [key for key in keys if key][:100]
    if not wanted:
        return None
    # A lean (external_id, id) probe first: most look-ups (a new message's duplicate check)
    # find nothing, and building the full message-plus-conversation row cost more than the
    # query itself. Written once, not compiled by the ORM: every email asks it twice. No
    # ORDER BY: to return rows in id order SQLite chose the index on brand alone and read
    # every message of the brand; the oldest of duplicates is picked here instead.
    marks = ", ".join(["%s"] * len(wanted))
    table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT external_id, id FROM {table} "  # noqa: S608
            f"WHERE brand_id = %s AND external_id IN ({marks})",
            [brand_id, *wanted],
        )
        found: dict[str, int] = {}
        for external_id, pk in cursor.fetchall():
            found[external_id] = min(pk, found.get(external_id, pk))
    message_id = next((found[key] for key in wanted if key in found), None)
    if message_id is None:
        return None
    return Message.objects.select_related("conversation").get(pk=message_id)


def note_list_for_conversation(conversation: Conversation) -> QuerySet[Note]:
    """A conversation's internal notes, oldest first, with authors and mentions loaded."""
    return (
        Note.objects.filter(conversation=conversation)
        .select_related("author")
        .prefetch_related("mentions")
        .order_by("id")
    )


def conversation_filters_q(scope: ViewerScope, filters: ConversationFilters) -> Q:
    """`filters` as one condition, with no join that could repeat a row (the tag is a
    subquery), so it can both narrow a list and count inside an aggregate."""
    condition = Q(brand_id__in=scope.brand_ids)
    if filters.statuses:
        condition &= Q(status__in=filters.statuses)
    if filters.brand_id is not None:
        condition &= Q(brand_id=filters.brand_id)
    if filters.channel_kind:
        condition &= Q(channel_kind=filters.channel_kind)
    if filters.unassigned:
        condition &= Q(assignee__isnull=True)
    elif filters.assignee_id is not None:
        condition &= Q(assignee_id=filters.assignee_id)
    if filters.team_id is not None:
        condition &= Q(team_id=filters.team_id)
    if filters.priority is not None:
        condition &= Q(priority=filters.priority)
    if filters.tag:
        tagged = Conversation.tags.through.objects.filter(
            tag__name=filters.tag, tag__organisation_id=scope.organisation_id
        ).values("conversation_id")
        condition &= Q(pk__in=tagged)
    if filters.language:
        condition &= Q(language=filters.language)
    if filters.customer_id is not None:
        condition &= Q(customer_id=filters.customer_id)
    if filters.search:
        condition &= conversation_search_q(scope, filters.search)
    return condition


def conversation_search_q(scope: ViewerScope, query: str) -> Q:
    """Conversations whose search document (customer name and handles, subject, every
    message's text; conversations.search_documents) holds every term of the query, in any
    language, or whose number it is ("#123").

    One subquery on the full-text index (FTS5 / GIN), no scan of messages: the cost follows
    the matches, not the table. The caller's condition keeps it inside the viewer's brands.
    """
    alternatives = query_alternatives(query)
    matching = search_index.matching_ids(alternatives)
    condition = Q(pk__in=matching) if matching is not None else Q(pk__in=[])
    number = query.strip().removeprefix("#")
    if number.isdigit() and len(number) < 19:
        condition |= Q(pk=int(number))
    return condition


def conversation_counts_for_viewer(
    scope: ViewerScope, views: Mapping[str, ConversationFilters]
) -> dict[str, int]:
    """How many visible conversations each named view holds, in ONE query whatever the number
    of views (one conditional COUNT per view).

    When every view names its statuses (the inbox's do: none counts resolved or closed work),
    only rows of those statuses are read, from the `conv_brand_status_owner` index alone
    (brand, status, assignee, team): the count never touches the table's rows.
    """
    if not views:
        return {}
    aliases = {f"view_{index}": name for index, name in enumerate(views)}
    rows = Conversation.objects.filter(brand_id__in=scope.brand_ids)
    if all(view.statuses for view in views.values()):
        statuses = sorted({status for view in views.values() for status in view.statuses})
        rows = rows.filter(status__in=statuses)
    counts = rows.aggregate(
        **{
            alias: Count("id", filter=conversation_filters_q(scope, views[name]))
            for alias, name in aliases.items()
        }
    )
    return {name: int(counts[alias] or 0) for alias, name in aliases.items()}


@dataclass(frozen=True)
class ConversationPage:
    rows: list[Conversation]
    next_cursor: int | None


def conversation_page_for_viewer(
    scope: ViewerScope, filters: ConversationFilters, *, before_id: int | None, size: int
) -> ConversationPage:
    """One page of the viewer's conversations, newest first, after the cursor `before_id`
    (the last id of the previous page). Two queries whatever `size`: rows, then their tags.

    The page's ids are chosen in a subquery on the conversation table alone, and only those
    rows are joined to their customer, assignee, team and brand: with the joins in the same
    SELECT, SQLite joined every matching conversation (16,000 at 100,000) before sorting.
    """
    ids = Conversation.objects.filter(conversation_filters_q(scope, filters))
    if before_id is not None:
        ids = ids.filter(pk__lt=before_id)
    rows = (
        conversation_base_for_viewer(scope)
        .select_related("brand")
        .filter(pk__in=ids.order_by("-id").values("pk")[: size + 1])
    )
    page = list(rows.order_by("-id"))
    if len(page) > size:
        return ConversationPage(rows=page[:size], next_cursor=page[size - 1].pk)
    return ConversationPage(rows=page, next_cursor=None)


def conversation_list_by_ids_for_viewer(
    scope: ViewerScope, conversation_ids: Iterable[int]
) -> dict[int, Conversation]:
    """The visible conversations among `conversation_ids`, by id (an invisible id is absent)."""
    return conversation_base_for_viewer(scope).in_bulk(list(conversation_ids))


def conversation_timeline_for_customer(
    scope: ViewerScope, customer_id: int, *, limit: int = 50
) -> list[Conversation]:
    """The customer's conversations on every channel and brand the viewer may see, newest
    first: one query (brand joined), no tags."""
    return list(
        Conversation.objects.filter(brand_id__in=scope.brand_ids, customer_id=customer_id)
        .select_related("brand")
        .order_by("-id")[:limit]
    )


def tag_list_for_viewer(scope: ViewerScope) -> QuerySet[Tag]:
    """The organisation's tags (filter choices)."""
    return Tag.objects.filter(organisation_id=scope.organisation_id).order_by("name")


def conversation_reply_context(conversation_id: int, *, limit: int = 20) -> tuple[str, list[str]]:
    """(the conversation's subject, its inbound messages' external ids oldest first): what an
    email reply needs for its Subject, In-Reply-To and References. Only the last `limit` ids,
    so a long thread does not give an unbounded References header."""
    subject = (
        Conversation.objects.filter(pk=conversation_id).values_list("subject", flat=True).first()
    )
    ids = list(
        Message.objects.filter(conversation_id=conversation_id, direction="in")
        .exclude(external_id="")
        .order_by("-id")
        .values_list("external_id", flat=True)[:limit]
    )
    return subject or "", ids[::-1]


@dataclass(frozen=True)
class MergeCounts:
    """What a merge of the conversation into another would move (its messages, notes and
    files), for the preview an agent confirms."""

    messages: int
    notes: int
    attachments: int


def conversation_merge_counts(conversation: Conversation) -> MergeCounts:
    """How many messages, notes and attachments `conversation` holds (three counts on their
    conversation indexes; one query joining all three would count their product)."""
    return MergeCounts(
        messages=Message.objects.filter(conversation=conversation).count(),
        notes=Note.objects.filter(conversation=conversation).count(),
        attachments=Attachment.objects.filter(conversation=conversation).count(),
    )


def conversation_merge_candidates(
    scope: ViewerScope, source: Conversation, query: str, *, limit: int = 10
) -> list[Conversation]:
    """Conversations the viewer may see that `source` could be merged into, matching `query`
    (a number, "#number", or search words as in the inbox search): the source's brand, not
    closed (a merged one is closed), not the source itself; newest first, brand joined."""
    if not query.strip():
        return []
    condition = conversation_filters_q(
        scope,
        ConversationFilters(
            brand_id=source.brand_id,
            statuses=tuple(s for s in Status.values if s != Status.CLOSED),
            search=query,
        ),
    )
    return list(
        conversation_base_for_viewer(scope)
        .select_related("brand")
        .filter(condition)
        .exclude(pk=source.pk)
        .order_by("-id")[:limit]
    )
