"""The workspace's forms: input checked and typed here, every change made by a service."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from lagniappe.conversations.attachments import attachment_filename_clean, attachment_validate
from lagniappe.conversations.contracts import AttachmentUpload
from lagniappe.conversations.models import Priority
from lagniappe.conversations.recipients import MAX_CC_ADDRESSES, cc_addresses_clean
from lagniappe.conversations.states import Status
from lagniappe.core.channel_kinds import ChannelKind
from lagniappe.core.errors import InvalidInput, PayloadTooLarge
from lagniappe.core.languages import Language, language_normalise

EMPTY_CHOICE = ("", "—")


@lru_cache(maxsize=1)
def _time_zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def _interface_languages() -> list[tuple[str, str]]:
    """Django's language codes (zh-hant), each named in its own language: a picker must be
    readable by someone who cannot read the current interface language."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class PreferencesForm(forms.Form):
    ui_language = forms.ChoiceField(label=_("Interface language"))
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ui_language"].choices = _interface_languages()  # type: ignore[attr-defined]
        self.fields["time_zone"].choices = [  # type: ignore[attr-defined]
            EMPTY_CHOICE,
            *((z, z) for z in _time_zones()),
        ]

    def clean_ui_language(self) -> str:
        # Stored as our own spelling of the code (zh-Hant), as Agent.ui_language's choices say.
        return language_normalise(self.cleaned_data["ui_language"])


def _choices(pairs: Iterable[tuple[object, object]]) -> list[tuple[str, str]]:
    return [EMPTY_CHOICE, *((str(value), str(label)) for value, label in pairs)]


class InboxFilterForm(forms.Form):
    """The inbox's GET filters; an empty field does not filter."""

    q = forms.CharField(
        label=_("Search name, email, phone, subject or message"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    brand = forms.TypedChoiceField(label=_("Brand"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), required=False, coerce=int, empty_value=None
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)

    def __init__(
        self,
        *args: Any,
        brands: Iterable[tuple[int, str]],
        tags: Iterable[str],
        agents: Iterable[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["brand"].choices = _choices(brands)  # type: ignore[attr-defined]
        fields["channel"].choices = _choices(ChannelKind.choices)  # type: ignore[attr-defined]
        fields["language"].choices = _choices(Language.choices)  # type: ignore[attr-defined]
        fields["status"].choices = _choices(Status.choices)  # type: ignore[attr-defined]
        fields["priority"].choices = _choices(Priority.choices)  # type: ignore[attr-defined]
        fields["tag"].choices = _choices((t, t) for t in tags)  # type: ignore[attr-defined]
        fields["assignee"].choices = [  # type: ignore[attr-defined]
            EMPTY_CHOICE,
            ("none", _("Nobody")),
            *((str(pk), name) for pk, name in agents),
        ]


class BulkAction(forms.Form):
    ASSIGN_TO_ME = "assign_me"
    SET_STATUS = "status"
    ADD_TAG = "tag"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (ASSIGN_TO_ME, _("Assign to me")),
            (SET_STATUS, _("Change status")),
            (ADD_TAG, _("Add tag")),
        ],
    )
    status = forms.ChoiceField(
        label=_("New status"), required=False, choices=_choices(Status.choices)
    )
    tag = forms.CharField(label=_("Tag to add"), required=False, max_length=64)
    ids = forms.TypedMultipleChoiceField(label=_("Conversations"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id may be asked for; which ones the agent may touch is the scope's decision.
        submitted = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(i, i) for i in submitted if str(i).isdigit()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == self.SET_STATUS and not cleaned.get("status"):
            self.add_error("status", _("Choose the new status."))
        if cleaned.get("action") == self.ADD_TAG and not (cleaned.get("tag") or "").strip():
            self.add_error("tag", _("Write the tag to add."))
        return cleaned


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe: FileField cleans one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"id": "reply-attachments"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(_MultipleFileField, self).clean(f, initial) for f in files if f]


# Enter sends, Shift+Enter breaks the line; never while an input method (Chinese, Japanese)
# is composing, where Enter confirms the candidate.
_QUICK_SEND_KEYDOWN = (
    "if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) "
    "{ event.preventDefault(); this.form.requestSubmit(); }"
)


class ReplyForm(forms.Form):
    """The composer, fitted to the conversation's channel: email has a subject, cc and
    attachments; chat is one line sent with Enter, and attachments; every other channel is
    text only."""

    text = forms.CharField(
        label=_("Reply to the customer"),
        widget=forms.Textarea(attrs={"rows": 4, "id": "reply-text"}),
        max_length=200_000,
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"id": "reply-subject"}),
    )
    cc = forms.CharField(
        label=_("Cc (comma-separated email addresses)"),
        required=False,
        max_length=10_000,
        widget=forms.TextInput(attrs={"id": "reply-cc", "autocomplete": "email"}),
    )
    attachments = _MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, channel_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel_kind = channel_kind
        if channel_kind != ChannelKind.EMAIL:
            del self.fields["subject"], self.fields["cc"]
        if not self.takes_files:
            del self.fields["attachments"]
        if channel_kind == ChannelKind.CHAT:
            self.fields["text"].label = _("Message (Enter sends, Shift+Enter for a new line)")
            self.fields["text"].widget = forms.Textarea(
                attrs={
                    "rows": 1,
                    "id": "reply-text",
                    "class": "quick-send",
                    "enterkeyhint": "send",
                    "hx-on:keydown": _QUICK_SEND_KEYDOWN,
                }
            )

    @property
    def is_email(self) -> bool:
        return self.channel_kind == ChannelKind.EMAIL

    @property
    def takes_files(self) -> bool:
        """Channels that carry an agent's files: email, and chat (the widget downloads them
        with the visitor's token)."""
        return self.channel_kind in (ChannelKind.EMAIL, ChannelKind.CHAT)

    def clean_cc(self) -> list[str]:
        try:
            return cc_addresses_clean((self.cleaned_data.get("cc") or "").split(","))
        except InvalidInput as error:
            bad = error.details.get("cc")
            if bad:
                raise forms.ValidationError(
                    _("Not a valid email address: %(address)s"), params={"address": bad}
                ) from None
            raise forms.ValidationError(
                _("At most %(limit)d cc addresses."), params={"limit": MAX_CC_ADDRESSES}
            ) from None

    def clean_attachments(self) -> list[AttachmentUpload]:
        """The files as uploads, checked as conversations.attachments checks every file (size,
        blocked types) so a refusal is a form error before anything is stored."""
        limit = settings.LAGNIAPPE_MAX_ATTACHMENT_BYTES
        uploads = []
        for file in self.cleaned_data.get("attachments") or []:
            name = attachment_filename_clean(file.name or "")
            if file.size is not None and file.size > limit:  # before reading it into memory
                raise forms.ValidationError(
                    _("%(name)s is larger than allowed."), params={"name": name}
                )
            upload = AttachmentUpload(name, file.content_type or "", file.read())
            try:
                attachment_validate(upload)
            except PayloadTooLarge:
                raise forms.ValidationError(
                    _("%(name)s is larger than allowed."), params={"name": name}
                ) from None
            except InvalidInput:
                raise forms.ValidationError(
                    _("%(name)s: this type of file is not accepted."), params={"name": name}
                ) from None
            uploads.append(upload)
        return uploads


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note (mention a colleague with @name)"),
        widget=forms.Textarea(attrs={"rows": 3, "id": "note-text"}),
        max_length=200_000,
    )


class ConversationControlsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    tags = forms.CharField(label=_("Tags (comma-separated)"), required=False, max_length=2000)

    def __init__(
        self,
        *args: Any,
        agents: Iterable[tuple[int, str]],
        teams: Iterable[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody")),
            *((str(pk), name) for pk, name in agents),
        ]
        self.fields["team"].choices = _choices(teams)  # type: ignore[attr-defined]

    def tag_names(self) -> tuple[str, ...]:
        raw = self.cleaned_data.get("tags") or ""
        return tuple(sorted({t.strip()[:64] for t in raw.split(",") if t.strip()}))


class TransferForm(forms.Form):
    """Hand over to an agent or a team ("agent:<id>" / "team:<id>") with a note."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    target = forms.ChoiceField(label=_("Transfer to"))
    note = forms.CharField(
        label=_("Handover note"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        agents: Iterable[tuple[int, str]],
        teams: Iterable[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [  # type: ignore[attr-defined]
            EMPTY_CHOICE,
            (_("Agents"), [(f"agent:{pk}", name) for pk, name in agents]),
            (_("Teams"), [(f"team:{pk}", name) for pk, name in teams]),
        ]

    def target_ids(self) -> tuple[int | None, int | None]:
        """(agent id, team id) of the chosen target; the choices guarantee the shape."""
        kind, _colon, pk = self.cleaned_data["target"].partition(":")
        return (int(pk), None) if kind == "agent" else (None, int(pk))


class VersionForm(forms.Form):
    """A one-click change (take ownership, resolve) names the version it was shown."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=_choices(Language.choices)
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class MergeForm(forms.Form):
    source = forms.IntegerField(
        label=_("Number of the customer to merge into this one"), min_value=1
    )


class ConversationMergeFindForm(forms.Form):
    """Choose the conversation that remains: by its number or by search words (GET)."""

    q = forms.CharField(
        label=_("Conversation number or search words"), required=False, max_length=200
    )
    into = forms.IntegerField(
        required=False, min_value=1, max_value=2**53, widget=forms.HiddenInput
    )


class ConversationMergeForm(forms.Form):
    """The merge, confirmed from its preview: the number of the conversation that remains."""

    into = forms.IntegerField(min_value=1, max_value=2**53, widget=forms.HiddenInput)
