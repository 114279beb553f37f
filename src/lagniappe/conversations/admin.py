"""Conversations in the admin: an administrator's view, not the agent workspace.

Messages and attachments are records of what was said and sent, so they are shown, never
edited here. Every related record is picked by id, so no page loads a whole table.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest
from django.template.defaultfilters import truncatechars
from django.utils.translation import gettext_lazy as _

from lagniappe.conversations import states
from lagniappe.conversations.models import Attachment, Conversation, Message, Note, Tag
from lagniappe.conversations.services import note_add
from lagniappe.conversations.updates import ConversationChanges, conversation_update
from lagniappe.core.admin import OrganisationScopedAdmin, admin_actor

PREVIEW_CHARACTERS = 120


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("created_at", "direction", "channel_kind", "author", "preview")
    readonly_fields = fields

    @admin.display(description=_("author"))
    def author(self, message: Message) -> str:
        return str(message.author_agent or message.author_customer or "")

    @admin.display(description=_("text"))
    def preview(self, message: Message) -> str:
        return truncatechars(message.text, PREVIEW_CHARACTERS)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Message]:
        return super().get_queryset(request).select_related("author_agent", "author_customer")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoteInline(admin.StackedInline):
    model = Note
    extra = 0
    fields = ("text", "author", "created_at")
    # A note is written by whoever adds it here.
    readonly_fields = ("author", "created_at")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Note]:
        return super().get_queryset(request).select_related("author")


class ConversationAdminForm(forms.ModelForm):
    """Refuses in the form what the services would refuse, so the admin shows a message
    instead of an error page."""

    class Meta:
        model = Conversation
        fields = ("status", "priority", "assignee", "team", "tags")

    def clean_status(self) -> str:
        status = str(self.cleaned_data["status"])
        current = self.instance.status
        if status != current and not states.transition_allowed(current, status):
            raise forms.ValidationError(_("This status cannot follow the current one."))
        return status

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        brand_id = self.instance.brand_id
        assignee = data.get("assignee")
        if assignee is not None and not assignee.brands.filter(pk=brand_id).exists():
            self.add_error("assignee", _("This agent does not serve this brand."))
        team = data.get("team")
        if team is not None and not team.brands.filter(pk=brand_id).exists():
            self.add_error("team", _("This team does not serve this brand."))
        return data


@admin.register(Conversation)
class ConversationAdmin(OrganisationScopedAdmin):
    organisation_path = "brand__organisation"
    list_display = (
        "id",
        "subject",
        "brand",
        "customer",
        "channel_kind",
        "status",
        "priority",
        "assignee",
        "last_message_at",
    )
    list_display_links = ("id", "subject")
    list_filter = ("brand", "status", "channel_kind", "priority")
    search_fields = ("subject", "customer__name")
    list_select_related = ("brand", "customer", "assignee")
    raw_id_fields = ("customer", "assignee", "endpoint", "follow_up_of", "team")
    filter_horizontal = ("tags",)
    readonly_fields = (
        "channel_kind",
        "message_count",
        "last_message_at",
        "last_inbound_at",
        "first_response_at",
        "resolved_at",
        "version",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "created_at"
    inlines = (MessageInline, NoteInline)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Conversations are opened by the channels' funnel (or the API), never typed in here.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (
            *self.readonly_fields,
            "brand",
            "customer",
            "endpoint",
            "language",
            "subject",
            "follow_up_of",
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = ConversationAdminForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Conversation, form: ModelForm[Conversation], change: bool
    ) -> None:
        # Through the services, so each change is checked, versioned, audited and announced.
        data = form.cleaned_data
        conversation_update(
            actor=admin_actor(request),
            conversation=obj,
            changes=ConversationChanges(
                status=data["status"],
                priority=data["priority"],
                tags=tuple(tag.name for tag in data["tags"]),
                team_id=data["team"].pk if data["team"] else None,
                assign=True,
                assignee_id=data["assignee"].pk if data["assignee"] else None,
            ),
        )
        obj.refresh_from_db()

    def save_related(
        self, request: HttpRequest, form: ModelForm[Conversation], formsets: Any, change: bool
    ) -> None:
        # Tags were set by conversation_update; only the notes inline is saved here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Conversation], formset: Any, change: bool
    ) -> None:
        if formset.model is not Note:
            super().save_formset(request, form, formset, change)
            return
        # New notes go through the service, so they are audited and mentioned agents hear of them.
        notes = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            deleted.delete()
        actor = admin_actor(request)
        for note in notes:
            if note.pk is None:
                note_add(
                    actor=actor,
                    conversation=form.instance,
                    author_id=request.user.pk,
                    text=note.text,
                )
            else:
                note.save()


@admin.register(Message)
class MessageAdmin(OrganisationScopedAdmin):
    organisation_path = "brand__organisation"
    list_display = ("id", "conversation", "direction", "channel_kind", "brand", "created_at")
    list_filter = ("direction", "channel_kind", "brand")
    search_fields = ("subject", "external_id")
    list_select_related = ("conversation", "brand")
    raw_id_fields = ("conversation", "endpoint", "author_agent", "author_customer")
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Note)
class NoteAdmin(OrganisationScopedAdmin):
    organisation_path = "conversation__brand__organisation"
    list_display = ("id", "conversation", "author", "preview", "created_at")
    search_fields = ("text",)
    list_select_related = ("conversation", "author")
    raw_id_fields = ("conversation", "author", "mentions")
    show_full_result_count = False

    @admin.display(description=_("text"))
    def preview(self, note: Note) -> str:
        return truncatechars(note.text, PREVIEW_CHARACTERS)


@admin.register(Attachment)
class AttachmentAdmin(OrganisationScopedAdmin):
    organisation_path = "conversation__brand__organisation"
    # The customer's file name is data: shown escaped like any other value, never as markup.
    list_display = ("filename", "content_type", "size", "conversation", "created_at")
    list_filter = ("content_type",)
    search_fields = ("filename", "sha256")
    list_select_related = ("conversation",)
    raw_id_fields = ("conversation", "message", "uploaded_by")
    readonly_fields = ("file", "filename", "content_type", "size", "sha256", "created_at")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tag)
class TagAdmin(OrganisationScopedAdmin):
    list_display = ("name", "organisation")
    list_filter = ("organisation",)
    search_fields = ("name",)
    list_select_related = ("organisation",)
