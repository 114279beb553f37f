"""The unit of work (a ticket is a Conversation) and what is said in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lagniappe.conversations.states import Status
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.languages import Language
from lagniappe.core.models import StoredFileFacts, TimestampedModel, random_storage_name


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Tag(models.Model):
    organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(_("name"), max_length=64)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="tag_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Conversation(TimestampedModel):
    # No single-column index on brand, customer or assignee: the composite indexes of Meta
    # begin with each of them and serve the same look-ups; every index is one more page
    # written per conversation created.
    brand = models.ForeignKey(
        "tenancy.Brand",
        verbose_name=_("brand"),
        on_delete=models.PROTECT,
        related_name="conversations",
        db_index=False,
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="conversations",
        db_index=False,
    )
    endpoint = models.ForeignKey(
        "lagniappe_channels.Endpoint",
        verbose_name=_("endpoint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    channel_kind = models.CharField(_("channel"), max_length=16, choices=ChannelKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
        db_index=False,
    )
    team = models.ForeignKey(
        "staff.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="+")
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    # Set when this conversation was merged into another (conversations.merging): it is then
    # closed and empty, and its links lead to that one. No index: merges are rare and every
    # index is one more page written per conversation created.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    merged_at = models.DateTimeField(_("merged"), null=True, blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    last_inbound_at = models.DateTimeField(_("last customer message"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    message_count = models.PositiveIntegerField(_("messages"), default=0)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        help_text=_("Raised on every change, so a stale form is refused instead of overwriting."),
    )

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["brand", "status", "-id"], name="conv_brand_status"),
            # The inbox's view counts read only this index (conversation_counts_for_viewer).
            models.Index(
                fields=["brand", "status", "assignee", "team"], name="conv_brand_status_owner"
            ),
            models.Index(fields=["customer", "-id"], name="conv_customer"),
            models.Index(fields=["assignee", "status"], name="conv_assignee_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class Direction(models.TextChoices):
    INBOUND = "in", _("From the customer")
    OUTBOUND = "out", _("To the customer")


class Message(models.Model):
    # Indexed by msg_conv_time and msg_brand_external, which begin with these columns.
    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,
    )
    brand = models.ForeignKey(
        "tenancy.Brand", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    channel_kind = models.CharField(_("channel"), max_length=16, choices=ChannelKind.choices)
    endpoint = models.ForeignKey(
        "lagniappe_channels.Endpoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    external_id = models.CharField(_("external id"), max_length=255, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("sanitised HTML"), blank=True)
    # Email addresses copied on an outbound email reply; other channels leave it empty.
    cc = models.JSONField(_("cc"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), db_index=True)
    sent_at = models.DateTimeField(_("sent (as the channel says)"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["conversation", "created_at", "id"], name="msg_conv_time"),
            # Email threading finds a Message-ID in any mailbox of the brand (not partial, so
            # SQLite uses it without the query repeating a condition).
            models.Index(fields=["brand", "external_id"], name="msg_brand_external"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "external_id"],
                condition=~models.Q(external_id=""),
                name="message_external_id_unique_per_endpoint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} #{self.pk}"


class ThreadKey(models.Model):
    """A key a later message may thread by, and the conversation it leads to.

    Written by message_receive: the Message-IDs a message refers to (so a parent arriving
    after its reply finds the reply's conversation), and the sender's normalised subject
    (the last-resort subject threading, within a window measured from `seen_at`).
    """

    # No index of its own: the unique (brand, key) index serves every look-up by brand, and
    # with both, PostgreSQL's planner on a table not analysed yet took the smaller one and
    # read every key of the brand to find one (threads._evidence_sql).
    brand = models.ForeignKey(
        "tenancy.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(_("key"), max_length=255)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="+", verbose_name=_("conversation")
    )
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("thread key")
        verbose_name_plural = _("thread keys")
        constraints = [
            models.UniqueConstraint(fields=["brand", "key"], name="threadkey_brand_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class Note(models.Model):
    """An internal note: never sent to the customer."""

    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        related_name="notes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"))
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("mentions"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note #{self.pk}"


def attachment_storage_path(instance: Attachment, filename: str) -> str:
    return random_storage_name("attachments", filename)


class Attachment(StoredFileFacts):
    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("conversation"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_storage_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
