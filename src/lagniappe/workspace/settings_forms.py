"""Forms of the agent's notification choices and of an agent's chat capacity."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lagniappe.staff.services import MAX_CHAT_CAPACITY


class NotificationPreferencesForm(forms.Form):
    notify_desktop = forms.BooleanField(label=_("Desktop notifications"), required=False)
    notify_sound = forms.BooleanField(label=_("Sound for a new chat or a mention"), required=False)


class CapacityForm(forms.Form):
    chat_capacity = forms.IntegerField(
        label=_("Concurrent chats"), min_value=0, max_value=MAX_CHAT_CAPACITY
    )
