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

from lagniappe.conversations.models import Priority
from lagniappe.conversations.states import Status
from lagniappe.core.channel_kinds import ChannelKind
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


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply to the customer"),
        widget=forms.Textarea(attrs={"rows": 4, "id": "reply-text"}),
        max_length=200_000,
    )


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
